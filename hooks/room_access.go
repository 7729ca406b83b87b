package hooks

import (
	"slices"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
)

// Statuses of a therapy session.
const (
	statusScheduled = "scheduled"
	statusOpen      = "open"
	statusClosed    = "closed"
)

// roomMember is the caller of a room route together with the therapy session
// the route names. It is read fresh from the database on every request, so a
// change made by another request (removal, close) is seen at once.
type roomMember struct {
	user    *core.Record
	signIn  *core.Record
	session *core.Record
	// therapist is true for a therapist of this session; a user who is both
	// therapist and participant counts as a therapist.
	therapist bool
}

// errNotMember is the error for unknown sessions as well as for sessions the
// caller does not belong to, so that session ids cannot be probed.
func errNotMember(e *core.RequestEvent) *router.ApiError {
	return e.ForbiddenError("You are not a member of this therapy session.", nil)
}

// memberLoader loads the caller as a member of the therapy session
// sessionID: loadMember, loadInsideMember or loadSubscribingMember.
type memberLoader func(e *core.RequestEvent, app core.App, sessionID string) (*roomMember, error)

// loadMember reads the caller, their live sign-in session and the therapy
// session sessionID through app, which may be a transaction. It returns a
// 403 error when the caller is not a therapist or participant of that
// session.
func loadMember(e *core.RequestEvent, app core.App, sessionID string) (*roomMember, error) {
	signIn := SignInSessionFrom(e)
	if e.Auth == nil || signIn == nil {
		return nil, e.UnauthorizedError("Sign in to use therapy sessions.", nil)
	}

	session, err := app.FindRecordById("therapy_sessions", sessionID)
	if err != nil {
		return nil, errNotMember(e)
	}
	member, err := newRoomMember(e, nil, session)
	if err != nil {
		return nil, err
	}

	// The request middleware loaded the sign-in session before this request's
	// work began; read it again so that a concurrent leave or removal counts.
	member.signIn, err = app.FindRecordById("sign_in_sessions", signIn.Id)
	if err != nil {
		return nil, e.UnauthorizedError("Your sign-in has ended. Please sign in again.", err)
	}
	return member, nil
}

// loadInsideMember is loadMember for posts, which come from members inside
// the room. When the request middleware found the caller's sign-in session
// inside sessionID, one query reads the session and confirms that the
// sign-in session is still inside and live. Any other case gets
// loadMember's full check and its errors. The member's sign-in session
// record is the middleware's, so callers must not save it.
func loadInsideMember(e *core.RequestEvent, app core.App, sessionID string) (*roomMember, error) {
	signIn := signInFoundInside(e, sessionID)
	if signIn == nil {
		return loadMember(e, app, sessionID)
	}

	session := &core.Record{}
	err := app.RecordQuery("therapy_sessions").
		AndWhere(dbx.HashExp{"id": sessionID}).
		AndWhere(insideSignInExp(signIn.Id, sessionID)).
		Limit(1).
		One(session)
	if err != nil {
		return loadMember(e, app, sessionID)
	}
	return newRoomMember(e, signIn, session)
}

// loadSubscribingMember is loadInsideMember for realtime subscriptions,
// which read the member and never write. When the fast path applies, the
// member's session record holds only the fields that following the room
// live needs (status and the three member lists), so it must not be saved
// or shown. Thousands of clients subscribe at once after a restart, and
// the garbage of a full record load each raised resident memory per idle
// client by about 2 KiB (go run ./bench -scenario memory, 63.3 to 61.8
// KiB).
func loadSubscribingMember(e *core.RequestEvent, app core.App, sessionID string) (*roomMember, error) {
	signIn := signInFoundInside(e, sessionID)
	if signIn == nil {
		return loadMember(e, app, sessionID)
	}

	var row struct {
		Status       string `db:"status"`
		Therapists   string `db:"therapists"`
		Participants string `db:"participants"`
		Removed      string `db:"removed_participants"`
	}
	err := app.DB().Select("status", "therapists", "participants", "removed_participants").
		From("therapy_sessions").
		Where(dbx.HashExp{"id": sessionID}).
		AndWhere(insideSignInExp(signIn.Id, sessionID)).
		Limit(1).
		One(&row)
	if err != nil {
		return loadMember(e, app, sessionID)
	}
	collection, err := app.FindCachedCollectionByNameOrId("therapy_sessions")
	if err != nil {
		return nil, err
	}
	session := core.NewRecord(collection)
	session.Id = sessionID
	session.Set("status", row.Status)
	session.Set("therapists", row.Therapists)
	session.Set("participants", row.Participants)
	session.Set("removed_participants", row.Removed)
	return newRoomMember(e, signIn, session)
}

// signInFoundInside returns the caller's sign-in session, as the request
// middleware read it, if it was inside sessionID then. Otherwise it returns
// nil.
func signInFoundInside(e *core.RequestEvent, sessionID string) *core.Record {
	signIn := SignInSessionFrom(e)
	if e.Auth == nil || signIn == nil || signIn.GetString("therapy_session") != sessionID {
		return nil
	}
	return signIn
}

// insideSignInExp matches when the sign-in session signInID is live and
// inside the therapy session sessionID.
func insideSignInExp(signInID, sessionID string) dbx.Expression {
	return dbx.Exists(dbx.NewExp(
		"SELECT 1 FROM [[sign_in_sessions]] WHERE [[id]] = {:signIn} AND [[therapy_session]] = {:session} AND [[ended_at]] = ''",
		dbx.Params{"signIn": signInID, "session": sessionID}))
}

// newRoomMember returns the caller as a member of session, or a 403 error
// when the caller is neither its therapist nor its participant.
func newRoomMember(e *core.RequestEvent, signIn, session *core.Record) (*roomMember, error) {
	member := &roomMember{
		user:      e.Auth,
		signIn:    signIn,
		session:   session,
		therapist: slices.Contains(session.GetStringSlice("therapists"), e.Auth.Id),
	}
	if !member.therapist && !slices.Contains(session.GetStringSlice("participants"), e.Auth.Id) {
		return nil, errNotMember(e)
	}
	return member, nil
}

// inside reports whether the caller's sign-in session is inside the session.
func (m *roomMember) inside() bool {
	return m.signIn.GetString("therapy_session") == m.session.Id
}

// removed reports whether a therapist removed the caller from the session.
func (m *roomMember) removed() bool {
	return !m.therapist && slices.Contains(m.session.GetStringSlice("removed_participants"), m.user.Id)
}

// followsLive reports whether the caller may follow the live session (its
// whiteboard, who is present, the last action id): its therapists, and the
// participants inside it whom it still admits.
func (m *roomMember) followsLive() bool {
	if m.therapist {
		return true
	}
	return m.inside() && !m.removed() && m.session.GetString("status") == statusOpen
}

func (m *roomMember) viewer() viewer {
	return viewer{userID: m.user.Id, therapist: m.therapist}
}

// requireInside returns a 409 error unless the caller is inside the session and the
// session's status still lets them take part.
func (m *roomMember) requireInside(e *core.RequestEvent) error {
	if m.removed() {
		return e.ForbiddenError("A therapist removed you from this session.", nil)
	}
	if !m.inside() {
		return e.Error(409, "Enter the therapy session first.", nil)
	}
	return m.requireStatusAllowsPresence(e)
}

// requireStatusAllowsPresence returns a 409 error when the session's status does not
// let the caller be inside: participants need it open, therapists not closed.
func (m *roomMember) requireStatusAllowsPresence(e *core.RequestEvent) error {
	status := m.session.GetString("status")
	switch {
	case status == statusClosed:
		return statusConflict(e, "The therapy session is closed.", status)
	case !m.therapist && status != statusOpen:
		return statusConflict(e, "The therapy session is not open yet.", status)
	}
	return nil
}

// requireTherapist returns a 403 error unless the caller is a therapist of the session.
func (m *roomMember) requireTherapist(e *core.RequestEvent) error {
	if !m.therapist {
		return e.ForbiddenError("Only the session's therapists can do this.", nil)
	}
	return nil
}

func statusConflict(e *core.RequestEvent, message, status string) error {
	return e.Error(409, message, map[string]any{"status": plainErrorData{value: status}})
}

// plainErrorData carries a plain value in an API error's data. PocketBase
// passes only validation errors through to the answer and replaces anything
// else; a value that resolves itself is kept as it is.
type plainErrorData struct {
	value any
}

func (d plainErrorData) Code() string  { return "" }
func (d plainErrorData) Error() string { return "" }

// Resolve implements router.SafeErrorResolver.
func (d plainErrorData) Resolve(map[string]any) any { return d.value }
