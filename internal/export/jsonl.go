package export

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// JSONLWriter writes a table as JSON Lines: one JSON object per row and line,
// keys in column order, missing values as null.
type JSONLWriter struct {
	table  Table
	output *bufio.Writer
	// keys holds each column's `"name":` prefix, encoded once.
	keys [][]byte
	// line is reused for every row so that a row costs no new buffer.
	line    bytes.Buffer
	encoder *json.Encoder
}

// NewJSONLWriter returns a writer of table's rows to w.
func NewJSONLWriter(w io.Writer, table Table) (*JSONLWriter, error) {
	writer := &JSONLWriter{table: table, output: bufio.NewWriter(w)}
	writer.encoder = json.NewEncoder(&writer.line)
	// Keystroke histories are full of "<BS>", and HTML escaping would make
	// them hard to read without changing their meaning.
	writer.encoder.SetEscapeHTML(false)
	for _, column := range table.Columns {
		key, err := marshalJSON(column.Name)
		if err != nil {
			return nil, err
		}
		writer.keys = append(writer.keys, append(key, ':'))
	}
	return writer, nil
}

// WriteRow writes one row as one line.
func (w *JSONLWriter) WriteRow(values []any) error {
	if err := checkRow(w.table, values); err != nil {
		return err
	}
	w.line.Reset()
	w.line.WriteByte('{')
	for i, value := range values {
		if i > 0 {
			w.line.WriteByte(',')
		}
		w.line.Write(w.keys[i])
		if err := w.encodeValue(value); err != nil {
			return fmt.Errorf("table %q, column %q: %w", w.table.Name, w.table.Columns[i].Name, err)
		}
	}
	w.line.WriteString("}\n")
	_, err := w.output.Write(w.line.Bytes())
	return err
}

// encodeValue appends value to the line. json.Encoder ends every value with
// a newline, which is cut off again.
func (w *JSONLWriter) encodeValue(value any) error {
	if t, ok := value.(time.Time); ok {
		value = t.UTC().Format(TimeLayout)
	}
	if err := w.encoder.Encode(value); err != nil {
		return err
	}
	w.line.Truncate(w.line.Len() - 1)
	return nil
}

// Flush writes buffered rows to the underlying writer.
func (w *JSONLWriter) Flush() error {
	return w.output.Flush()
}

// marshalJSON encodes value as JSON without HTML escaping and without the
// trailing newline.
func marshalJSON(value any) ([]byte, error) {
	var buffer bytes.Buffer
	encoder := json.NewEncoder(&buffer)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(value); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buffer.Bytes(), []byte("\n")), nil
}
