package hooks_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/hearth-research/hearth/internal/hearthtest"
)

// TestSignInEndDiscardsEveryRealtimeClient subscribes Alice to PocketBase's
// own record topics, which her collection rules allow while she is signed
// in, and not to any therapy session topic. Ending her sign-in must still
// close those connections, since PocketBase would otherwise keep sending
// record changes (the whiteboard, for one) to a client whose sign-in is
// gone.
func TestSignInEndDiscardsEveryRealtimeClient(t *testing.T) {
	for _, ending := range []string{"logout", "idle expiry"} {
		withMatrixState(t, "realtime after "+ending, func(t testing.TB, state *matrixState, study *hearthtest.Study) {
			clientID := newRealtimeClient(state.app)
			body := `{"clientId":"` + clientID + `","subscriptions":["therapy_sessions/` + study.GroupA + `","users/` + study.Alice.ID + `"]}`
			if status, answer := state.call(http.MethodPost, "/api/realtime", study.Alice.Token, body); status != http.StatusNoContent {
				t.Fatalf("subscribe: status %d: %s", status, answer)
			}

			if ending == "logout" {
				state.mustCall(t, http.MethodPost, "/api/logout", study.Alice.Token, "")
			} else {
				// The next request with an idle token ends the sign-in.
				makeIdle(t, state.app, study.Alice.SignInSessionID, time.Hour)
				if status, _ := state.call(http.MethodGet, "/api/me", study.Alice.Token, ""); status != http.StatusUnauthorized {
					t.Fatalf("request with an idle token: status %d, want 401", status)
				}
			}

			client, err := state.app.SubscriptionsBroker().ClientById(clientID)
			if err == nil && !client.IsDiscarded() {
				t.Errorf("after %s, the realtime client subscribed to %v is still open", ending, client.Subscriptions())
			}
		})
	}
}
