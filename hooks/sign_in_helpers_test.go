package hooks_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hearth-research/hearth/hooks"
	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

// twilioNumber is the sending number the tests configure.
const twilioNumber = "+12015550199"

// fakeTwilioConfig returns the test configuration with SMS going through
// twilio-go to fake.
func fakeTwilioConfig(fake *hearthtest.FakeTwilio) hooks.Config {
	config := hooks.TestConfig()
	config.SMSSender = nil
	config.TwilioAccountSID = fake.AccountSID
	config.TwilioAuthToken = fake.AuthToken
	config.TwilioFrom = twilioNumber
	config.TwilioAPIURL = fake.URL
	config.TwilioTimeout = 500 * time.Millisecond
	return config
}

// testServer serves one test app through its router, the way ApiScenario
// does, but for several requests in a row or in parallel.
type testServer struct {
	t      testing.TB
	app    *tests.TestApp
	hearth *hooks.Hearth
	mux    http.Handler
}

func newTestServer(t testing.TB, config hooks.Config) *testServer {
	t.Helper()
	app, hearth := hearthtest.NewAppWithConfig(t, config)
	return serveApp(t, app, hearth)
}

// serveApp triggers the app's OnServe, which binds the routes and starts
// the cron jobs, and keeps the resulting handler.
func serveApp(t testing.TB, app *tests.TestApp, hearth *hooks.Hearth) *testServer {
	t.Helper()
	router, err := apis.NewRouter(app)
	if err != nil {
		t.Fatal(err)
	}
	server := &testServer{t: t, app: app, hearth: hearth}
	event := &core.ServeEvent{App: app, Router: router}
	err = app.OnServe().Trigger(event, func(e *core.ServeEvent) error {
		mux, err := e.Router.BuildMux()
		server.mux = mux
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return server
}

// do sends one request from the client address 127.0.0.1.
func (s *testServer) do(method, url, body string, headers map[string]string) *http.Response {
	return s.doFrom("127.0.0.1:40000", method, url, body, headers)
}

// doFrom sends one request as if from remoteAddr ("host:port").
func (s *testServer) doFrom(remoteAddr, method, url, body string, headers map[string]string) *http.Response {
	request := httptest.NewRequest(method, url, strings.NewReader(body))
	request.RemoteAddr = remoteAddr
	request.Header.Set("Content-Type", "application/json")
	for name, value := range headers {
		request.Header.Set(name, value)
	}
	recorder := httptest.NewRecorder()
	s.mux.ServeHTTP(recorder, request)
	return recorder.Result()
}

// requestCode posts to /api/otp/request and returns the response.
func (s *testServer) requestCode(phone, lastName string) *http.Response {
	body, _ := json.Marshal(map[string]string{"phone": phone, "last_name": lastName})
	return s.do(http.MethodPost, "/api/otp/request", string(body), nil)
}

// signInWithCode posts to auth-with-otp and returns the response.
func (s *testServer) signInWithCode(otpID, code string) *http.Response {
	body, _ := json.Marshal(map[string]string{"otpId": otpID, "password": code})
	return s.do(http.MethodPost, "/api/collections/users/auth-with-otp", string(body), nil)
}

// decode reads a JSON response body into a map.
func decode(t testing.TB, response *http.Response) map[string]any {
	t.Helper()
	data, err := io.ReadAll(response.Body)
	if err != nil {
		t.Fatal(err)
	}
	result := map[string]any{}
	if len(data) > 0 {
		if err := json.Unmarshal(data, &result); err != nil {
			t.Fatalf("decode %q: %v", data, err)
		}
	}
	return result
}

// otpIDOf returns the otpId of a successful code request.
func otpIDOf(t testing.TB, response *http.Response) string {
	t.Helper()
	if response.StatusCode != http.StatusOK {
		t.Fatalf("code request: got status %d, want 200", response.StatusCode)
	}
	otpID, _ := decode(t, response)["otpId"].(string)
	if otpID == "" {
		t.Fatal("code request: no otpId in the response")
	}
	return otpID
}

// backdate moves the created time of every row of table matching where
// back by age, as if those rows had been written earlier.
func backdate(t testing.TB, app core.App, table string, where dbx.Expression, age time.Duration) {
	t.Helper()
	var rows []struct {
		ID      string `db:"id"`
		Created string `db:"created"`
	}
	if err := app.DB().Select("id", "created").From(table).Where(where).All(&rows); err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		created, err := time.Parse("2006-01-02 15:04:05.000Z", row.Created)
		if err != nil {
			t.Fatal(err)
		}
		earlier := created.Add(-age).UTC().Format("2006-01-02 15:04:05.000Z")
		if _, err := app.DB().Update(table, dbx.Params{"created": earlier}, dbx.HashExp{"id": row.ID}).Execute(); err != nil {
			t.Fatal(err)
		}
	}
}

// countRows returns the number of rows of table matching where.
func countRows(t testing.TB, app core.App, table string, where dbx.Expression) int {
	t.Helper()
	var count int
	if err := app.DB().Select("count(*)").From(table).Where(where).Row(&count); err != nil {
		t.Fatal(err)
	}
	return count
}

// waitFor polls condition until it holds. It fails the test only after a
// long grace period, so a slow machine slows the test down rather than
// failing it.
func waitFor(t testing.TB, what string, condition func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !condition() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
