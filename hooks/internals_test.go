package hooks

import "github.com/pocketbase/pocketbase/core"

// CheckpointWAL runs one background checkpoint, for the tests in package
// hooks_test.
func CheckpointWAL(app core.App) {
	checkpointWAL(app)
}

// RequireInsideMember runs the membership check of a post for a request
// whose middleware read signIn, and returns its error.
func RequireInsideMember(app core.App, user, signIn *core.Record, roomID string) error {
	return requireMemberWith(loadInsideMember, app, user, signIn, roomID)
}

// RequireSubscribingMember runs the membership check of a realtime
// subscription for a request whose middleware read signIn, and returns its
// error.
func RequireSubscribingMember(app core.App, user, signIn *core.Record, roomID string) error {
	return requireMemberWith(loadSubscribingMember, app, user, signIn, roomID)
}

func requireMemberWith(load memberLoader, app core.App, user, signIn *core.Record, roomID string) error {
	e := &core.RequestEvent{App: app, Auth: user}
	e.Set(signInSessionKey, signIn)
	member, err := load(e, app, roomID)
	if err != nil {
		return err
	}
	return member.requireInside(e)
}

// SignInSessionID returns the sign-in session claim that the request
// middleware reads from token.
func SignInSessionID(token string) string {
	return signInSessionID(token)
}

// WALCheckpointer is the background checkpoint goroutine, for the tests in
// package hooks_test.
type WALCheckpointer struct{ checkpointer *walCheckpointer }

// NewWALCheckpointer returns a checkpoint goroutine that is not running.
func NewWALCheckpointer() WALCheckpointer { return WALCheckpointer{&walCheckpointer{}} }

// Start starts the goroutine unless it is already running.
func (c WALCheckpointer) Start(app core.App) { c.checkpointer.start(app) }

// Stop stops the goroutine.
func (c WALCheckpointer) Stop() { c.checkpointer.stop() }
