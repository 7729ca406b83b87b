package hooks_test

import (
	"os"
	"strings"
	"testing"

	"github.com/hearth-research/hearth/hooks"
)

func TestDataDictionaryListsEveryColumn(t *testing.T) {
	data, err := os.ReadFile("../docs/DATA-DICTIONARY.md")
	if err != nil {
		t.Fatal(err)
	}
	tablesStart := strings.Index(string(data), "\n## Tables\n")
	if tablesStart < 0 {
		t.Fatal("no Tables section")
	}
	tables := string(data)[tablesStart:]
	for _, table := range hooks.ExportTables() {
		start := strings.Index(tables, "### "+table.Name+"\n")
		if start < 0 {
			t.Errorf("no section for table %s", table.Name)
			continue
		}
		section := tables[start+4:]
		if end := strings.Index(section, "\n#"); end >= 0 {
			section = section[:end]
		}
		for _, column := range table.Columns {
			row := "| `" + column.Name + "` | " + column.Kind.String() + " | "
			if !strings.Contains(section, row) {
				t.Errorf("table %s: no row starting %q", table.Name, row)
			}
		}
		if rows := strings.Count(section, "\n| `"); rows != len(table.Columns) {
			t.Errorf("table %s: got %d documented columns, want %d", table.Name, rows, len(table.Columns))
		}
	}
}
