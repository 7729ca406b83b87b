package hooks

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hearth-research/hearth/internal/phone"
)

// Config holds the settings read from the environment. The table of
// variables and their defaults is in the README.
type Config struct {
	TwilioAccountSID string
	TwilioAuthToken  string
	// TwilioFrom is a sending number in E.164 or a Messaging Service SID ("MG…").
	TwilioFrom string
	// TwilioAPIURL replaces Twilio's base URL, for tests and egress proxies.
	TwilioAPIURL string

	Phones *phone.Parser

	IdleTimeout   time.Duration
	OTPCooldown   time.Duration
	OTPHourlyMax  int
	WebhookSecret string
}

// LoadConfig reads the configuration from the environment and reports the
// first invalid value.
func LoadConfig() (Config, error) {
	cfg := Config{
		TwilioAccountSID: os.Getenv("TWILIO_ACCOUNT_SID"),
		TwilioAuthToken:  os.Getenv("TWILIO_AUTH_TOKEN"),
		TwilioFrom:       os.Getenv("TWILIO_FROM"),
		TwilioAPIURL:     os.Getenv("TWILIO_API_URL"),
		WebhookSecret:    os.Getenv("HEARTH_WEBHOOK_SECRET"),
	}

	region := envOr("HEARTH_PHONE_REGION", "US")
	var countries []string
	if list := os.Getenv("HEARTH_PHONE_COUNTRIES"); list != "" {
		countries = strings.Split(list, ",")
	}
	parser, err := phone.NewParser(region, countries)
	if err != nil {
		return cfg, fmt.Errorf("HEARTH_PHONE_REGION or HEARTH_PHONE_COUNTRIES: %w", err)
	}
	cfg.Phones = parser

	if cfg.IdleTimeout, err = parsePositiveDuration("HEARTH_IDLE_TIMEOUT", "30m"); err != nil {
		return cfg, err
	}
	if cfg.OTPCooldown, err = parsePositiveDuration("HEARTH_OTP_COOLDOWN", "60s"); err != nil {
		return cfg, err
	}
	hourly := envOr("HEARTH_OTP_HOURLY_MAX", "3")
	cfg.OTPHourlyMax, err = strconv.Atoi(hourly)
	if err != nil || cfg.OTPHourlyMax < 1 {
		return cfg, fmt.Errorf("HEARTH_OTP_HOURLY_MAX: %q is not a whole number of at least 1", hourly)
	}

	return cfg, nil
}

// TestConfig returns the defaults without reading the environment, for tests.
func TestConfig() Config {
	parser, _ := phone.NewParser("US", []string{"US", "CA", "GB", "DE", "FR", "JP"})
	return Config{
		Phones:       parser,
		IdleTimeout:  30 * time.Minute,
		OTPCooldown:  60 * time.Second,
		OTPHourlyMax: 3,
	}
}

func envOr(name, fallback string) string {
	if value := strings.TrimSpace(os.Getenv(name)); value != "" {
		return value
	}
	return fallback
}

func parsePositiveDuration(name, fallback string) (time.Duration, error) {
	value := envOr(name, fallback)
	d, err := time.ParseDuration(value)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s: %q is not a positive duration such as 30m or 60s", name, value)
	}
	return d, nil
}
