package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The export_log collection records every research data export: who ran it,
// through which route or command, for which sessions, in which format. Its
// API rules stay nil, so only superusers can read it, in the admin UI.
func init() {
	m.Register(func(app core.App) error {
		log := core.NewBaseCollection("export_log")
		log.Fields.Add(
			&core.SelectField{Name: "source", Required: true, MaxSelect: 1, Values: []string{"api", "command"}},
			// The superuser who requested an export through the API.
			&core.TextField{Name: "superuser_id", Max: 15},
			&core.TextField{Name: "superuser_email", Max: 255},
			// The operating system account that ran `hearth export`.
			&core.TextField{Name: "command_user", Max: 255},
			&core.SelectField{Name: "scope", Required: true, MaxSelect: 1, Values: []string{"session", "study"}},
			// The therapy_sessions ids requested, as a JSON array; empty for a
			// whole study. A JSON field rather than a relation, so that deleting
			// a session later does not rewrite the log.
			&core.JSONField{Name: "therapy_sessions", MaxSize: 1 << 20},
			&core.SelectField{Name: "format", Required: true, MaxSelect: 1, Values: []string{"csv", "jsonl", "zip"}},
			// The exported table; empty when the export contains every table.
			&core.SelectField{Name: "table", MaxSelect: 1, Values: []string{"sessions", "members", "actions", "attendance", "responses"}},
			&core.AutodateField{Name: "created", OnCreate: true},
		)
		log.AddIndex("idx_export_log_created", false, "`created`", "")
		return app.Save(log)
	}, func(app core.App) error {
		log, err := app.FindCollectionByNameOrId("export_log")
		if err != nil {
			return nil
		}
		return app.Delete(log)
	})
}
