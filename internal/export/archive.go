package export

import (
	"archive/zip"
	"fmt"
	"io"
	"time"
)

// The file formats of an export.
const (
	FormatCSV   = "csv"
	FormatJSONL = "jsonl"
	FormatZip   = "zip"
)

// NewRowWriter returns a CSVWriter or a JSONLWriter of table to w, by format
// ("csv" or "jsonl"). The CSV options are ignored for JSON Lines.
func NewRowWriter(w io.Writer, table Table, format string, options CSVOptions) (RowWriter, error) {
	switch format {
	case FormatCSV:
		return NewCSVWriter(w, table, options)
	case FormatJSONL:
		return NewJSONLWriter(w, table)
	}
	return nil, fmt.Errorf("unknown row format %q", format)
}

// Archive writes tables into a zip file as it goes. zip.Writer needs no
// seekable output (sizes follow each entry's data), so the archive can be
// streamed straight to an HTTP response.
type Archive struct {
	zip      *zip.Writer
	modified time.Time
}

// NewArchive returns an archive written to w whose entries carry modified as
// their modification time.
func NewArchive(w io.Writer, modified time.Time) *Archive {
	return &Archive{zip: zip.NewWriter(w), modified: modified}
}

// Create starts the entry name + "." + format and returns a writer of
// table's rows into it. The writer must be flushed before the next call to
// Create or Close, because the zip entry ends when the next one starts.
func (a *Archive) Create(table Table, format string, options CSVOptions) (RowWriter, error) {
	entry, err := a.zip.CreateHeader(&zip.FileHeader{
		Name:     table.Name + "." + format,
		Method:   zip.Deflate,
		Modified: a.modified,
	})
	if err != nil {
		return nil, err
	}
	return NewRowWriter(entry, table, format, options)
}

// Close writes the zip's central directory. An archive that is not closed,
// for example after a failed query, is unreadable, which is how a truncated
// download shows itself.
func (a *Archive) Close() error {
	return a.zip.Close()
}
