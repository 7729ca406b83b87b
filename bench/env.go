package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// bench contains what every scenario shares: the built servers, the seeded
// template data folders and one HTTP client for setup and streams.
type bench struct {
	work     string
	binaries map[string]string
	hearth   *seeded
	barePB   *seeded
	client   *http.Client
	runs     int
	quick    bool
	started  int // servers started so far, for unique folder names
	report   *report
}

func newHTTPClient() *http.Client {
	transport := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        10000,
		MaxIdleConnsPerHost: 10000,
		IdleConnTimeout:     30 * time.Second,
	}
	return &http.Client{Transport: transport}
}

// start launches a fresh server of the named system on a copy of its
// template data folder, with people in rooms of roomSize.
func (b *bench) start(name string, roomSize int) (*system, error) {
	b.started++
	dir := filepath.Join(b.work, fmt.Sprintf("run%03d", b.started))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	s := &system{name: name, roomSize: roomSize, client: b.client}
	var err error
	switch name {
	case hearthSystem:
		s.seed = b.hearth
		if err = copyDir(b.hearth.dir, filepath.Join(dir, "pb_data")); err != nil {
			return nil, err
		}
		env := []string{
			"HEARTH_IDLE_TIMEOUT=24h",
			// Sign-in limits are raised so that the sign-in scenario
			// measures the work of a request, not the limiter refusing it.
			"HEARTH_OTP_COOLDOWN=1ms",
			"HEARTH_OTP_HOURLY_MAX=1000000",
			"HEARTH_OTP_CLIENT_LIMITS=1000000/1h",
		}
		env = append(env, b.twilioEnv()...)
		s.proc, err = startProcess("hearth", b.binaries["hearth"], dir,
			[]string{"serve", "--dev=false", "--http", "ADDR", "--dir", filepath.Join(dir, "pb_data")}, env, "/api/health")
	case barePBSystem:
		s.seed = b.barePB
		if err = copyDir(b.barePB.dir, filepath.Join(dir, "pb_data")); err != nil {
			return nil, err
		}
		s.proc, err = startProcess("barepb", b.binaries["barepb"], dir,
			[]string{"serve", "--dev=false", "--http", "ADDR", "--dir", filepath.Join(dir, "pb_data")}, nil, "/api/health")
	default:
		s.proc, err = startProcess("minsse", b.binaries["minsse"], dir, []string{"--http", "ADDR"}, nil, "/health")
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// stop ends the server and removes its data folder copy.
func (b *bench) stop(s *system) {
	if s == nil {
		return
	}
	s.proc.stop()
	b.client.CloseIdleConnections()
	_ = os.RemoveAll(filepath.Join(s.proc.dir, "pb_data"))
}

// twilioEnv points Hearth's SMS sender at the benchmark's own fake Twilio
// API on loopback, so the sign-in scenario can read the codes it sends.
// It is empty until that fake runs.
func (b *bench) twilioEnv() []string {
	if fakeTwilio == nil {
		return nil
	}
	return []string{
		"TWILIO_ACCOUNT_SID=ACbenchmark",
		"TWILIO_AUTH_TOKEN=benchmark",
		"TWILIO_FROM=+15005550006",
		"TWILIO_API_URL=" + fakeTwilio.url,
	}
}

// parallel runs fn for 0…count-1 on workers goroutines and returns the
// first error.
func parallel(count, workers int, fn func(i int) error) error {
	var next atomic.Int64
	var first error
	var once sync.Once
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= count {
					return
				}
				if err := fn(i); err != nil {
					once.Do(func() { first = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// connect enters (Hearth) people 0…count-1 into their rooms, then opens
// their streams. Everyone enters before any stream opens, because entering
// saves records and PocketBase walks every connected client on each saved
// record. Entering into a full server would measure that walk instead of
// the connections.
func (b *bench) connect(s *system, count int) ([]*stream, time.Duration, error) {
	err := parallel(count, 8, func(p int) error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.enter(ctx, p); err != nil {
			return fmt.Errorf("enter person %d: %w", p, err)
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	streams, elapsed, err := b.openStreams(s, count)
	return streams, elapsed, err
}

// openStreams opens the streams of people 0…count-1, who must be inside
// their rooms already.
func (b *bench) openStreams(s *system, count int) ([]*stream, time.Duration, error) {
	began := time.Now()
	streams := make([]*stream, count)
	err := parallel(count, 16, func(p int) error {
		st, err := openStream(s, p, 30*time.Second)
		streams[p] = st
		return err
	})
	if err != nil {
		closeStreams(streams)
		return nil, 0, err
	}
	return streams, time.Since(began), nil
}

func closeStreams(streams []*stream) {
	for _, st := range streams {
		if st != nil {
			st.cancel()
		}
	}
	for _, st := range streams {
		if st != nil {
			<-st.done
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
