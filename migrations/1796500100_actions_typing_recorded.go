package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The actions.typing_recorded field is true for a message whose post carried
// time_to_complete or character_history. Without it, a message sent with no
// keystroke data (by a script, or a client that does not record typing)
// stores 0 and "", which the research export could not tell from a measured
// 0 seconds. The export writes null typing columns when it is false.
//
// Messages saved before this field existed get true when they have a
// history or a time other than 0. Those with neither stay false, because
// their posts may or may not have carried a 0 and an empty history.
func init() {
	m.Register(func(app core.App) error {
		actions, err := app.FindCollectionByNameOrId("actions")
		if err != nil {
			return err
		}
		actions.Fields.Add(&core.BoolField{Name: "typing_recorded", Hidden: true})
		if err := app.Save(actions); err != nil {
			return err
		}
		_, err = app.DB().NewQuery("UPDATE {{actions}} SET [[typing_recorded]] = TRUE " +
			"WHERE [[type]] = 'message' AND (COALESCE([[character_history]], '') != '' OR COALESCE([[time_to_complete]], 0) != 0)").
			Execute()
		return err
	}, func(app core.App) error {
		actions, err := app.FindCollectionByNameOrId("actions")
		if err != nil {
			return err
		}
		actions.Fields.RemoveByName("typing_recorded")
		return app.Save(actions)
	})
}
