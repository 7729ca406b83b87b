package hooks_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

// insertCorruptAction stores an action whose client_ts is not a date, which
// the export cannot convert, so the export fails when it reaches that row.
func insertCorruptAction(t testing.TB, app core.App, sessionID string, seq int) {
	t.Helper()
	_, err := app.DB().Insert("actions", dbx.Params{
		"id": "corrupt" + sessionID[:8], "therapy_session": sessionID, "seq": seq,
		"type": "message", "recipients": "[]", "client_ts": "not a date",
	}).Execute()
	if err != nil {
		t.Fatal(err)
	}
}

func TestExportFailureBeforeFirstByte(t *testing.T) {
	study := hearthtest.Fixture(t)
	scenario := tests.ApiScenario{
		Name:            "unreadable row",
		Method:          http.MethodGet,
		URL:             "/api/export/therapy-sessions/" + study.GroupA + "?format=csv&table=actions",
		Headers:         study.StaffHeader(),
		ExpectedStatus:  http.StatusInternalServerError,
		ExpectedContent: []string{`"status":500`},
		TestAppFactory:  hearthtest.NewApp,
		BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
			insertCorruptAction(t, app, study.GroupA, 1)
		},
		AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
			if got := res.Header.Get("Content-Disposition"); got != "" {
				t.Errorf("Content-Disposition: got %q on an error response", got)
			}
			if count, _ := app.CountRecords("export_log"); count != 1 {
				t.Errorf("got %d export_log entries, want 1: a failed export is still logged", count)
			}
		},
	}
	scenario.Test(t)
}

// After the first bytes are sent the status can no longer change, so the
// server must abort the connection and the client must see a broken body.
func TestExportFailureAfterFirstByteAbortsDownload(t *testing.T) {
	study := hearthtest.Fixture(t)
	app := hearthtest.NewApp(t)
	// About 400 bytes of CSV per row: well past the 64 KiB response buffer.
	insertBenchActions(t, app, study.GroupA, 2_000, []string{study.Alice.ID})
	insertCorruptAction(t, app, study.GroupA, 2_001)

	router, err := apis.NewRouter(app)
	if err != nil {
		t.Fatal(err)
	}
	serveEvent := &core.ServeEvent{App: app, Router: router}
	err = app.OnServe().Trigger(serveEvent, func(e *core.ServeEvent) error {
		mux, err := e.Router.BuildMux()
		if err != nil {
			return err
		}
		server := httptest.NewServer(mux)
		defer server.Close()

		request, _ := http.NewRequest(http.MethodGet, server.URL+"/api/export/therapy-sessions/"+study.GroupA+"?format=csv&table=actions", nil)
		request.Header.Set("Authorization", study.StaffToken)
		response, err := server.Client().Do(request)
		if err != nil {
			t.Fatal(err)
		}
		defer response.Body.Close()
		if response.StatusCode != http.StatusOK {
			t.Fatalf("status: got %d, want 200 before the failing row", response.StatusCode)
		}
		body, err := io.ReadAll(response.Body)
		if err == nil {
			t.Errorf("read body: got no error after %d bytes, want a broken download", len(body))
		}
		if len(body) < 64<<10 {
			t.Errorf("got %d bytes before the failure, want at least 64 KiB", len(body))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
