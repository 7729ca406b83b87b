package hooks_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hearth-research/hearth/internal/hearthtest"
)

// heldTwilio is a stand-in for Twilio on 127.0.0.1 that holds every request
// until the test releases it, then responds as a proxy in front of a failing
// Twilio would: 503 with an HTML page.
type heldTwilio struct {
	server  *httptest.Server
	arrived chan struct{}
	release chan struct{}
	once    sync.Once
}

func newHeldTwilio(t *testing.T) *heldTwilio {
	t.Helper()
	held := &heldTwilio{arrived: make(chan struct{}, 16), release: make(chan struct{})}
	held.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		held.arrived <- struct{}{}
		select {
		case <-held.release:
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "<html><body>Service Unavailable</body></html>")
	}))
	t.Cleanup(func() {
		held.releaseAll()
		held.server.Close()
	})
	return held
}

func (h *heldTwilio) releaseAll() { h.once.Do(func() { close(h.release) }) }

// otpIDPattern matches the only body /api/otp/request may return with 200.
var otpIDPattern = regexp.MustCompile(`^\{"otpId":"[a-z0-9]{15}"\}$`)

// TestCodeRequestIgnoresTwilio checks that whatever Twilio does, the response
// to a code request is the same as for an unenrolled number: 200 with a
// fresh otpId and nothing else. Twilio is tried with every failure the fake
// knows and with a request held open past the client timeout; the handler
// must answer while that request is still held.
func TestCodeRequestIgnoresTwilio(t *testing.T) {
	study := hearthtest.Fixture(t)
	alice := study.Alice

	type outcome struct {
		name   string
		status int
		body   string
	}
	var outcomes []outcome
	record := func(name string, response *http.Response) {
		raw, _ := io.ReadAll(response.Body)
		outcomes = append(outcomes, outcome{name, response.StatusCode, strings.TrimSpace(string(raw))})
	}

	replies := []struct {
		name  string
		reply hearthtest.Reply
	}{
		{"accepted", hearthtest.ReplyAccept},
		{"Twilio 500", hearthtest.ReplyServerError},
		{"HTML 502", hearthtest.ReplyHTMLBadGateway},
		{"opted out", hearthtest.ReplyOptedOut},
		{"no answer until the client timeout", hearthtest.ReplyHang},
	}
	for _, r := range replies {
		fake := hearthtest.NewFakeTwilio(t)
		fake.SetReply(alice.Phone, r.reply)
		server := newTestServer(t, fakeTwilioConfig(fake))
		record(r.name, server.requestCode(alice.Phone, alice.LastName))
		record(r.name+", unknown number", server.requestCode("+16502539876", "Nobody"))
		record(r.name+", wrong last name", server.requestCode(study.Bob.Phone, "Wrong"))
		waitForDeliveries(t, server)
		if got := len(smsLog(t, server)); got != 1 {
			t.Errorf("%s: sms_log has %d rows, want 1 (only Alice is enrolled with that name)", r.name, got)
		}
	}

	// A Twilio that holds the request: the response must come while it holds.
	held := newHeldTwilio(t)
	fake := hearthtest.NewFakeTwilio(t)
	config := fakeTwilioConfig(fake)
	config.TwilioAPIURL = held.server.URL
	// Answer as production does, without waiting for the delivery.
	config.AwaitCodeDelivery = false
	server := newTestServer(t, config)

	answered := make(chan *http.Response, 1)
	go func() { answered <- server.requestCode(alice.Phone, alice.LastName) }()
	select {
	case response := <-answered:
		select {
		case <-held.release:
			t.Error("the held Twilio request was released before the handler answered")
		default:
		}
		record("held by Twilio", response)
	case <-time.After(20 * time.Second):
		t.Fatal("the code request got no response within 20 s while Twilio held its request")
	}
	select {
	case <-held.arrived:
	case <-time.After(20 * time.Second):
		t.Fatal("the SMS never reached the held Twilio")
	}
	held.releaseAll()
	waitForDeliveries(t, server)
	rows := smsLog(t, server)
	if len(rows) != 1 || rows[0].Status != "failed" {
		t.Errorf("held Twilio: sms_log = %+v, want one failed row for staff", rows)
	}

	for _, o := range outcomes {
		if o.status != http.StatusOK || !otpIDPattern.MatchString(o.body) {
			t.Errorf("%s: response %d %s, want 200 {\"otpId\":\"<15 characters>\"}", o.name, o.status, o.body)
		}
	}
	t.Logf("code request faults: %d cases", len(outcomes))
}

// waitForDeliveries waits for the background SMS deliveries of server, and
// fails the test if they are still running after 30 s: a delivery must
// never outlive the Twilio client's timeout by much.
func waitForDeliveries(t *testing.T, server *testServer) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		server.hearth.WaitForCodeDeliveries()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("SMS deliveries still running 30 s after the request")
	}
}

// TestSlowCronJobNeverOverlaps schedules a job every second that takes
// longer than that, and checks that no two runs of it overlap and that the
// server handles requests meanwhile.
func TestSlowCronJobNeverOverlaps(t *testing.T) {
	server := newTestServer(t, fakeTwilioConfig(hearthtest.NewFakeTwilio(t)))

	var running, maxRunning, runs atomic.Int32
	started := make(chan struct{}, 8)
	release := make(chan struct{})
	err := server.hearth.AddCronJob("@every 1s", func() {
		now := running.Add(1)
		defer running.Add(-1)
		for {
			seen := maxRunning.Load()
			if now <= seen || maxRunning.CompareAndSwap(seen, now) {
				break
			}
		}
		runs.Add(1)
		started <- struct{}{}
		<-release
	})
	if err != nil {
		t.Fatal(err)
	}

	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the job did not start within 10 s")
	}
	// Hold the first run across at least two more ticks of the schedule.
	time.Sleep(2500 * time.Millisecond)

	response := server.do(http.MethodGet, "/api/health", "", nil)
	if response.StatusCode != http.StatusOK {
		t.Errorf("health check while the job runs: status %d", response.StatusCode)
	}
	if got := runs.Load(); got != 1 {
		t.Errorf("the job started %d times while its first run held, want 1", got)
	}
	close(release)
	if got := maxRunning.Load(); got != 1 {
		t.Errorf("%d runs of the job overlapped, want 1 at a time", got)
	}
}
