package hooks

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"
)

// TestRelationCount checks the limits that validateAction still applies to
// relations whose ids were read in the transaction.
func TestRelationCount(t *testing.T) {
	required := &core.RelationField{Name: "therapy_session", Required: true, MaxSelect: 1}
	recipients := &core.RelationField{Name: "recipients", MaxSelect: 2}
	atLeastTwo := &core.RelationField{Name: "pair", MinSelect: 2, MaxSelect: 3}
	for _, c := range []struct {
		name  string
		field *core.RelationField
		count int
		code  string
	}{
		{"required and missing", required, 0, "validation_required"},
		{"required and set", required, 1, ""},
		{"too many for one", required, 2, "validation_too_many_values"},
		{"optional and empty", recipients, 0, ""},
		{"at the maximum", recipients, 2, ""},
		{"over the maximum", recipients, 3, "validation_too_many_values"},
		{"under the minimum", atLeastTwo, 1, "validation_not_enough_values"},
		{"empty with a minimum but optional", atLeastTwo, 0, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := relationCount(c.field, c.count)
			code := ""
			if coded, ok := err.(interface{ Code() string }); ok {
				code = coded.Code()
			} else if err != nil {
				t.Fatalf("error without a code: %v", err)
			}
			if code != c.code {
				t.Fatalf("got code %q, want %q", code, c.code)
			}
		})
	}
}

// TestAllExisting checks that a relation naming any id not read in the
// transaction gets the full check with its query.
func TestAllExisting(t *testing.T) {
	w := &roomWriter{existing: []string{"room", "alice", "bob"}}
	if !w.allExisting([]string{"alice", "bob"}) || !w.allExisting(nil) {
		t.Fatal("ids read in the transaction must count as existing")
	}
	if w.allExisting([]string{"alice", "mallory"}) {
		t.Fatal("an id not read in the transaction must not count as existing")
	}
	if (&roomWriter{}).allExisting([]string{"room"}) {
		t.Fatal("a writer that loaded no member knows no ids")
	}
}
