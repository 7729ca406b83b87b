package hooks

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/hearth-research/hearth/internal/export"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// Export scopes, as stored in export_log.scope.
const (
	ExportScopeSession = "session"
	ExportScopeStudy   = "study"
)

// ExportSessionNotFoundError is returned by BeginExport when a requested
// therapy session does not exist.
type ExportSessionNotFoundError struct {
	ID string
}

func (err *ExportSessionNotFoundError) Error() string {
	return fmt.Sprintf("therapy session %q not found", err.ID)
}

// ExportRequest describes one research data export.
type ExportRequest struct {
	// Scope is ExportScopeSession or ExportScopeStudy.
	Scope string
	// SessionIDs are the therapy_sessions to export. Empty, for the study
	// scope only, means every session.
	SessionIDs []string
	// Format is "csv", "jsonl" or "zip".
	Format string
	// Table is the table to write as CSV or JSON Lines. Empty means every
	// table, which only the command supports (one file each). A zip archive
	// always contains every table.
	Table string
	// ByteOrderMark starts each CSV file with a UTF-8 byte order mark.
	ByteOrderMark bool
}

// Validate checks the request's fields and returns validation.Errors keyed
// by the request field names used in the API: scope, sessions, format, table.
func (r ExportRequest) Validate(requireTable bool) error {
	var tableNames []any
	for _, table := range ExportTables() {
		tableNames = append(tableNames, table.Name)
	}
	return validation.Errors{
		"scope": validation.Validate(r.Scope, validation.Required, validation.In(ExportScopeSession, ExportScopeStudy)),
		"sessions": validation.Validate(r.SessionIDs,
			validation.When(r.Scope == ExportScopeSession, validation.Required),
			validation.Each(validation.Required, validation.Length(1, 15))),
		"format": validation.Validate(r.Format, validation.Required,
			validation.In(export.FormatCSV, export.FormatJSONL, export.FormatZip).Error("Use csv, jsonl or zip.")),
		"table": validation.Validate(r.Table,
			validation.When(requireTable && r.Format != export.FormatZip, validation.Required),
			validation.When(r.Format == export.FormatZip, validation.Empty.Error("A zip archive contains every table, so leave table out.")),
			validation.In(tableNames...).Error("Use one of: "+strings.Join(tableNamesOf(ExportTables()), ", ")+".")),
	}.Filter()
}

func tableNamesOf(tables []export.Table) []string {
	names := make([]string, len(tables))
	for i, table := range tables {
		names[i] = table.Name
	}
	return names
}

// Export is an export in progress. It reads every table from one read-only
// transaction, so that all tables show the database at the same moment even
// while a session is live.
type Export struct {
	ctx     context.Context
	db      dbx.Builder
	request ExportRequest
	// sessionIDs are the sessions to export, ordered by start time.
	sessionIDs []string
	finish     func() error
}

// BeginExport validates request, opens the read transaction and resolves
// the sessions to export. It returns validation.Errors for an invalid
// request and an *ExportSessionNotFoundError for an unknown session. The caller must Close the export.
func BeginExport(ctx context.Context, app core.App, request ExportRequest) (*Export, error) {
	if err := request.Validate(false); err != nil {
		return nil, err
	}
	x := &Export{ctx: ctx, db: app.DB(), request: request, finish: func() error { return nil }}

	// Inside a transaction, DB returns that transaction, which already
	// reads one snapshot.
	if db, ok := app.DB().(*dbx.DB); ok {
		tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return nil, fmt.Errorf("begin read transaction: %w", err)
		}
		x.db, x.finish = tx, tx.Rollback
	}

	var err error
	x.sessionIDs, err = x.resolveSessions()
	if err != nil {
		x.Close()
		return nil, err
	}
	return x, nil
}

// resolveSessions returns the requested sessions, or every session when
// none are named, ordered by start time. It fails on the first unknown id.
func (x *Export) resolveSessions() ([]string, error) {
	query := x.db.Select("id").From("therapy_sessions").OrderBy("starts_at", "id").WithContext(x.ctx)
	requested := slices.Compact(slices.Sorted(slices.Values(x.request.SessionIDs)))
	if len(requested) > 0 {
		values := make([]any, len(requested))
		for i, id := range requested {
			values[i] = id
		}
		query.Where(dbx.In("id", values...))
	}

	var found []string
	if err := query.Column(&found); err != nil {
		return nil, fmt.Errorf("list therapy sessions: %w", err)
	}
	for _, id := range requested {
		if !slices.Contains(found, id) {
			return nil, &ExportSessionNotFoundError{ID: id}
		}
	}
	return found, nil
}

// WriteTable writes one table as CSV or JSON Lines, by the request's format.
func (x *Export) WriteTable(w io.Writer, name string) error {
	source, ok := findExportSource(name)
	if !ok {
		return fmt.Errorf("unknown export table %q", name)
	}
	writer, err := export.NewRowWriter(w, source.table, x.request.Format, export.CSVOptions{ByteOrderMark: x.request.ByteOrderMark})
	if err != nil {
		return err
	}
	return x.writeRows(source, writer)
}

// WriteArchive writes a zip archive with every table as CSV and as JSON
// Lines.
func (x *Export) WriteArchive(w io.Writer, modified time.Time) error {
	archive := export.NewArchive(w, modified)
	for _, format := range []string{export.FormatCSV, export.FormatJSONL} {
		for _, source := range exportSources {
			writer, err := archive.Create(source.table, format, export.CSVOptions{ByteOrderMark: x.request.ByteOrderMark})
			if err != nil {
				return err
			}
			if err := x.writeRows(source, writer); err != nil {
				return err
			}
		}
	}
	return archive.Close()
}

// writeRows streams the rows of source for every exported session from a
// database cursor to writer, one row at a time.
func (x *Export) writeRows(source exportSource, writer export.RowWriter) error {
	values := make([]any, len(source.table.Columns))
	for _, sessionID := range x.sessionIDs {
		rows, err := x.db.NewQuery(source.query).Bind(dbx.Params{"session": sessionID}).WithContext(x.ctx).Rows()
		if err != nil {
			return fmt.Errorf("query %s of session %q: %w", source.table.Name, sessionID, err)
		}
		for rows.Next() {
			clear(values)
			if err := source.scan(rows, sessionID, values); err != nil {
				rows.Close()
				return fmt.Errorf("read %s of session %q: %w", source.table.Name, sessionID, err)
			}
			if err := writer.WriteRow(values); err != nil {
				rows.Close()
				return err
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("read %s of session %q: %w", source.table.Name, sessionID, err)
		}
	}
	return writer.Flush()
}

// Close ends the read transaction.
func (x *Export) Close() error {
	return x.finish()
}
