package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The actions.visible_to field stores, when an action is written, who may see
// it besides the session's therapists: empty for everyone, otherwise the
// author and recipients of the private message the action is or targets.
// Reads then filter each action on its own row, without following targets.
func init() {
	m.Register(func(app core.App) error {
		actions, err := app.FindCollectionByNameOrId("actions")
		if err != nil {
			return err
		}
		users, err := app.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}
		actions.Fields.Add(&core.RelationField{
			Name:         "visible_to",
			CollectionId: users.Id,
			MaxSelect:    101,
			Hidden:       true,
		})
		return app.Save(actions)
	}, func(app core.App) error {
		actions, err := app.FindCollectionByNameOrId("actions")
		if err != nil {
			return err
		}
		actions.Fields.RemoveByName("visible_to")
		return app.Save(actions)
	})
}
