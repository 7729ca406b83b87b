package hooks_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/hearth-research/hearth/hooks"
	"github.com/hearth-research/hearth/internal/hearthtest"
)

// BenchmarkOTPRequest measures the response time of a code request for a
// matching pair, a wrong name and an unknown phone. The background delivery
// is waited for outside the timed part, so the numbers compare only what a
// client can time.
func BenchmarkOTPRequest(b *testing.B) {
	alice := hearthtest.Fixture(b).Alice
	cases := []struct{ name, phone, lastName string }{
		{"matching pair", alice.Phone, alice.LastName},
		{"wrong name", alice.Phone, "Someone"},
		{"unknown phone", "+16502530099", alice.LastName},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			config := hooks.TestConfig()
			config.OTPCooldown = time.Nanosecond
			config.OTPHourlyMax = 1 << 30
			config.OTPClientLimits = nil
			// Time the answer as production gives it, before the delivery.
			config.AwaitCodeDelivery = false
			server := newTestServer(b, config)

			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if status := server.requestCode(c.phone, c.lastName).StatusCode; status != http.StatusOK {
					b.Fatalf("got status %d, want 200", status)
				}
				b.StopTimer()
				server.hearth.WaitForCodeDeliveries()
				b.StartTimer()
			}
		})
	}
}
