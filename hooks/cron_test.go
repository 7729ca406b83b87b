package hooks_test

import (
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hearth-research/hearth/hooks"
	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// endedSessions records the sign-in sessions the end listeners saw.
type endedSessions struct {
	mu      sync.Mutex
	reasons map[string]string
}

func watchEndedSessions(hearth *hooks.Hearth) *endedSessions {
	ended := &endedSessions{reasons: map[string]string{}}
	hearth.OnSignInSessionEnd(func(app core.App, signIn *core.Record, reason string) {
		ended.mu.Lock()
		defer ended.mu.Unlock()
		ended.reasons[signIn.Id] = reason
	})
	return ended
}

func (e *endedSessions) reason(signInSessionID string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.reasons[signInSessionID]
}

// makeIdle moves a sign-in session's last activity back by age.
func makeIdle(t testing.TB, app core.App, signInSessionID string, age time.Duration) {
	t.Helper()
	earlier := time.Now().Add(-age).UTC().Format("2006-01-02 15:04:05.000Z")
	_, err := app.DB().Update("sign_in_sessions", dbx.Params{"last_activity_at": earlier},
		dbx.HashExp{"id": signInSessionID}).Execute()
	if err != nil {
		t.Fatal(err)
	}
}

func TestIdleSessionRejectedAtOnce(t *testing.T) {
	study := hearthtest.Fixture(t)
	app, hearth := hearthtest.NewAppWithConfig(t, hooks.TestConfig())
	ended := watchEndedSessions(hearth)
	server := serveApp(t, app, hearth)
	makeIdle(t, app, study.Alice.SignInSessionID, 31*time.Minute)

	if status := server.do(http.MethodGet, "/api/me", "", study.Alice.Header()).StatusCode; status != http.StatusUnauthorized {
		t.Errorf("idle session: got status %d, want 401", status)
	}
	if reason := ended.reason(study.Alice.SignInSessionID); reason != hooks.EndIdle {
		t.Errorf("idle session end reason: got %q, want %q", reason, hooks.EndIdle)
	}
	if status := server.do(http.MethodGet, "/api/me", "", study.Bob.Header()).StatusCode; status != http.StatusOK {
		t.Errorf("active session: got status %d, want 200", status)
	}
}

// TestIdleSweep runs the real scheduler with a one-second idle timeout,
// the shortest interval the cron library supports.
func TestIdleSweep(t *testing.T) {
	study := hearthtest.Fixture(t)
	config := hooks.TestConfig()
	config.IdleTimeout = time.Second
	config.IdleSweepInterval = time.Second
	app, hearth := hearthtest.NewAppWithConfig(t, config)
	ended := watchEndedSessions(hearth)

	dave, err := app.FindRecordById("users", study.Dave.ID)
	if err != nil {
		t.Fatal(err)
	}
	signIn, token, err := hooks.StartSignInSession(app, dave)
	if err != nil {
		t.Fatal(err)
	}
	oldRequest := seedOTPRequest(t, app, "+16502530006")
	backdate(t, app, "otp_requests", dbx.HashExp{"id": oldRequest}, 25*time.Hour)
	recentRequest := seedOTPRequest(t, app, "+16502530006")

	server := serveApp(t, app, hearth)
	waitFor(t, "the sweep to end the idle session", func() bool {
		return ended.reason(signIn.Id) != ""
	})

	if reason := ended.reason(signIn.Id); reason != hooks.EndIdle {
		t.Errorf("end reason: got %q, want %q", reason, hooks.EndIdle)
	}
	stored, err := app.FindRecordById("sign_in_sessions", signIn.Id)
	if err != nil {
		t.Fatal(err)
	}
	if stored.GetString("end_reason") != hooks.EndIdle || stored.GetDateTime("ended_at").IsZero() {
		t.Errorf("stored session: end_reason %q, ended_at %v", stored.GetString("end_reason"), stored.GetDateTime("ended_at"))
	}
	if status := server.do(http.MethodGet, "/api/me", "", map[string]string{"Authorization": token}).StatusCode; status != http.StatusUnauthorized {
		t.Errorf("token of the swept session: got status %d, want 401", status)
	}

	waitFor(t, "the sweep to delete the old code request", func() bool {
		return countRows(t, app, "otp_requests", dbx.HashExp{"id": oldRequest}) == 0
	})
	if countRows(t, app, "otp_requests", dbx.HashExp{"id": recentRequest}) != 1 {
		t.Error("the sweep deleted a recent code request")
	}
}

func seedOTPRequest(t testing.TB, app core.App, phone string) string {
	t.Helper()
	collection, err := app.FindCollectionByNameOrId("otp_requests")
	if err != nil {
		t.Fatal(err)
	}
	record := core.NewRecord(collection)
	record.Set("phone", phone)
	record.Set("client_ip", "127.0.0.1")
	if err := app.Save(record); err != nil {
		t.Fatal(err)
	}
	return record.Id
}

func TestCronPanicKeepsServerUp(t *testing.T) {
	study := hearthtest.Fixture(t)
	config := hooks.TestConfig()
	config.IdleSweepInterval = time.Second
	app, hearth := hearthtest.NewAppWithConfig(t, config)
	ended := watchEndedSessions(hearth)

	var panics atomic.Int32
	if err := hearth.AddCronJob("@every 1s", func() {
		panics.Add(1)
		panic("job failed on purpose")
	}); err != nil {
		t.Fatal(err)
	}
	makeIdle(t, app, study.Alice.SignInSessionID, time.Hour)

	server := serveApp(t, app, hearth)
	waitFor(t, "the panicking job to run twice", func() bool { return panics.Load() >= 2 })
	waitFor(t, "the sweep to run beside the panicking job", func() bool {
		return ended.reason(study.Alice.SignInSessionID) == hooks.EndIdle
	})

	if status := server.do(http.MethodGet, "/api/me", "", study.Bob.Header()).StatusCode; status != http.StatusOK {
		t.Errorf("request after the panics: got status %d, want 200", status)
	}
}

func TestAddCronJobRejectsBadSpec(t *testing.T) {
	_, hearth := hearthtest.NewAppWithConfig(t, hooks.TestConfig())
	if err := hearth.AddCronJob("every now and then", func() {}); err == nil {
		t.Error("got no error for an invalid spec")
	}
}
