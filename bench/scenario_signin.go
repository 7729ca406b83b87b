package main

import (
	"encoding/json"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
	"golang.org/x/crypto/bcrypt"
)

// otpHashCost is the bcrypt cost of the password field of PocketBase's
// _otps collection in v0.36.8 (migrations/1640988000_init.go).
const otpHashCost = 8

// twilioFake is a loopback stand-in for Twilio's Messages API that keeps
// the last code sent to each number, so the benchmark can sign in.
type twilioFake struct {
	url      string
	server   *http.Server
	mu       sync.Mutex
	codes    map[string]string
	messages atomic.Int64
}

// fakeTwilio is set while the sign-in scenario runs. Hearth servers started
// in that time send their SMS to it.
var fakeTwilio *twilioFake

var sixDigits = regexp.MustCompile(`\b[0-9]{6}\b`)

func startTwilioFake() (*twilioFake, error) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	fake := &twilioFake{url: "http://" + listener.Addr().String(), codes: map[string]string{}}
	fake.server = &http.Server{Handler: http.HandlerFunc(fake.serveHTTP)}
	go fake.server.Serve(listener)
	return fake, nil
}

func (f *twilioFake) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "invalid form", http.StatusBadRequest)
		return
	}
	f.messages.Add(1)
	if code := sixDigits.FindString(r.PostForm.Get("Body")); code != "" {
		f.mu.Lock()
		f.codes[r.PostForm.Get("To")] = code
		f.mu.Unlock()
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	n := f.messages.Load()
	fmt.Fprintf(w, `{"sid":"SM%032d","status":"queued","to":%q}`, n, r.PostForm.Get("To"))
}

func (f *twilioFake) code(phone string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.codes[phone]
}

// bcryptCost returns the mean CPU time of one bcrypt hash at cost.
func bcryptCost(cost, count int) (time.Duration, error) {
	began := processCPU()
	for range count {
		if _, err := bcrypt.GenerateFromPassword([]byte("123456"), cost); err != nil {
			return 0, err
		}
	}
	return (processCPU() - began) / time.Duration(count), nil
}

// scenarioSignIn measures code requests and code verifications against
// the cost of the bcrypt hashing each does.
func (b *bench) scenarioSignIn() error {
	fake, err := startTwilioFake()
	if err != nil {
		return err
	}
	fakeTwilio = fake
	defer func() {
		fakeTwilio = nil
		fake.server.Close()
	}()

	const rate = 20
	duration := b.duration(4*time.Second, 3*time.Second)
	perRun := rate * int(duration/time.Second)
	for run := range b.runs {
		s, err := b.start(hearthSystem, 8)
		if err != nil {
			return err
		}
		// Each run signs in people no earlier run used.
		first := run * perRun
		if first+perRun > len(b.hearth.people) {
			first = 0
		}
		err = b.signInOnce(s, fake, first, perRun, rate, duration)
		b.stop(s)
		if err != nil {
			return err
		}
	}
	return nil
}

func (b *bench) signInOnce(s *system, fake *twilioFake, first, count, rate int, duration time.Duration) error {
	// Code requests: every request names a different enrolled person.
	var next atomic.Int64
	otpIDs := map[int]string{}
	requests, err := load(s, rate, duration, func() vegeta.Target {
		p := first + int(next.Add(1)-1)%count
		person := b.hearth.people[p]
		body, _ := json.Marshal(map[string]string{"phone": person.Phone, "last_name": person.Last})
		// The query parameter names the person in vegeta's result; the
		// route ignores it.
		return vegeta.Target{
			Method: http.MethodPost, URL: s.proc.base + "/api/otp/request?person=" + strconv.Itoa(p),
			Header: http.Header{"Content-Type": {"application/json"}}, Body: body,
		}
	}, func(res *vegeta.Result) {
		var answer struct {
			OTPID string `json:"otpId"`
		}
		u, err := url.Parse(res.URL)
		if err != nil || json.Unmarshal(res.Body, &answer) != nil {
			return
		}
		p, _ := strconv.Atoi(u.Query().Get("person"))
		otpIDs[p] = answer.OTPID
	})
	if err != nil {
		return err
	}

	// Verifications: each code once, at the same rate.
	time.Sleep(time.Second)
	type attempt struct{ otpID, code string }
	var attempts []attempt
	for p, otpID := range otpIDs {
		if code := fake.code(b.hearth.people[p].Phone); code != "" && otpID != "" {
			attempts = append(attempts, attempt{otpID, code})
		}
	}
	if len(attempts) == 0 {
		return fmt.Errorf("no code reached the fake SMS API (%d messages, %d otpIds)", fake.messages.Load(), len(otpIDs))
	}
	next.Store(0)
	verifications, err := load(s, rate, time.Duration(len(attempts))*time.Second/time.Duration(rate), func() vegeta.Target {
		a := attempts[int(next.Add(1)-1)%len(attempts)]
		body, _ := json.Marshal(map[string]string{"otpId": a.otpID, "password": a.code})
		return vegeta.Target{
			Method: http.MethodPost, URL: s.proc.base + "/api/collections/users/auth-with-otp",
			Header: http.Header{"Content-Type": {"application/json"}}, Body: body,
		}
	}, nil)
	if err != nil {
		return err
	}

	hash, err := bcryptCost(otpHashCost, 20)
	if err != nil {
		return err
	}
	cores := float64(runtime.NumCPU())
	perSecond := func(cpu time.Duration) float64 { return cores / cpu.Seconds() }
	log.Printf("  Hearth: %d code requests (%d failed), CPU %.2f ms each; %d verifications (%d failed), CPU %.2f ms each; bcrypt cost %d %.2f ms",
		requests.requests, requests.failures, milliseconds(requests.cpuPerRequest),
		verifications.requests, verifications.failures, milliseconds(verifications.cpuPerRequest), otpHashCost, milliseconds(hash))

	baseline := fmt.Sprintf("bcrypt cost %d hashes", otpHashCost)
	scenario := fmt.Sprintf("sign-in at %d/s", rate)
	b.report.add(scenario+" — POST /api/otp/request", "capacity on all cores (from CPU per request)", "/s",
		perSecond(requests.cpuPerRequest), baseline, perSecond(hash), "")
	b.report.add(scenario+" — POST /api/otp/request", "p50", "ms",
		milliseconds(percentile(requests.latency, 0.5)), "", 0, "")
	b.report.add(scenario+" — POST /api/otp/request", "p99", "ms", milliseconds(percentile(requests.latency, 0.99)), "", 0, "")
	b.report.add(scenario+" — POST /api/otp/request", "failed", "", float64(requests.failures), "", 0, "0")
	b.report.add(scenario+" — auth-with-otp", "capacity on all cores (from CPU per request)", "/s",
		perSecond(verifications.cpuPerRequest), baseline, perSecond(hash), "")
	b.report.add(scenario+" — auth-with-otp", "p50", "ms", milliseconds(percentile(verifications.latency, 0.5)), "", 0, "")
	b.report.add(scenario+" — auth-with-otp", "p99", "ms", milliseconds(percentile(verifications.latency, 0.99)), "", 0, "")
	b.report.add(scenario+" — auth-with-otp", "failed", "", float64(verifications.failures), "", 0, "0")
	return nil
}
