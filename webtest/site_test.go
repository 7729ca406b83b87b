package webtest

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hearth-research/hearth/hooks"
	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

// site is the Hearth app under test, served over real HTTP on 127.0.0.1 with
// the web client from ../pb_public.
type site struct {
	URL   string
	App   *tests.TestApp
	Study *hearthtest.Study
}

// startSite serves a fresh clone of the fixture study with config through
// the app's own router, as `hearth serve` would.
func startSite(t *testing.T, config hooks.Config) *site {
	t.Helper()
	public := filepath.Join("..", "pb_public")
	if _, err := os.Stat(filepath.Join(public, "lib", "pocketbase.es.mjs")); err != nil {
		t.Fatalf("the PocketBase JS SDK is missing from pb_public/lib: run make setup (%v)", err)
	}

	app, _ := hearthtest.NewAppWithConfig(t, config)
	hooks.BindWebClient(app, os.DirFS(public))

	router, err := apis.NewRouter(app)
	if err != nil {
		t.Fatalf("create router: %v", err)
	}
	var handler http.Handler
	serve := &core.ServeEvent{App: app, Router: router}
	err = app.OnServe().Trigger(serve, func(e *core.ServeEvent) error {
		mux, err := e.Router.BuildMux()
		handler = mux
		return err
	})
	if err != nil {
		t.Fatalf("bind routes: %v", err)
	}

	// httptest listens on 127.0.0.1 with a port the system picks.
	server := httptest.NewServer(handler)
	t.Cleanup(func() {
		// Realtime streams stay open until their clients go away.
		server.CloseClientConnections()
		server.Close()
	})
	return &site{URL: server.URL, App: app, Study: hearthtest.Fixture(t)}
}

// addAssessment adds an assessment to a therapy session as staff would.
func (s *site) addAssessment(t *testing.T, sessionID, name, kind, timing string, required bool) *core.Record {
	t.Helper()
	collection, err := s.App.FindCollectionByNameOrId("assessments")
	if err != nil {
		t.Fatal(err)
	}
	assessment := core.NewRecord(collection)
	assessment.Set("therapy_session", sessionID)
	assessment.Set("name", name)
	assessment.Set("kind", kind)
	assessment.Set("timing", timing)
	assessment.Set("required_to_enter", required)
	if kind == "survey" {
		assessment.Set("url", "http://127.0.0.1:1/survey?p={participant}&s={session}")
	}
	if err := s.App.Save(assessment); err != nil {
		t.Fatalf("add assessment %s: %v", name, err)
	}
	return assessment
}

// setStartsAt moves a therapy session's start, e.g. to a fixed time for a
// time zone check.
func (s *site) setStartsAt(t *testing.T, sessionID string, at time.Time) {
	t.Helper()
	session, err := s.App.FindRecordById("therapy_sessions", sessionID)
	if err != nil {
		t.Fatal(err)
	}
	session.Set("starts_at", at.UTC())
	if err := s.App.Save(session); err != nil {
		t.Fatal(err)
	}
}

// messages returns the stored message actions of a session in id order.
func (s *site) messages(t *testing.T, sessionID string) []*core.Record {
	t.Helper()
	records, err := s.App.FindRecordsByFilter("actions", "therapy_session = {:session} && type = 'message'", "seq", 0, 0,
		map[string]any{"session": sessionID})
	if err != nil {
		t.Fatalf("read messages: %v", err)
	}
	return records
}
