package hooks

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hearth-research/hearth/internal/phone"
	"github.com/hearth-research/hearth/internal/sms"
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
	// TwilioTimeout bounds one request to Twilio.
	TwilioTimeout time.Duration
	// SMSSender, when set, is used instead of the sender chosen from the
	// Twilio settings (Twilio with credentials, the console without).
	SMSSender sms.Sender

	Phones *phone.Parser

	IdleTimeout time.Duration
	// IdleSweepInterval is how often the cron job ends idle sign-in sessions
	// and prunes old code requests.
	IdleSweepInterval time.Duration
	OTPCooldown       time.Duration
	OTPHourlyMax      int
	// OTPClientLimits cap code requests from one client address, whatever
	// the phone numbers.
	OTPClientLimits []RateLimit
	// TrustedProxies lists the peers whose forwarded-for headers (as set in
	// PocketBase's trusted proxy settings) are believed. A request from any
	// other peer is counted under its own address, so a client cannot pick
	// its address by sending a header.
	TrustedProxies []netip.Prefix
	WebhookSecret  string

	// AwaitCodeDelivery makes the code request route answer only after its
	// background delivery has finished. The answer is the same; only its
	// timing changes, which would tell enrolled numbers apart, so it is for
	// tests alone: PocketBase's ApiScenario reads the app's event counts
	// without a lock once the answer is in, and a delivery still saving
	// records then is a data race.
	AwaitCodeDelivery bool
}

// defaultTrustedProxies trusts a reverse proxy on the same host only.
const defaultTrustedProxies = "127.0.0.0/8,::1/128"

// ParseTrustedProxies reads a comma-separated list of IP addresses and CIDR
// prefixes. "none" (or an empty list) trusts no peer.
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	prefixes := []netip.Prefix{}
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" || strings.EqualFold(item, "none") {
			continue
		}
		if !strings.Contains(item, "/") {
			address, err := netip.ParseAddr(item)
			if err != nil {
				return nil, fmt.Errorf("%q is not an IP address or CIDR prefix", item)
			}
			prefixes = append(prefixes, netip.PrefixFrom(address, address.BitLen()))
			continue
		}
		prefix, err := netip.ParsePrefix(item)
		if err != nil {
			return nil, fmt.Errorf("%q is not an IP address or CIDR prefix", item)
		}
		prefixes = append(prefixes, prefix.Masked())
	}
	return prefixes, nil
}

// RateLimit allows at most Max events in any window of length Window.
type RateLimit struct {
	Max    int
	Window time.Duration
}

// defaultOTPClientLimits lets one address, which may be a clinic's or a
// mobile carrier's shared NAT, request codes for a group of people in a
// row, but not walk through many numbers.
const defaultOTPClientLimits = "10/10m,30/1h"

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
	if cfg.OTPClientLimits, err = ParseRateLimits(envOr("HEARTH_OTP_CLIENT_LIMITS", defaultOTPClientLimits)); err != nil {
		return cfg, fmt.Errorf("HEARTH_OTP_CLIENT_LIMITS: %w", err)
	}
	if cfg.IdleSweepInterval, err = parsePositiveDuration("HEARTH_IDLE_SWEEP_INTERVAL", "1m"); err != nil {
		return cfg, err
	}
	if cfg.TrustedProxies, err = ParseTrustedProxies(envOr("HEARTH_TRUSTED_PROXIES", defaultTrustedProxies)); err != nil {
		return cfg, fmt.Errorf("HEARTH_TRUSTED_PROXIES: %w", err)
	}
	cfg.TwilioTimeout = sms.DefaultTwilioTimeout

	if err := cfg.validateTwilio(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// validateTwilio rejects half-configured Twilio settings, which would
// otherwise fall back to printing codes on a production server.
func (cfg Config) validateTwilio() error {
	if (cfg.TwilioAccountSID == "") != (cfg.TwilioAuthToken == "") {
		return errors.New("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set together")
	}
	if cfg.TwilioAccountSID == "" {
		if cfg.TwilioFrom != "" || cfg.TwilioAPIURL != "" {
			return errors.New("TWILIO_FROM or TWILIO_API_URL is set without TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN")
		}
		return nil
	}
	_, err := sms.NewTwilioSender(cfg.twilioConfig())
	if err != nil {
		return fmt.Errorf("TWILIO_* settings: %w", err)
	}
	return nil
}

func (cfg Config) twilioConfig() sms.TwilioConfig {
	return sms.TwilioConfig{
		AccountSID: cfg.TwilioAccountSID,
		AuthToken:  cfg.TwilioAuthToken,
		From:       cfg.TwilioFrom,
		APIURL:     cfg.TwilioAPIURL,
		Timeout:    cfg.TwilioTimeout,
	}
}

// ParseRateLimits reads a comma-separated list of limits written as
// MAX/WINDOW, e.g. "10/10m,30/1h".
func ParseRateLimits(list string) ([]RateLimit, error) {
	var limits []RateLimit
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		maxText, windowText, found := strings.Cut(item, "/")
		maxCount, maxErr := strconv.Atoi(strings.TrimSpace(maxText))
		window, windowErr := time.ParseDuration(strings.TrimSpace(windowText))
		if !found || maxErr != nil || windowErr != nil || maxCount < 1 || window <= 0 {
			return nil, fmt.Errorf("%q is not a limit such as 10/10m (at most 10 in any 10 minutes)", item)
		}
		limits = append(limits, RateLimit{Max: maxCount, Window: window})
	}
	return limits, nil
}

// TestConfig returns the defaults without reading the environment, for tests.
// Codes go to a console sender that discards them; tests that need a code
// set SMSSender or point the Twilio settings at hearthtest.FakeTwilio.
func TestConfig() Config {
	parser, _ := phone.NewParser("US", []string{"US", "CA", "GB", "DE", "FR", "JP"})
	clientLimits, _ := ParseRateLimits(defaultOTPClientLimits)
	trustedProxies, _ := ParseTrustedProxies(defaultTrustedProxies)
	return Config{
		AwaitCodeDelivery: true,
		TrustedProxies:    trustedProxies,
		Phones:            parser,
		TwilioTimeout:     sms.DefaultTwilioTimeout,
		SMSSender:         sms.NewConsoleSender(io.Discard),
		IdleTimeout:       30 * time.Minute,
		IdleSweepInterval: time.Minute,
		OTPCooldown:       60 * time.Second,
		OTPHourlyMax:      3,
		OTPClientLimits:   clientLimits,
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
