package hooks_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"testing"

	"github.com/hearth-research/hearth/internal/export"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// The expected rows below are built from records read through PocketBase's
// record API, independently of the SQL the export runs. Values are in the
// form encoding/json decodes them into: nil, string, float64, bool, []any.

func expectedActions(t testing.TB, app core.App, sessionIDs ...string) [][]any {
	t.Helper()
	var rows [][]any
	for _, sessionID := range sessionIDs {
		records, err := app.FindRecordsByFilter("actions", "therapy_session = {:session}", "seq", 0, 0, dbx.Params{"session": sessionID})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range records {
			kind := r.GetString("type")
			message := kind == "message"
			row := []any{
				sessionID, float64(r.GetInt("seq")), kind, nullIfEmpty(r.GetString("user")), nullIfEmpty(r.GetString("alias")),
				nil, nil, nil, nullIfEmpty(r.GetString("icon")), nil, nullIfEmpty(r.GetString("sender")),
				nil, nil, nullIfEmpty(r.GetString("original_body")), nullIfEmpty(r.GetString("client_id")),
				timeOrNull(r, "client_ts"), timeOrNull(r, "created"), nil, nil, nil,
			}
			if target := r.GetInt("target"); target > 0 {
				row[7] = float64(target)
			}
			if message {
				ids := r.GetStringSlice("recipients")
				row[5], row[6] = anySlice(ids), anySlice(aliasesOf(t, app, ids))
				row[12] = r.GetBool("deleted")
				if r.GetBool("typing_recorded") {
					row[17], row[18], row[19] = r.GetFloat("time_to_complete"), r.GetString("character_history"), r.GetBool("history_replays")
				}
			}
			if message || kind == "notice" || kind == "whiteboard" {
				row[11] = r.GetString("body")
			}
			if kind == "reaction" {
				row[9] = r.GetBool("remove")
			}
			rows = append(rows, row)
		}
	}
	return rows
}

func expectedAttendance(t testing.TB, app core.App, sessionID string) [][]any {
	t.Helper()
	records, err := app.FindRecordsByFilter("attendance", "therapy_session = {:session}", "entered_at", 0, 0, dbx.Params{"session": sessionID})
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]any
	for _, r := range records {
		user, err := app.FindRecordById("users", r.GetString("user"))
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, []any{sessionID, user.Id, user.GetString("alias"), user.GetString("role"),
			timeOrNull(r, "entered_at"), timeOrNull(r, "left_at"), nullIfEmpty(r.GetString("left_reason"))})
	}
	return rows
}

func nullIfEmpty(value string) any {
	if value == "" {
		return nil
	}
	return value
}

func timeOrNull(r *core.Record, field string) any {
	value := r.GetDateTime(field)
	if value.IsZero() {
		return nil
	}
	return value.Time().UTC().Format(export.TimeLayout)
}

func anySlice(values []string) []any {
	result := []any{}
	for _, value := range values {
		result = append(result, value)
	}
	return result
}

func aliasesOf(t testing.TB, app core.App, ids []string) []string {
	t.Helper()
	aliases := []string{}
	for _, id := range ids {
		user, err := app.FindRecordById("users", id)
		if err != nil {
			t.Fatal(err)
		}
		aliases = append(aliases, user.GetString("alias"))
	}
	return aliases
}

// csvCell returns the CSV form of an expected value.
func csvCell(value any) string {
	switch v := value.(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case []any:
		encoded, _ := json.Marshal(v)
		return string(encoded)
	}
	return fmt.Sprintf("unexpected %T", value)
}

// checkCSV reads data back with encoding/csv and compares it with the header
// and the expected rows, cell by cell.
func checkCSV(t testing.TB, data []byte, table export.Table, want [][]any) {
	t.Helper()
	records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("%s.csv: %v", table.Name, err)
	}
	if len(records) == 0 || !reflect.DeepEqual(records[0], table.ColumnNames()) {
		t.Fatalf("%s.csv header: got %q, want %q", table.Name, records[0], table.ColumnNames())
	}
	if len(records)-1 != len(want) {
		t.Fatalf("%s.csv: got %d rows, want %d", table.Name, len(records)-1, len(want))
	}
	for i, row := range want {
		for j, value := range row {
			if got, expected := records[i+1][j], csvCell(value); got != expected {
				t.Errorf("%s.csv row %d, %s: got %q, want %q", table.Name, i+1, table.Columns[j].Name, got, expected)
			}
		}
	}
}

// checkJSONL decodes data line by line with encoding/json and compares every
// object with the expected rows, key by key.
func checkJSONL(t testing.TB, data []byte, table export.Table, want [][]any) {
	t.Helper()
	decoder := json.NewDecoder(bytes.NewReader(data))
	for i := 0; ; i++ {
		var object map[string]any
		err := decoder.Decode(&object)
		if err != nil {
			if i != len(want) {
				t.Fatalf("%s.jsonl: got %d objects (%v), want %d", table.Name, i, err, len(want))
			}
			return
		}
		if i >= len(want) {
			t.Fatalf("%s.jsonl: more than %d objects", table.Name, len(want))
		}
		if len(object) != len(table.Columns) {
			t.Errorf("%s.jsonl line %d: got %d keys, want %d", table.Name, i+1, len(object), len(table.Columns))
		}
		for j, column := range table.Columns {
			if got := object[column.Name]; !reflect.DeepEqual(got, want[i][j]) {
				t.Errorf("%s.jsonl line %d, %s: got %#v, want %#v", table.Name, i+1, column.Name, got, want[i][j])
			}
		}
	}
}

func tableNamed(t testing.TB, tables []export.Table, name string) export.Table {
	t.Helper()
	for _, table := range tables {
		if table.Name == name {
			return table
		}
	}
	t.Fatalf("no export table %q", name)
	return export.Table{}
}
