package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// enrolments is where staff enrol people in the admin UI. PocketBase's form
// for a new auth record always asks for a password, which Hearth never uses,
// so staff create an enrolment instead and a hook creates the users record
// from it. Later changes are made on the users record itself, whose edit
// form asks for no password.
func init() {
	m.Register(func(app core.App) error {
		users, err := app.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}
		enrolments := core.NewBaseCollection("enrolments")
		enrolments.Fields.Add(
			&core.TextField{Name: "phone", Required: true, Max: 40},
			&core.TextField{Name: "last_name", Required: true, Max: 100},
			&core.TextField{Name: "alias", Required: true, Max: 40},
			&core.SelectField{Name: "role", Required: true, MaxSelect: 1, Values: []string{"participant", "therapist"}},
			&core.TextField{Name: "external_id", Max: 100},
			// The users record the enrolment created.
			&core.RelationField{Name: "user", CollectionId: users.Id, MaxSelect: 1},
			&core.AutodateField{Name: "created", OnCreate: true},
		)
		return app.Save(enrolments)
	}, func(app core.App) error {
		enrolments, err := app.FindCollectionByNameOrId("enrolments")
		if err != nil {
			return nil
		}
		return app.Delete(enrolments)
	})
}
