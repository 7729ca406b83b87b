package hooks

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hearth-research/hearth/internal/export"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/tools/types"
)

// exportSource is one exported table: its columns, the query that reads one
// therapy session's rows (bound to the {:session} parameter), and the
// function that turns the current database row into a row of values.
type exportSource struct {
	table export.Table
	query string
	scan  func(rows *dbx.Rows, sessionID string, values []any) error
}

// exportSources lists the exported tables in the order they are written
// into an archive.
var exportSources = []exportSource{
	sessionsSource, membersSource, actionsSource, attendanceSource, responsesSource,
}

// ExportTables returns the exported tables with their columns, for the data
// dictionary and for callers that name a table.
func ExportTables() []export.Table {
	tables := make([]export.Table, len(exportSources))
	for i, source := range exportSources {
		tables[i] = source.table
	}
	return tables
}

func findExportSource(name string) (exportSource, bool) {
	for _, source := range exportSources {
		if source.table.Name == name {
			return source, true
		}
	}
	return exportSource{}, false
}

// PocketBase stores an unset text, date or relation as "" and an unset
// number as 0. The helpers below turn those into missing values, so that
// JSON Lines shows null where nothing was recorded.

func optionalText(value sql.NullString) any {
	if !value.Valid || value.String == "" {
		return nil
	}
	return value.String
}

func optionalTime(value sql.NullString) (any, error) {
	if !value.Valid || value.String == "" {
		return nil, nil
	}
	// ParseDateTime returns a zero time without an error for some text that
	// is not a date. A stored value must not turn into a null silently.
	parsed, err := types.ParseDateTime(value.String)
	if err == nil && parsed.IsZero() {
		err = errors.New("not a date")
	}
	if err != nil {
		return nil, fmt.Errorf("parse date %q: %w", value.String, err)
	}
	return parsed.Time().UTC(), nil
}

// textList decodes a JSON array of strings as stored for a multiple
// relation. An empty or missing value is an empty list.
func textList(value sql.NullString) ([]string, error) {
	list := []string{}
	if !value.Valid || value.String == "" {
		return list, nil
	}
	if err := json.Unmarshal([]byte(value.String), &list); err != nil {
		return nil, fmt.Errorf("decode list %q: %w", value.String, err)
	}
	return list, nil
}

// validJSONArray returns an SQL expression for the value of column when it
// contains a JSON array, and for an empty array otherwise, so that json_each
// does not fail on a value written outside PocketBase.
func validJSONArray(column string) string {
	return "(CASE WHEN json_valid(" + column + ") AND json_type(" + column + ") = 'array' THEN " + column + " ELSE '[]' END)"
}

var sessionsSource = exportSource{
	table: export.Table{Name: "sessions", Columns: []export.Column{
		{Name: "session_id", Kind: export.Text, Description: "Id of the therapy session (therapy_sessions record)."},
		{Name: "name", Kind: export.Text, Description: "Name of the session, as entered by staff."},
		{Name: "description", Kind: export.Text, Description: "Description of the session, as entered by staff."},
		{Name: "starts_at", Kind: export.Time, Description: "Scheduled start."},
		{Name: "ends_at", Kind: export.Time, Description: "Scheduled end; null when none was entered."},
		{Name: "status", Kind: export.Text, Description: "scheduled, open or closed, at the time of export."},
		{Name: "whiteboard", Kind: export.Text, Description: "Whiteboard text at the time of export. Every earlier version is a whiteboard action."},
		{Name: "created", Kind: export.Time, Description: "When staff created the session record."},
	}},
	query: "SELECT name, description, starts_at, ends_at, status, whiteboard, created " +
		"FROM therapy_sessions WHERE id = {:session}",
	scan: func(rows *dbx.Rows, sessionID string, values []any) error {
		var name, description, startsAt, endsAt, status, whiteboard, created sql.NullString
		if err := rows.Scan(&name, &description, &startsAt, &endsAt, &status, &whiteboard, &created); err != nil {
			return err
		}
		var err error
		values[0], values[1], values[2] = sessionID, name.String, description.String
		if values[3], err = optionalTime(startsAt); err != nil {
			return err
		}
		if values[4], err = optionalTime(endsAt); err != nil {
			return err
		}
		values[5], values[6] = status.String, whiteboard.String
		values[7], err = optionalTime(created)
		return err
	},
}

// membersSource lists the therapists and participants of a session as staff
// enrolled them, by user id and alias only.
var membersSource = exportSource{
	table: export.Table{Name: "members", Columns: []export.Column{
		{Name: "session_id", Kind: export.Text, Description: "Id of the therapy session."},
		{Name: "user_id", Kind: export.Text, Description: "Id of the person (users record)."},
		{Name: "alias", Kind: export.Text, Description: "The person's alias at the time of export: the only name other members see."},
		{Name: "role", Kind: export.Text, Description: "therapist or participant, as listed in the session."},
		{Name: "removed", Kind: export.Bool, Description: "True when a therapist removed the participant from the live session and they have not been readmitted."},
	}},
	query: "SELECT m.value, u.alias, m.role, " +
		"EXISTS (SELECT 1 FROM json_each(" + validJSONArray("m.removed") + ") r WHERE r.value = m.value) " +
		"FROM (" +
		"SELECT 'therapist' AS role, 0 AS role_order, t.key AS position, t.value AS value, s.removed_participants AS removed " +
		"FROM therapy_sessions s, json_each(" + validJSONArray("s.therapists") + ") t WHERE s.id = {:session} " +
		"UNION ALL " +
		"SELECT 'participant', 1, p.key, p.value, s.removed_participants " +
		"FROM therapy_sessions s, json_each(" + validJSONArray("s.participants") + ") p WHERE s.id = {:session}" +
		") m LEFT JOIN users u ON u.id = m.value ORDER BY m.role_order, m.position",
	scan: func(rows *dbx.Rows, sessionID string, values []any) error {
		var userID, alias, role sql.NullString
		var removed bool
		if err := rows.Scan(&userID, &alias, &role, &removed); err != nil {
			return err
		}
		values[0], values[1], values[2], values[3], values[4] = sessionID, userID.String, optionalText(alias), role.String, removed
		return nil
	},
}

var attendanceSource = exportSource{
	table: export.Table{Name: "attendance", Columns: []export.Column{
		{Name: "session_id", Kind: export.Text, Description: "Id of the therapy session."},
		{Name: "user_id", Kind: export.Text, Description: "Id of the person who entered."},
		{Name: "alias", Kind: export.Text, Description: "The person's alias at the time of export."},
		{Name: "role", Kind: export.Text, Description: "therapist or participant, from the person's users record."},
		{Name: "entered_at", Kind: export.Time, Description: "When the person entered the session."},
		{Name: "left_at", Kind: export.Time, Description: "When the person left; null while still inside."},
		{Name: "left_reason", Kind: export.Text, Description: "left, logout, idle, removed, closed or entered_again; null while still inside."},
	}},
	query: "SELECT a.user, u.alias, u.role, a.entered_at, a.left_at, a.left_reason " +
		"FROM attendance a LEFT JOIN users u ON u.id = a.user " +
		"WHERE a.therapy_session = {:session} ORDER BY a.entered_at, a.id",
	scan: func(rows *dbx.Rows, sessionID string, values []any) error {
		var userID, alias, role, enteredAt, leftAt, leftReason sql.NullString
		if err := rows.Scan(&userID, &alias, &role, &enteredAt, &leftAt, &leftReason); err != nil {
			return err
		}
		var err error
		values[0], values[1], values[2], values[3] = sessionID, userID.String, optionalText(alias), optionalText(role)
		if values[4], err = optionalTime(enteredAt); err != nil {
			return err
		}
		if values[5], err = optionalTime(leftAt); err != nil {
			return err
		}
		values[6] = optionalText(leftReason)
		return nil
	},
}
