package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Aliases are the only names people see of each other in a session, so two
// people must never share one: otherwise a participant could be enrolled as
// "Dr. Rivera" beside the real therapist. Case is ignored (the index uses
// SQLite's ASCII-only NOCASE, which is enough for telling aliases apart).
func init() {
	m.Register(func(app core.App) error {
		users, err := app.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}
		users.AddIndex("idx_users_alias", true, "`alias` COLLATE NOCASE", "")
		return app.Save(users)
	}, func(app core.App) error {
		users, err := app.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}
		users.RemoveIndex("idx_users_alias")
		return app.Save(users)
	})
}
