package hooks

import (
	"net/http"

	"github.com/pocketbase/pocketbase/core"
)

// logout handles POST /api/logout: it ends the caller's sign-in session,
// which ends their presence in a therapy session and their realtime
// delivery through the end listeners, and makes their token worthless.
func (h *Hearth) logout(e *core.RequestEvent) error {
	signIn, err := requireSignInSession(e)
	if err != nil {
		return err
	}
	if err := h.EndSignInSession(e.App, signIn, EndLogout); err != nil {
		return e.InternalServerError("Failed to end the sign-in session.", err)
	}
	return e.NoContent(http.StatusNoContent)
}
