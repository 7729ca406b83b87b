// Package export writes research data tables as CSV and JSON Lines, one row
// at a time, so that a table of any length is exported in constant memory.
//
// A Table names its columns and their kinds. A row is a []any with one value
// per column, in column order; nil is a missing value. The Go type of each
// value depends on the column's kind:
//
//	Text      string
//	Integer   int64
//	Number    float64
//	Bool      bool
//	Time      time.Time (written in UTC, RFC 3339 with milliseconds)
//	TextList  []string
//
// The package does not read rows itself. Callers read them from a database
// cursor and pass each to a RowWriter as it arrives.
package export

import (
	"fmt"
	"time"
)

// Kind is the type of a column's values.
type Kind int

// The column kinds. Their names, as returned by Kind.String, are the types
// used in the data dictionary.
const (
	Text Kind = iota
	Integer
	Number
	Bool
	Time
	TextList
)

// String returns the kind's name in the data dictionary.
func (k Kind) String() string {
	switch k {
	case Text:
		return "text"
	case Integer:
		return "integer"
	case Number:
		return "number"
	case Bool:
		return "boolean"
	case Time:
		return "timestamp"
	case TextList:
		return "list of text"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// TimeLayout is the layout of every timestamp written: RFC 3339 in UTC with
// milliseconds, the same form as the `timestamp` of actions in the API.
const TimeLayout = "2006-01-02T15:04:05.000Z07:00"

// Column is one column of a table.
type Column struct {
	Name string
	Kind Kind
	// Description is the column's meaning, for the data dictionary.
	Description string
}

// Table is the name and the columns of one exported table. Its files are
// named after it: Name + ".csv" and Name + ".jsonl".
type Table struct {
	Name    string
	Columns []Column
}

// ColumnNames returns the names of t's columns in order.
func (t Table) ColumnNames() []string {
	names := make([]string, len(t.Columns))
	for i, column := range t.Columns {
		names[i] = column.Name
	}
	return names
}

// RowWriter writes the rows of one table to one file.
type RowWriter interface {
	// WriteRow writes one row: a value per column, in column order.
	WriteRow(values []any) error
	// Flush writes any buffered data to the underlying writer and returns
	// the first error the writer met.
	Flush() error
}

// checkRow reports a row whose length or value types do not match t. A
// mismatch is a programming error in the caller, so it is caught here
// rather than written as a silently wrong file.
func checkRow(t Table, values []any) error {
	if len(values) != len(t.Columns) {
		return fmt.Errorf("table %q: row has %d values, want %d", t.Name, len(values), len(t.Columns))
	}
	for i, value := range values {
		if value == nil {
			continue
		}
		var ok bool
		switch t.Columns[i].Kind {
		case Text:
			_, ok = value.(string)
		case Integer:
			_, ok = value.(int64)
		case Number:
			_, ok = value.(float64)
		case Bool:
			_, ok = value.(bool)
		case Time:
			_, ok = value.(time.Time)
		case TextList:
			_, ok = value.([]string)
		}
		if !ok {
			return fmt.Errorf("table %q, column %q: value of type %T is not %s", t.Name, t.Columns[i].Name, value, t.Columns[i].Kind)
		}
	}
	return nil
}
