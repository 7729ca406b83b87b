package hooks_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hearth-research/hearth/hooks"
	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

// roomTestApp is a test app with its router built once, for tests that make
// several requests in a row against the same data.
type roomTestApp struct {
	t      testing.TB
	app    *tests.TestApp
	hearth *hooks.Hearth
	study  *hearthtest.Study
	mux    http.Handler
}

func newRoomTestApp(t testing.TB) *roomTestApp {
	t.Helper()
	app, hearth := hearthtest.NewAppWithConfig(t, hooks.TestConfig())
	router, err := apis.NewRouter(app)
	if err != nil {
		t.Fatal(err)
	}
	serveEvent := &core.ServeEvent{App: app, Router: router}
	var mux http.Handler
	err = app.OnServe().Trigger(serveEvent, func(e *core.ServeEvent) error {
		built, err := e.Router.BuildMux()
		mux = built
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return &roomTestApp{t: t, app: app, hearth: hearth, study: hearthtest.Fixture(t), mux: mux}
}

// call makes a request with a users token ("" for a guest) and returns the
// status and the body.
func (r *roomTestApp) call(method, url, token, body string) (int, string) {
	r.t.Helper()
	request := httptest.NewRequest(method, url, strings.NewReader(body))
	request.Header.Set("Content-Type", "application/json")
	if token != "" {
		request.Header.Set("Authorization", token)
	}
	recorder := httptest.NewRecorder()
	r.mux.ServeHTTP(recorder, request)
	return recorder.Code, recorder.Body.String()
}

// mustCall is call that fails the test unless the status is want.
func (r *roomTestApp) mustCall(want int, method, url, token, body string) string {
	r.t.Helper()
	status, answer := r.call(method, url, token, body)
	if status != want {
		r.t.Fatalf("%s %s: status %d, want %d; body %s", method, url, status, want, answer)
	}
	return answer
}

func (r *roomTestApp) enter(roomID, token string) {
	r.t.Helper()
	r.mustCall(http.StatusOK, http.MethodPost, "/api/therapy-sessions/"+roomID+"/enter", token, "")
}

// post sends a batch of items and returns the saved actions.
func (r *roomTestApp) post(roomID, token string, items ...map[string]any) []testAction {
	r.t.Helper()
	body, _ := json.Marshal(items)
	answer := r.mustCall(http.StatusOK, http.MethodPost, "/api/therapy-sessions/"+roomID+"/actions", token, string(body))
	return decodeActions(r.t, answer).Actions
}

// list returns every action the caller may see.
func (r *roomTestApp) list(roomID, token string) testActionsAnswer {
	r.t.Helper()
	answer := r.mustCall(http.StatusOK, http.MethodGet, "/api/therapy-sessions/"+roomID+"/actions", token, "")
	return decodeActions(r.t, answer)
}

// testAction is an action as a client decodes it; Raw keeps every field.
type testAction struct {
	ID         int      `json:"id"`
	Type       string   `json:"type"`
	User       string   `json:"user"`
	Alias      string   `json:"alias"`
	Body       string   `json:"body"`
	Recipients []string `json:"recipients"`
	Target     int      `json:"target"`
	Deleted    bool     `json:"deleted"`
	ClientID   string   `json:"client_id"`
	Sender     string   `json:"sender"`
	Reason     string   `json:"reason"`
}

type testActionsAnswer struct {
	Result  string       `json:"result"`
	MaxID   int          `json:"max_id"`
	Actions []testAction `json:"actions"`
}

func decodeActions(t testing.TB, body string) testActionsAnswer {
	t.Helper()
	var answer testActionsAnswer
	if err := json.NewDecoder(bytes.NewBufferString(body)).Decode(&answer); err != nil {
		t.Fatalf("decode actions answer %q: %v", body, err)
	}
	return answer
}

func message(clientID, body string, recipients ...string) map[string]any {
	if recipients == nil {
		recipients = []string{}
	}
	return map[string]any{"client_id": clientID, "type": "post", "body": body, "recipients": recipients,
		"client_ts": "2025-01-02T10:00:00Z", "time_to_complete": 3.5, "character_history": strings.ReplaceAll(body, "<", "<<")}
}

func item(clientID, itemType string, fields map[string]any) map[string]any {
	result := map[string]any{"client_id": clientID, "type": itemType}
	for key, value := range fields {
		result[key] = value
	}
	return result
}
