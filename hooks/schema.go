package hooks

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/pocketbase/pocketbase/core"
)

// ExportSchema builds the schema from the migrations in a temporary data
// folder and returns its collections as PocketBase import JSON, the content of
// collections.json. PocketBase's own internal collections are left out, and so
// are the per-installation token secrets and timestamps, so that the output
// depends only on the migrations.
func ExportSchema() ([]byte, error) {
	dataDir, err := os.MkdirTemp("", "hearth-schema-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dataDir)

	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dataDir})
	if err := app.Bootstrap(); err != nil {
		return nil, fmt.Errorf("bootstrap: %w", err)
	}
	defer app.ResetBootstrapState()
	if err := app.RunAllMigrations(); err != nil {
		return nil, fmt.Errorf("run migrations: %w", err)
	}

	collections, err := app.FindAllCollections()
	if err != nil {
		return nil, err
	}

	var exported []map[string]any
	for _, collection := range collections {
		if collection.System && collection.Name != "users" || strings.HasPrefix(collection.Name, "_") {
			continue
		}
		raw, err := json.Marshal(collection)
		if err != nil {
			return nil, err
		}
		var fields map[string]any
		if err := json.Unmarshal(raw, &fields); err != nil {
			return nil, err
		}
		delete(fields, "created")
		delete(fields, "updated")
		for key, value := range fields {
			if options, ok := value.(map[string]any); ok {
				delete(options, "secret")
				fields[key] = options
			}
		}
		exported = append(exported, fields)
	}

	data, err := json.MarshalIndent(exported, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}
