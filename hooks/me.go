package hooks

import (
	"net/http"

	"github.com/pocketbase/pocketbase/core"
)

// meResponse is the body of GET /api/me. It leaves out the phone and last
// name on purpose: the web client has no use for them.
type meResponse struct {
	ID            string            `json:"id"`
	Alias         string            `json:"alias"`
	Role          string            `json:"role"`
	SignInSession signInSessionView `json:"sign_in_session"`
}

// signInSessionView is the caller's own sign-in session. TherapySession is
// the id of the therapy session the caller is inside, or "".
type signInSessionView struct {
	ID              string `json:"id"`
	AuthenticatedAt string `json:"authenticated_at"`
	LastActivityAt  string `json:"last_activity_at"`
	TherapySession  string `json:"therapy_session"`
}

// me handles GET /api/me: the signed-in person and their sign-in session.
func (h *Hearth) me(e *core.RequestEvent) error {
	signIn, err := requireSignInSession(e)
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, meResponse{
		ID:    e.Auth.Id,
		Alias: e.Auth.GetString("alias"),
		Role:  e.Auth.GetString("role"),
		SignInSession: signInSessionView{
			ID:              signIn.Id,
			AuthenticatedAt: signIn.GetDateTime("authenticated_at").String(),
			LastActivityAt:  signIn.GetDateTime("last_activity_at").String(),
			TherapySession:  signIn.GetString("therapy_session"),
		},
	})
}

// requireSignInSession returns the caller's live sign-in session, or the
// error to return when the caller is not a signed-in person.
func requireSignInSession(e *core.RequestEvent) (*core.Record, error) {
	if e.Auth == nil {
		return nil, e.UnauthorizedError("Sign in to continue.", nil)
	}
	signIn := SignInSessionFrom(e)
	if signIn == nil {
		return nil, e.ForbiddenError("Only people signed in with a code can use this route.", nil)
	}
	return signIn, nil
}
