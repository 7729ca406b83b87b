package hooks_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"
)

// wrongCodeCase is one kind of otpId a client can hold. An empty phone
// means an otpId that was never handed out.
type wrongCodeCase struct {
	name, phone, lastName string
	expire                bool
}

// BenchmarkWrongCode measures the response time of one wrong code for each
// kind of otpId. The kinds are an otpId with a code for an enrolled
// person, one requested for a wrong name or an unknown phone (no code
// behind it), one never handed out, and one whose code has expired. Each
// iteration tries every kind once, in random order, so that a machine that
// slows down for a while slows all kinds alike. Every try comes from its
// own client address with a fresh otpId, so that no limit is reached. The
// metrics are the median time of each kind in ms, and ns/op is the time of
// all five tries together.
func BenchmarkWrongCode(b *testing.B) {
	alice := hearthtest.Fixture(b).Alice
	cases := []wrongCodeCase{
		{name: "enrolled", phone: alice.Phone, lastName: alice.LastName},
		{name: "wrong-name", phone: alice.Phone, lastName: "Someone"},
		{name: "unknown-phone", phone: "+16502530099", lastName: alice.LastName},
		{name: "never-issued"},
		{name: "expired", phone: alice.Phone, lastName: alice.LastName, expire: true},
	}
	fake := hearthtest.NewFakeTwilio(b)
	config := fakeTwilioConfig(fake)
	config.OTPCooldown = time.Nanosecond
	config.OTPHourlyMax = 1 << 30
	config.OTPClientLimits = nil
	server := newTestServer(b, config)

	durations := make([][]time.Duration, len(cases))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, c := range rand.Perm(len(cases)) {
			b.StopTimer()
			otpID, guess := server.prepareWrongCode(b, fake, cases[c])
			client := fmt.Sprintf("127.%d.%d.%d:40000", c+1, i/250, i%250+1)
			b.StartTimer()

			started := time.Now()
			response := server.doFrom(client, http.MethodPost, "/api/collections/users/auth-with-otp",
				jsonCodeBody(otpID, guess), nil)
			durations[c] = append(durations[c], time.Since(started))
			if response.StatusCode != http.StatusBadRequest {
				b.Fatalf("%s: got status %d, want 400", cases[c].name, response.StatusCode)
			}
		}
	}
	b.StopTimer()

	for c, times := range durations {
		slices.Sort(times)
		median := times[len(times)/2]
		b.ReportMetric(float64(median)/float64(time.Millisecond), cases[c].name+"-ms")
	}
}

// prepareWrongCode returns an otpId of the kind c and a code that is wrong
// for it.
func (s *testServer) prepareWrongCode(b *testing.B, fake *hearthtest.FakeTwilio, c wrongCodeCase) (string, string) {
	b.Helper()
	if c.phone == "" {
		return security.RandomStringWithAlphabet(15, "abcdefghijklmnopqrstuvwxyz0123456789"), "000000"
	}
	otpID := otpIDOf(b, s.requestCode(c.phone, c.lastName))
	s.hearth.WaitForCodeDeliveries()
	if c.expire {
		backdate(b, s.app, core.CollectionNameOTPs, dbx.HashExp{"id": otpID}, 5*time.Minute+time.Second)
	}
	// LastCode is "" for a pair that got no code, and any code is wrong then.
	return otpID, wrongCode(fake.LastCode(c.phone))
}
