package hooks_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-research/hearth/hooks"
	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

// retryAfterOf checks that response is a 429 with data.retryAfter and a
// matching Retry-After header, and returns the seconds.
func retryAfterOf(t testing.TB, response *http.Response) int {
	t.Helper()
	if response.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("got status %d, want 429", response.StatusCode)
	}
	body := decode(t, response)
	data, _ := body["data"].(map[string]any)
	seconds, ok := data["retryAfter"].(float64)
	if !ok || seconds < 1 || seconds != float64(int(seconds)) {
		t.Fatalf("data.retryAfter: got %v, want whole seconds", data["retryAfter"])
	}
	if header := response.Header.Get("Retry-After"); header != strings.TrimSpace(jsonNumber(seconds)) {
		t.Errorf("Retry-After header %q differs from data.retryAfter %v", header, seconds)
	}
	if message, _ := body["message"].(string); !strings.Contains(message, "Wait ") {
		t.Errorf("message %q does not say how long to wait", message)
	}
	return int(seconds)
}

func jsonNumber(value float64) string {
	data, _ := json.Marshal(value)
	return string(data)
}

func TestOTPCooldown(t *testing.T) {
	alice := hearthtest.Fixture(t).Alice
	for _, phone := range []string{alice.Phone, "+16502530099"} {
		fake := hearthtest.NewFakeTwilio(t)
		server := newTestServer(t, fakeTwilioConfig(fake))

		otpIDOf(t, server.requestCode(phone, alice.LastName))
		// The same number typed another way is the same phone.
		wait := retryAfterOf(t, server.requestCode(strings.Replace(phone, "+1", "", 1), alice.LastName))
		if wait > 60 {
			t.Errorf("%s: retryAfter %d exceeds the 60 s cooldown", phone, wait)
		}

		server.hearth.WaitForCodeDeliveries()
		want := 0
		if phone == alice.Phone {
			want = 1
		}
		if got := len(fake.Messages()); got != want {
			t.Errorf("%s: got %d messages, want %d", phone, got, want)
		}
	}
}

// TestOTPHourlyMax spaces requests out by moving earlier ones back in time,
// so that the cooldown has passed but the hour has not.
func TestOTPHourlyMax(t *testing.T) {
	alice := hearthtest.Fixture(t).Alice
	for _, phone := range []string{alice.Phone, "+16502530099"} {
		fake := hearthtest.NewFakeTwilio(t)
		server := newTestServer(t, fakeTwilioConfig(fake))
		samePhone := dbx.HashExp{"phone": phone}

		for i := 0; i < 3; i++ {
			otpIDOf(t, server.requestCode(phone, alice.LastName))
			backdate(t, server.app, "otp_requests", samePhone, 2*time.Minute)
		}
		// The oldest of the three is 6 minutes old, so the next fits in 54.
		wait := retryAfterOf(t, server.requestCode(phone, alice.LastName))
		if wait > 54*60 || wait < 53*60 {
			t.Errorf("%s: retryAfter %d s, want about 54 minutes", phone, wait)
		}

		// Once the oldest request is more than an hour old, one more fits.
		backdate(t, server.app, "otp_requests", samePhone, 55*time.Minute)
		otpIDOf(t, server.requestCode(phone, alice.LastName))

		server.hearth.WaitForCodeDeliveries()
		if got := countRows(t, server.app, "otp_requests", samePhone); got != 4 {
			t.Errorf("%s: otp_requests: got %d, want 4", phone, got)
		}
		want := 0
		if phone == alice.Phone {
			want = 4
		}
		if got := len(fake.Messages()); got != want {
			t.Errorf("%s: got %d messages, want %d", phone, got, want)
		}
	}
}

func TestOTPParallelRequestsSendOnce(t *testing.T) {
	alice := hearthtest.Fixture(t).Alice
	fake := hearthtest.NewFakeTwilio(t)
	server := newTestServer(t, fakeTwilioConfig(fake))

	const parallel = 10
	statuses := make([]int, parallel)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := 0; i < parallel; i++ {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			statuses[i] = server.requestCode(alice.Phone, alice.LastName).StatusCode
		}()
	}
	start.Done()
	done.Wait()
	server.hearth.WaitForCodeDeliveries()

	accepted, limited := 0, 0
	for _, status := range statuses {
		switch status {
		case http.StatusOK:
			accepted++
		case http.StatusTooManyRequests:
			limited++
		}
	}
	if accepted != 1 || limited != parallel-1 {
		t.Errorf("got %d accepted and %d limited (%v), want 1 and %d", accepted, limited, statuses, parallel-1)
	}
	if got := len(fake.Messages()); got != 1 {
		t.Errorf("got %d messages at Twilio, want 1", got)
	}
	if got := countRows(t, server.app, "otp_requests", dbx.HashExp{"phone": alice.Phone}); got != 1 {
		t.Errorf("otp_requests: got %d, want 1", got)
	}
}

// TestOTPLimitsSurviveRestart stops the app and starts a new one on a copy
// of the same data folder.
func TestOTPLimitsSurviveRestart(t *testing.T) {
	alice := hearthtest.Fixture(t).Alice
	fake := hearthtest.NewFakeTwilio(t)
	config := fakeTwilioConfig(fake)

	first := newTestServer(t, config)
	otpIDOf(t, first.requestCode(alice.Phone, alice.LastName))
	first.hearth.WaitForCodeDeliveries()
	// Closing the database flushes it to the data folder before the copy.
	first.app.ResetBootstrapState()

	restarted, err := tests.NewTestApp(first.app.DataDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(restarted.Cleanup)
	second := serveApp(t, restarted, hooks.Register(restarted, config))

	retryAfterOf(t, second.requestCode(alice.Phone, alice.LastName))
	second.hearth.WaitForCodeDeliveries()
	if got := len(fake.Messages()); got != 1 {
		t.Errorf("got %d messages, want 1", got)
	}
}

func TestOTPClientLimits(t *testing.T) {
	config := hooks.TestConfig()
	config.OTPClientLimits = []hooks.RateLimit{{Max: 3, Window: 10 * time.Minute}}
	server := newTestServer(t, config)
	server.app.Settings().TrustedProxy.Headers = []string{"X-Forwarded-For"}

	request := func(phone, clientIP string) *http.Response {
		body := `{"phone":"` + phone + `","last_name":"Anyone"}`
		return server.do(http.MethodPost, "/api/otp/request", body, map[string]string{"X-Forwarded-For": clientIP})
	}

	// One address walks through numbers until its limit.
	for i, phone := range []string{"+16502531001", "+16502531002", "+16502531003"} {
		if status := request(phone, "203.0.113.7").StatusCode; status != http.StatusOK {
			t.Fatalf("%d: got status %d, want 200", i, status)
		}
	}
	response := request("+16502531004", "203.0.113.7")
	if wait := retryAfterOf(t, response); wait > 600 {
		t.Errorf("retryAfter %d exceeds the 10 minute window", wait)
	}

	// Another address is counted on its own.
	if status := request("+16502531004", "203.0.113.8").StatusCode; status != http.StatusOK {
		t.Errorf("other address: got status %d, want 200", status)
	}

	// Addresses in one IPv6 /64 count together, since one subscriber
	// usually has the whole /64.
	for i, address := range []string{"2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff::3"} {
		phone := "+1650253200" + string(rune('1'+i))
		if status := request(phone, address).StatusCode; status != http.StatusOK {
			t.Fatalf("IPv6 %d: got status %d, want 200", i, status)
		}
	}
	retryAfterOf(t, request("+16502532009", "2001:db8:1:2:abcd::9"))
	if status := request("+16502532009", "2001:db8:1:3::1").StatusCode; status != http.StatusOK {
		t.Errorf("other /64: got status %d, want 200", status)
	}
}

func TestOTPLimitResponseShape(t *testing.T) {
	alice := hearthtest.Fixture(t).Alice
	body := `{"phone":"` + alice.Phone + `","last_name":"Anders"}`
	scenario := tests.ApiScenario{
		Name:               "second request within the cooldown",
		Method:             http.MethodPost,
		URL:                "/api/otp/request",
		Body:               strings.NewReader(body),
		ExpectedStatus:     http.StatusTooManyRequests,
		ExpectedContent:    []string{`"status":429`, `"data":{"retryAfter":`, `"message":"A code was requested for this phone number recently.`},
		NotExpectedContent: []string{`"otpId"`},
		TestAppFactory:     hearthtest.NewApp,
		BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
			mux, err := e.Router.BuildMux()
			if err != nil {
				t.Fatal(err)
			}
			first := httptest.NewRequest(http.MethodPost, "/api/otp/request", strings.NewReader(body))
			first.Header.Set("Content-Type", "application/json")
			recorder := httptest.NewRecorder()
			mux.ServeHTTP(recorder, first)
			if recorder.Code != http.StatusOK {
				t.Fatalf("first request: got status %d, want 200", recorder.Code)
			}
		},
	}
	scenario.Test(t)
}

func TestOTPClientLimitIgnoresHeaderFromUntrustedPeer(t *testing.T) {
	config := hooks.TestConfig()
	config.OTPClientLimits = []hooks.RateLimit{{Max: 2, Window: 10 * time.Minute}}
	// The test client connects over loopback; trust no peer at all.
	config.TrustedProxies = nil
	server := newTestServer(t, config)
	server.app.Settings().TrustedProxy.Headers = []string{"X-Forwarded-For"}

	// A client that invents a new forwarded-for address on every request is
	// still counted under its own address.
	statuses := []int{}
	for i, phone := range []string{"+16502531101", "+16502531102", "+16502531103"} {
		forged := fmt.Sprintf("198.51.100.%d", i+1)
		body := `{"phone":"` + phone + `","last_name":"Anyone"}`
		response := server.do(http.MethodPost, "/api/otp/request", body, map[string]string{"X-Forwarded-For": forged})
		statuses = append(statuses, response.StatusCode)
	}
	if statuses[0] != http.StatusOK || statuses[1] != http.StatusOK {
		t.Errorf("first two requests: got %v, want 200 and 200", statuses[:2])
	}
	if statuses[2] != http.StatusTooManyRequests {
		t.Errorf("third request with a forged address: got %d, want 429", statuses[2])
	}
}

func TestParseTrustedProxies(t *testing.T) {
	cases := []struct {
		in      string
		want    string
		invalid bool
	}{
		{in: "127.0.0.0/8,::1/128", want: "[127.0.0.0/8 ::1/128]"},
		{in: " 10.0.0.7 ", want: "[10.0.0.7/32]"},
		{in: "none", want: "[]"},
		{in: "10.0.0.0/33", invalid: true},
		{in: "proxy.example", invalid: true},
	}
	for i, c := range cases {
		got, err := hooks.ParseTrustedProxies(c.in)
		if c.invalid {
			if err == nil {
				t.Errorf("%d: %q: got %v, want an error", i, c.in, got)
			}
			continue
		}
		if err != nil || fmt.Sprint(got) != c.want {
			t.Errorf("%d: %q: got %v (%v), want %s", i, c.in, got, err, c.want)
		}
	}
}
