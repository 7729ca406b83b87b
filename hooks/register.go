// Package hooks holds Hearth's behaviour on top of PocketBase: its routes,
// record hooks, realtime topics and cron jobs. Register binds all of it to an
// app; main.go and the test app factory both call it, so tests run exactly
// the wiring that production runs.
package hooks

import (
	"github.com/pocketbase/pocketbase/core"
)

// Hearth is the state shared by Hearth's hooks for one PocketBase app.
type Hearth struct {
	app    core.App
	config Config

	// signInEndListeners run after a sign-in session has ended (logout, idle
	// expiry, staff), for example to end presence in a therapy session and to
	// drop realtime connections.
	signInEndListeners []func(app core.App, signIn *core.Record, reason string)
}

// Register binds every Hearth route, record hook and cron job to app and
// returns the shared state.
func Register(app core.App, config Config) *Hearth {
	h := &Hearth{app: app, config: config}

	// Records: what staff enter in the admin UI.
	bindEnrolment(app, config)
	bindEnrolments(app)

	// Sign-in: codes by SMS, server-side sessions and their idle expiry.
	h.bindSignInSessions()
	h.bindSignIn()

	// Storage: write-ahead log checkpoints in the background.
	h.bindWALCheckpoints()

	// Home page, assessments and survey completion webhooks.
	h.bindHome()

	// The live therapy session: entering, actions, realtime, therapist controls.
	h.bindRoom()

	// Research data export for staff.
	h.bindExport()

	return h
}

// Config returns the configuration h was registered with.
func (h *Hearth) Config() Config {
	return h.config
}
