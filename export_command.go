package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/hearth-research/hearth/hooks"
	"github.com/hearth-research/hearth/internal/export"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
)

// newExportCommand returns "hearth export": write the research data of one
// or more sessions, or of the whole study, from the data folder to files.
// It reads the database directly, so it works while the server runs.
func newExportCommand(app core.App) *cobra.Command {
	var (
		request hooks.ExportRequest
		study   bool
		out     string
	)
	command := &cobra.Command{
		Use:   "export",
		Short: "Export research data (CSV, JSON Lines or zip) of sessions or the whole study",
		Long: `Export research data for study staff, as the export API routes do.

--format zip writes one archive with every table as CSV and JSON Lines.
--format csv|jsonl with --table writes that table to the file --out;
without --table it writes one file per table into the directory --out.
Every export is recorded in the export_log collection. The tables and
columns are described in docs/DATA-DICTIONARY.md.`,
		Example: `  hearth export --study --format zip --out study.zip
  hearth export --session abc123def456ghi --format csv --out exports/
  hearth export --study --format jsonl --table actions --out actions.jsonl`,
		Args: cobra.NoArgs,
		RunE: func(command *cobra.Command, args []string) error {
			switch {
			case study && len(request.SessionIDs) > 0:
				return errors.New("use either --session or --study, not both")
			case study:
				request.Scope = hooks.ExportScopeStudy
			case len(request.SessionIDs) > 0:
				request.Scope = hooks.ExportScopeSession
			default:
				return errors.New("missing --session ID or --study")
			}
			if out == "" {
				return errors.New("missing --out: the file (or, for csv and jsonl without --table, the directory) to write")
			}
			ctx := command.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			written, err := runExport(ctx, app, request, out)
			for _, path := range written {
				fmt.Fprintln(command.OutOrStdout(), path)
			}
			return err
		},
	}
	flags := command.Flags()
	flags.StringArrayVar(&request.SessionIDs, "session", nil, "id of a therapy session to export (repeat for several)")
	flags.BoolVar(&study, "study", false, "export every therapy session")
	flags.StringVar(&request.Format, "format", "", "file format: csv, jsonl or zip")
	flags.StringVar(&request.Table, "table", "", "table to export as csv or jsonl: sessions, members, actions, attendance or responses (default: every table)")
	flags.StringVar(&out, "out", "", "file to write, or directory for every table as csv or jsonl")
	flags.BoolVar(&request.ByteOrderMark, "bom", false, "start CSV files with a UTF-8 byte order mark, for Excel")
	return command
}

// runExport writes the export and returns the paths of the files written.
func runExport(ctx context.Context, app core.App, request hooks.ExportRequest, out string) ([]string, error) {
	// An older data folder may lack the export_log collection.
	if err := app.RunAllMigrations(); err != nil {
		return nil, fmt.Errorf("run migrations: %w", err)
	}
	x, err := hooks.BeginExport(ctx, app, request)
	if err != nil {
		return nil, err
	}
	defer x.Close()
	if err := hooks.LogExport(app, request, hooks.CommandRequester()); err != nil {
		return nil, err
	}

	if request.Format == export.FormatZip {
		err := writeFileAtomically(out, func(w io.Writer) error { return x.WriteArchive(w, time.Now()) })
		return []string{out}, err
	}
	if request.Table != "" {
		err := writeFileAtomically(out, func(w io.Writer) error { return x.WriteTable(w, request.Table) })
		return []string{out}, err
	}

	if err := os.MkdirAll(out, 0o700); err != nil {
		return nil, err
	}
	var written []string
	for _, table := range hooks.ExportTables() {
		path := filepath.Join(out, table.Name+"."+request.Format)
		if err := writeFileAtomically(path, func(w io.Writer) error { return x.WriteTable(w, table.Name) }); err != nil {
			return written, err
		}
		written = append(written, path)
	}
	return written, nil
}

// writeFileAtomically writes to a temporary file beside path and renames it
// to path only when write succeeds, so that a failed export never leaves a
// short file that looks complete. Files are readable by their owner only,
// since they hold research data.
func writeFileAtomically(path string, write func(w io.Writer) error) error {
	file, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(file.Name())

	buffered := bufio.NewWriterSize(file, 64<<10)
	err = write(buffered)
	if err == nil {
		err = buffered.Flush()
	}
	if closeErr := file.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.Rename(file.Name(), path)
}
