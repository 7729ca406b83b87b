package export_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hearth-research/hearth/internal/export"
)

var testTable = export.Table{Name: "things", Columns: []export.Column{
	{Name: "name", Kind: export.Text},
	{Name: "count", Kind: export.Integer},
	{Name: "seconds", Kind: export.Number},
	{Name: "done", Kind: export.Bool},
	{Name: "at", Kind: export.Time},
	{Name: "tags", Kind: export.TextList},
}}

var moment = time.Date(2026, 3, 1, 14, 5, 6, 789_000_000, time.FixedZone("CET", 3600))

var testRows = [][]any{
	{"plain", int64(3), 1.5, true, moment, []string{"a", "b"}},
	{"=1+1", int64(-2), 0.0, false, nil, []string{}},
	{"line one\nline two, \"quoted\" <BS> é 🙂", nil, nil, nil, nil, nil},
	{"", int64(0), 12345678.25, true, moment, []string{"x,y", "<z>"}},
}

func TestCSVRoundTrip(t *testing.T) {
	var out bytes.Buffer
	writer, err := export.NewCSVWriter(&out, testTable, export.CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range testRows {
		if err := writer.WriteRow(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := writer.Flush(); err != nil {
		t.Fatal(err)
	}

	records, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"name", "count", "seconds", "done", "at", "tags"},
		{"plain", "3", "1.5", "true", "2026-03-01T13:05:06.789Z", `["a","b"]`},
		{"=1+1", "-2", "0", "false", "", "[]"},
		{"line one\nline two, \"quoted\" <BS> é 🙂", "", "", "", "", ""},
		{"", "0", "12345678.25", "true", "2026-03-01T13:05:06.789Z", `["x,y","<z>"]`},
	}
	if len(records) != len(want) {
		t.Fatalf("got %d records, want %d", len(records), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(records[i], want[i]) {
			t.Errorf("record %d: got %q, want %q", i, records[i], want[i])
		}
	}
}

func TestCSVKeepsNewlinesInsideFields(t *testing.T) {
	var out bytes.Buffer
	writer, _ := export.NewCSVWriter(&out, export.Table{Name: "t", Columns: []export.Column{{Name: "body"}}}, export.CSVOptions{})
	if err := writer.WriteRow([]any{"a\nb"}); err != nil {
		t.Fatal(err)
	}
	writer.Flush()
	if got, want := out.String(), "body\n\"a\nb\"\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestCSVByteOrderMark(t *testing.T) {
	var out bytes.Buffer
	writer, err := export.NewCSVWriter(&out, testTable, export.CSVOptions{ByteOrderMark: true})
	if err != nil {
		t.Fatal(err)
	}
	writer.Flush()
	if !strings.HasPrefix(out.String(), "\xEF\xBB\xBFname,") {
		t.Errorf("got %q, want a byte order mark before the header", out.String())
	}
}

func TestJSONLRoundTrip(t *testing.T) {
	var out bytes.Buffer
	writer, err := export.NewJSONLWriter(&out, testTable)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range testRows {
		if err := writer.WriteRow(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := writer.Flush(); err != nil {
		t.Fatal(err)
	}

	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != len(testRows) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(testRows), out.String())
	}
	if want := `{"name":"plain","count":3,"seconds":1.5,"done":true,"at":"2026-03-01T13:05:06.789Z","tags":["a","b"]}`; lines[0] != want {
		t.Errorf("line 0: got %s, want %s", lines[0], want)
	}
	if !strings.Contains(lines[2], `<BS>`) {
		t.Errorf("line 2: got %s, want <BS> without HTML escaping", lines[2])
	}

	want := []map[string]any{
		{"name": "plain", "count": 3.0, "seconds": 1.5, "done": true, "at": "2026-03-01T13:05:06.789Z", "tags": []any{"a", "b"}},
		{"name": "=1+1", "count": -2.0, "seconds": 0.0, "done": false, "at": nil, "tags": []any{}},
		{"name": "line one\nline two, \"quoted\" <BS> é 🙂", "count": nil, "seconds": nil, "done": nil, "at": nil, "tags": nil},
		{"name": "", "count": 0.0, "seconds": 12345678.25, "done": true, "at": "2026-03-01T13:05:06.789Z", "tags": []any{"x,y", "<z>"}},
	}
	for i, line := range lines {
		var got map[string]any
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Errorf("line %d: %v", i, err)
			continue
		}
		if !reflect.DeepEqual(got, want[i]) {
			t.Errorf("line %d: got %v, want %v", i, got, want[i])
		}
	}
}

func TestWriteRowRejectsMismatchedRows(t *testing.T) {
	rows := map[string][]any{
		"too short":    {"a"},
		"wrong type":   {"a", 3, 1.5, true, nil, nil},
		"list as text": {"a", nil, nil, nil, nil, "a,b"},
	}
	for name, row := range rows {
		csvWriter, _ := export.NewCSVWriter(io.Discard, testTable, export.CSVOptions{})
		if err := csvWriter.WriteRow(row); err == nil {
			t.Errorf("csv, %s: got no error", name)
		}
		jsonlWriter, _ := export.NewJSONLWriter(io.Discard, testTable)
		if err := jsonlWriter.WriteRow(row); err == nil {
			t.Errorf("jsonl, %s: got no error", name)
		}
	}
}

func TestArchiveHoldsEveryEntry(t *testing.T) {
	var out bytes.Buffer
	archive := export.NewArchive(&out, moment)
	for _, format := range []string{export.FormatCSV, export.FormatJSONL} {
		writer, err := archive.Create(testTable, format, export.CSVOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range testRows {
			if err := writer.WriteRow(row); err != nil {
				t.Fatal(err)
			}
		}
		if err := writer.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if err := archive.Close(); err != nil {
		t.Fatal(err)
	}

	reader, err := zip.NewReader(bytes.NewReader(out.Bytes()), int64(out.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, file := range reader.File {
		names = append(names, file.Name)
		content, err := file.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(content)
		if lines := strings.Count(string(data), "\n"); lines < len(testRows) {
			t.Errorf("%s: got %d lines, want at least %d", file.Name, lines, len(testRows))
		}
	}
	if want := []string{"things.csv", "things.jsonl"}; !reflect.DeepEqual(names, want) {
		t.Errorf("entries: got %v, want %v", names, want)
	}
}
