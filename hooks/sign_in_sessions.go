package hooks

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/security"
	"github.com/pocketbase/pocketbase/tools/types"
)

const (
	// signInSessionClaim is the auth token claim that names the server-side
	// sign-in session the token belongs to.
	signInSessionClaim = "sid"
	// signInSessionKey is the request store key of the caller's live sign-in
	// session record.
	signInSessionKey = "hearthSignInSession"
)

// Reasons a sign-in session ends, stored in sign_in_sessions.end_reason.
const (
	EndLogout = "logout"
	EndIdle   = "idle"
	EndStaff  = "staff"
)

// bindSignInSessions ties every users auth token to a server-side session:
// tokens are issued with the session's id, and every request that carries one
// is refused with 401 unless that session is live.
func (h *Hearth) bindSignInSessions() {
	h.app.OnRecordAuthRequest("users").BindFunc(func(e *core.RecordAuthRequestEvent) error {
		// A token refresh keeps the caller's live session; any other sign-in
		// starts a new one.
		signIn, _ := e.Get(signInSessionKey).(*core.Record)
		if signIn == nil || signIn.GetString("user") != e.Record.Id {
			var err error
			signIn, err = startSignInSession(e.App, e.Record)
			if err != nil {
				return e.InternalServerError("Failed to start the sign-in session.", err)
			}
		}

		token, err := newSessionToken(e.Record, signIn.Id)
		if err != nil {
			return e.InternalServerError("Failed to create the auth token.", err)
		}
		e.Token = token
		return e.Next()
	})

	h.app.OnServe().Bind(&hook.Handler[*core.ServeEvent]{
		Func: func(se *core.ServeEvent) error {
			se.Router.Bind(&hook.Handler[*core.RequestEvent]{
				Id:       "hearthRequireLiveSignIn",
				Priority: apis.DefaultLoadAuthTokenMiddlewarePriority + 1,
				Func:     h.requireLiveSignInSession,
			})
			return se.Next()
		},
	})
}

// requireLiveSignInSession refuses a request whose users token belongs to an
// ended or idle sign-in session, and refreshes the session's last activity.
func (h *Hearth) requireLiveSignInSession(e *core.RequestEvent) error {
	if e.Auth == nil || e.Auth.Collection().Name != "users" {
		return e.Next()
	}

	signIn, err := h.liveSignInSession(e)
	if err != nil {
		// Drop the auth so that later middlewares treat the request as a guest
		// if anything recovers the error.
		e.Auth = nil
		// A client still holding the token of an ended session must be able
		// to sign in again, because the official SDK sends the stored token
		// along with every request.
		if isSignInRequest(e.App, e.Request) {
			return e.Next()
		}
		return err
	}
	e.Set(signInSessionKey, signIn)

	if countsAsActivity(e.Request) {
		h.touchSignInSession(e.App, signIn)
	}
	return e.Next()
}

func (h *Hearth) liveSignInSession(e *core.RequestEvent) (*core.Record, error) {
	ended := e.UnauthorizedError("Your sign-in has ended. Please sign in again.", nil)

	sessionID := signInSessionID(bearerToken(e.Request))
	if sessionID == "" {
		return nil, ended
	}

	signIn, err := e.App.FindRecordById("sign_in_sessions", sessionID)
	if err != nil || signIn.GetString("user") != e.Auth.Id {
		return nil, ended
	}
	if !signIn.GetDateTime("ended_at").IsZero() {
		return nil, ended
	}
	if h.isIdle(signIn, time.Now()) {
		if err := h.EndSignInSession(e.App, signIn, EndIdle); err != nil {
			e.App.Logger().Error("Failed to end an idle sign-in session", "error", err, "signInSessionId", signIn.Id)
		}
		return nil, ended
	}
	return signIn, nil
}

// signInSessionID returns the sign-in session claim of a token, or "". It
// decodes only the token's payload, because PocketBase has already checked
// the token's signature and expiry before e.Auth is set.
func signInSessionID(token string) string {
	_, rest, ok := strings.Cut(token, ".")
	payload, _, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 {
		return ""
	}
	decoded, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return ""
	}
	var claims struct {
		SignInSession string `json:"sid"`
	}
	if json.Unmarshal(decoded, &claims) != nil {
		return ""
	}
	return claims.SignInSession
}

// isSignInRequest reports whether r is one of the two sign-in steps,
// which need no authentication.
func isSignInRequest(app core.App, r *http.Request) bool {
	if r.Method != http.MethodPost {
		return false
	}
	return strings.TrimSuffix(r.URL.Path, "/") == "/api/otp/request" || isUsersAuthWithOTPPath(app, r.URL.Path)
}

func (h *Hearth) isIdle(signIn *core.Record, now time.Time) bool {
	return now.Sub(signIn.GetDateTime("last_activity_at").Time()) > h.config.IdleTimeout
}

// countsAsActivity reports whether a request shows that a person is there.
// Reading the action log and holding the realtime stream do not, because a
// forgotten open tab does both on its own.
func countsAsActivity(r *http.Request) bool {
	if strings.HasPrefix(r.URL.Path, "/api/realtime") {
		return false
	}
	if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/api/therapy-sessions/") &&
		strings.HasSuffix(r.URL.Path, "/actions") {
		return false
	}
	return true
}

// touchSignInSession moves last_activity_at to now. The write is a plain SQL
// update that skips record hooks and realtime on purpose: it runs on most
// requests, nobody subscribes to this collection, and it is skipped when the
// stored time is recent enough not to matter for idle expiry.
func (h *Hearth) touchSignInSession(app core.App, signIn *core.Record) {
	now := time.Now()
	granularity := min(10*time.Second, h.config.IdleTimeout/20)
	if now.Sub(signIn.GetDateTime("last_activity_at").Time()) < granularity {
		return
	}
	stamp, _ := types.ParseDateTime(now)
	_, err := app.NonconcurrentDB().Update("sign_in_sessions",
		dbx.Params{"last_activity_at": stamp.String()},
		dbx.HashExp{"id": signIn.Id, "ended_at": ""},
	).Execute()
	if err != nil {
		app.Logger().Error("Failed to refresh sign-in session activity", "error", err, "signInSessionId", signIn.Id)
		return
	}
	signIn.Set("last_activity_at", stamp)
}

// startSignInSession creates the server-side session for a new sign-in.
func startSignInSession(app core.App, user *core.Record) (*core.Record, error) {
	collection, err := app.FindCachedCollectionByNameOrId("sign_in_sessions")
	if err != nil {
		return nil, err
	}
	now := types.NowDateTime()
	signIn := core.NewRecord(collection)
	signIn.Set("user", user.Id)
	signIn.Set("authenticated_at", now)
	signIn.Set("last_activity_at", now)
	return signIn, app.Save(signIn)
}

// newSessionToken returns a PocketBase auth token for user that also names
// the sign-in session. PocketBase verifies its signature and expiry as usual;
// the extra claim is checked by requireLiveSignInSession.
func newSessionToken(user *core.Record, signInSessionID string) (string, error) {
	collection := user.Collection()
	claims := map[string]any{
		core.TokenClaimType:         core.TokenTypeAuth,
		core.TokenClaimId:           user.Id,
		core.TokenClaimCollectionId: collection.Id,
		core.TokenClaimRefreshable:  true,
		signInSessionClaim:          signInSessionID,
	}
	return security.NewJWT(claims, user.TokenKey()+collection.AuthToken.Secret, collection.AuthToken.DurationTime())
}

// EndSignInSession ends a live sign-in session for reason and runs the end
// listeners (presence, realtime). Ending an ended session does nothing.
func (h *Hearth) EndSignInSession(app core.App, signIn *core.Record, reason string) error {
	if !signIn.GetDateTime("ended_at").IsZero() {
		return nil
	}
	signIn.Set("ended_at", types.NowDateTime())
	signIn.Set("end_reason", reason)
	if err := app.Save(signIn); err != nil {
		return err
	}
	for _, listener := range h.signInEndListeners {
		listener(app, signIn, reason)
	}
	return nil
}

// OnSignInSessionEnd adds a function that runs after any sign-in session ends.
func (h *Hearth) OnSignInSessionEnd(listener func(app core.App, signIn *core.Record, reason string)) {
	h.signInEndListeners = append(h.signInEndListeners, listener)
}

// SignInSessionFrom returns the caller's live sign-in session, or nil for
// guests and superusers.
func SignInSessionFrom(e *core.RequestEvent) *core.Record {
	signIn, _ := e.Get(signInSessionKey).(*core.Record)
	return signIn
}

func bearerToken(r *http.Request) string {
	token := r.Header.Get("Authorization")
	if len(token) > 7 && strings.EqualFold(token[:7], "Bearer ") {
		return token[7:]
	}
	return token
}

// StartSignInSession creates a live sign-in session for user and returns it
// with an auth token tied to it, as a successful code sign-in does. Tests and
// tools use it to sign people in without an SMS round trip.
func StartSignInSession(app core.App, user *core.Record) (*core.Record, string, error) {
	signIn, err := startSignInSession(app, user)
	if err != nil {
		return nil, "", err
	}
	token, err := newSessionToken(user, signIn.Id)
	return signIn, token, err
}
