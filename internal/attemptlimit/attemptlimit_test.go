package attemptlimit

import (
	"sync"
	"testing"
	"time"
)

const window = 180 * time.Second

var start = time.Date(2026, 3, 1, 18, 0, 0, 0, time.UTC)

// beginEnded begins and at once ends an attempt under key at now, and
// reports whether it was allowed.
func beginEnded(l *Limiter, now time.Time, keys ...string) bool {
	attempt, ok := l.Begin(now, keys...)
	if ok {
		attempt.End(now)
	}
	return ok
}

func TestLimiterSlidingWindow(t *testing.T) {
	l := New(5, window)
	for i := 0; i < 5; i++ {
		if !beginEnded(l, start.Add(time.Duration(i)*time.Second), "a") {
			t.Fatalf("attempt %d: rejected, want allowed", i+1)
		}
	}
	if beginEnded(l, start.Add(window-time.Millisecond), "a") {
		t.Error("sixth attempt just inside the window: allowed, want rejected")
	}
	if !beginEnded(l, start.Add(window), "a") {
		t.Error("attempt once the first has left the window: rejected, want allowed")
	}
	if beginEnded(l, start.Add(window), "a") {
		t.Error("second attempt once only the first has left the window: allowed, want rejected")
	}
	if !beginEnded(l, start, "b") {
		t.Error("attempt under another key: rejected, want allowed")
	}
}

func TestLimiterCountsRunningAttempt(t *testing.T) {
	l := New(1, window)
	attempt, ok := l.Begin(start, "a")
	if !ok {
		t.Fatal("first attempt: rejected, want allowed")
	}
	if beginEnded(l, start.Add(time.Hour), "a") {
		t.Error("attempt while the first still runs after an hour: allowed, want rejected")
	}

	attempt.End(start.Add(time.Hour))
	if beginEnded(l, start.Add(time.Hour+window-time.Millisecond), "a") {
		t.Error("attempt within the window after the first ended: allowed, want rejected")
	}
	if !beginEnded(l, start.Add(time.Hour+window), "a") {
		t.Error("attempt a window after the first ended: rejected, want allowed")
	}
}

func TestLimiterEndOnlyOnce(t *testing.T) {
	l := New(1, window)
	attempt, _ := l.Begin(start, "a")
	attempt.End(start)
	attempt.End(start.Add(time.Hour))
	if !beginEnded(l, start.Add(window), "a") {
		t.Error("a second End moved the end of the attempt")
	}
}

func TestLimiterKeysTogether(t *testing.T) {
	l := New(1, window)
	beginEnded(l, start, "a")
	if beginEnded(l, start, "a", "b") {
		t.Fatal("attempt under a full key and a free one: allowed, want rejected")
	}
	if !beginEnded(l, start, "b") {
		t.Error("the rejected attempt counted under the free key")
	}
}

func TestLimiterRepeatedKey(t *testing.T) {
	l := New(2, window)
	beginEnded(l, start, "a", "a")
	if !beginEnded(l, start, "a") {
		t.Error("an attempt under the same key twice counted twice")
	}
}

func TestLimiterSweepsOldKeys(t *testing.T) {
	l := New(1, window)
	for _, key := range []string{"a", "b", "c"} {
		beginEnded(l, start, key)
	}
	running, _ := l.Begin(start, "d")
	beginEnded(l, start.Add(window), "e")

	if _, kept := l.attempts["a"]; kept {
		t.Error("key a is kept after its attempts left the window")
	}
	if _, kept := l.attempts["d"]; !kept {
		t.Error("key d of a running attempt was dropped")
	}
	if got := len(l.attempts); got != 2 {
		t.Errorf("kept %d keys, want 2 (d and e)", got)
	}
	running.End(start)
}

func TestLimiterParallelBegins(t *testing.T) {
	l := New(5, window)
	var (
		done    sync.WaitGroup
		mu      sync.Mutex
		allowed int
	)
	for i := 0; i < 50; i++ {
		done.Add(1)
		go func() {
			defer done.Done()
			if _, ok := l.Begin(start, "a"); ok {
				mu.Lock()
				allowed++
				mu.Unlock()
			}
		}()
	}
	done.Wait()
	if allowed != 5 {
		t.Errorf("allowed %d of 50 parallel attempts, want 5", allowed)
	}
}
