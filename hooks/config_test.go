package hooks_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hearth-research/hearth/hooks"
)

func TestLoadConfigDefaults(t *testing.T) {
	for _, name := range []string{"TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM", "TWILIO_API_URL",
		"HEARTH_OTP_CLIENT_LIMITS", "HEARTH_IDLE_SWEEP_INTERVAL"} {
		t.Setenv(name, "")
	}
	config, err := hooks.LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	want := []hooks.RateLimit{{Max: 10, Window: 10 * time.Minute}, {Max: 30, Window: time.Hour}}
	if len(config.OTPClientLimits) != 2 || config.OTPClientLimits[0] != want[0] || config.OTPClientLimits[1] != want[1] {
		t.Errorf("client limits: got %v, want %v", config.OTPClientLimits, want)
	}
	if config.IdleSweepInterval != time.Minute {
		t.Errorf("sweep interval: got %v, want 1m", config.IdleSweepInterval)
	}
	if config.TwilioTimeout != 10*time.Second {
		t.Errorf("Twilio timeout: got %v, want 10s", config.TwilioTimeout)
	}
}

func TestLoadConfigRejectsBadSettings(t *testing.T) {
	cases := []struct {
		env     map[string]string
		wantVar string
	}{
		{map[string]string{"TWILIO_ACCOUNT_SID": "AC1"}, "TWILIO_AUTH_TOKEN"},
		{map[string]string{"TWILIO_AUTH_TOKEN": "token"}, "TWILIO_ACCOUNT_SID"},
		{map[string]string{"TWILIO_FROM": "+12015550199"}, "TWILIO_FROM"},
		{map[string]string{"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "token"}, "TWILIO_"},
		{map[string]string{"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "token",
			"TWILIO_FROM": "+12015550199", "TWILIO_API_URL": "ftp://127.0.0.1"}, "TWILIO_"},
		{map[string]string{"HEARTH_OTP_CLIENT_LIMITS": "10 per minute"}, "HEARTH_OTP_CLIENT_LIMITS"},
		{map[string]string{"HEARTH_OTP_CLIENT_LIMITS": "0/1m"}, "HEARTH_OTP_CLIENT_LIMITS"},
		{map[string]string{"HEARTH_IDLE_SWEEP_INTERVAL": "-1m"}, "HEARTH_IDLE_SWEEP_INTERVAL"},
	}
	names := []string{"TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM", "TWILIO_API_URL",
		"HEARTH_OTP_CLIENT_LIMITS", "HEARTH_IDLE_SWEEP_INTERVAL"}
	for i, c := range cases {
		t.Run("", func(t *testing.T) {
			for _, name := range names {
				t.Setenv(name, c.env[name])
			}
			_, err := hooks.LoadConfig()
			if err == nil || !strings.Contains(err.Error(), c.wantVar) {
				t.Errorf("%d: got error %v, want one naming %s", i, err, c.wantVar)
			}
		})
	}
}

func TestParseRateLimits(t *testing.T) {
	limits, err := hooks.ParseRateLimits(" 5/30s , 100/24h ")
	if err != nil {
		t.Fatal(err)
	}
	want := []hooks.RateLimit{{Max: 5, Window: 30 * time.Second}, {Max: 100, Window: 24 * time.Hour}}
	if len(limits) != 2 || limits[0] != want[0] || limits[1] != want[1] {
		t.Errorf("got %v, want %v", limits, want)
	}
}
