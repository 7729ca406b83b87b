package hooks_test

import (
	"os"
	"testing"

	"github.com/hearth-research/hearth/hooks"
)

func TestCollectionsJSONMatchesMigrations(t *testing.T) {
	built, err := hooks.ExportSchema()
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("../collections.json")
	if err != nil {
		t.Fatal(err)
	}
	if string(built) != string(committed) {
		t.Fatal("collections.json differs from what the migrations build; run `make schema` and commit the result")
	}
}
