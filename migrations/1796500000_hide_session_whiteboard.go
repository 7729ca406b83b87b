package migrations

import (
	"errors"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The whiteboard is part of the live session, like its action log, so only
// the session's therapists and the participants inside it may follow it.
// Those read it through the room routes. A hidden field keeps it out of
// PocketBase's record API and its realtime record topics for members; staff
// still see it in the admin UI.
func init() {
	m.Register(func(app core.App) error {
		return setWhiteboardHidden(app, true)
	}, func(app core.App) error {
		return setWhiteboardHidden(app, false)
	})
}

func setWhiteboardHidden(app core.App, hidden bool) error {
	sessions, err := app.FindCollectionByNameOrId("therapy_sessions")
	if err != nil {
		return err
	}
	whiteboard := sessions.Fields.GetByName("whiteboard")
	if whiteboard == nil {
		return errors.New("therapy_sessions has no whiteboard field")
	}
	whiteboard.SetHidden(hidden)
	return app.Save(sessions)
}
