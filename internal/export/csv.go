package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"
)

// ByteOrderMark is the UTF-8 encoding of U+FEFF. Excel needs it at the start
// of a CSV file to read the file as UTF-8 rather than the system code page.
// Other readers may keep it as part of the first column's name (Python's csv
// module does when the file is opened as "utf-8"), so it is off by default.
const ByteOrderMark = "\uFEFF"

// CSVOptions are the choices a CSV file can be written with.
type CSVOptions struct {
	// ByteOrderMark starts the file with a UTF-8 byte order mark for Excel.
	ByteOrderMark bool
}

// CSVWriter writes a table as CSV: UTF-8, a header row of column names,
// fields quoted as RFC 4180 describes.
//
// Lines end in LF, not RFC 4180's CRLF, because with CRLF encoding/csv also
// rewrites every newline inside a quoted field to CRLF. That would change
// message bodies and keystroke histories. Common CSV readers accept LF.
//
// Cells are written exactly as stored. A cell that starts with =, +, - or @
// is not escaped against spreadsheet formula injection, because escaping
// would alter research data; the data dictionary warns about it.
type CSVWriter struct {
	table  Table
	writer *csv.Writer
	record []string
}

// NewCSVWriter writes the optional byte order mark and the header row of
// table to w, and returns a writer for the rows.
func NewCSVWriter(w io.Writer, table Table, options CSVOptions) (*CSVWriter, error) {
	if options.ByteOrderMark {
		if _, err := io.WriteString(w, ByteOrderMark); err != nil {
			return nil, err
		}
	}
	writer := &CSVWriter{table: table, writer: csv.NewWriter(w), record: make([]string, len(table.Columns))}
	if err := writer.writer.Write(table.ColumnNames()); err != nil {
		return nil, err
	}
	return writer, nil
}

// WriteRow writes one row. Missing values are written as empty cells, so
// CSV does not tell an empty text from a missing one. JSON Lines does.
func (w *CSVWriter) WriteRow(values []any) error {
	if err := checkRow(w.table, values); err != nil {
		return err
	}
	for i, value := range values {
		cell, err := formatCell(value)
		if err != nil {
			return fmt.Errorf("table %q, column %q: %w", w.table.Name, w.table.Columns[i].Name, err)
		}
		w.record[i] = cell
	}
	return w.writer.Write(w.record)
}

// Flush writes buffered rows to the underlying writer.
func (w *CSVWriter) Flush() error {
	w.writer.Flush()
	return w.writer.Error()
}

func formatCell(value any) (string, error) {
	switch v := value.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(v), nil
	case time.Time:
		return v.UTC().Format(TimeLayout), nil
	case []string:
		// A list is written as a JSON array, the one notation that stays
		// unambiguous whatever characters the items contain.
		encoded, err := marshalJSON(v)
		return string(encoded), err
	}
	return "", fmt.Errorf("unsupported value type %T", value)
}
