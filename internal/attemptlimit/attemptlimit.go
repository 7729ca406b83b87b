// Package attemptlimit limits attempts per key over a sliding window, in
// memory.
//
// An attempt counts from when it begins until the window's length after it
// ends. Other code that counts the same attempt at some moment while it
// runs, with the same maximum and a window no longer, therefore never
// reaches its limit before this one does.
package attemptlimit

import (
	"slices"
	"sync"
	"time"
)

// Limiter allows at most a maximum of attempts per key in any window of
// the same length. It is safe for concurrent use.
type Limiter struct {
	maxAttempts int
	window      time.Duration

	mu        sync.Mutex
	attempts  map[string][]*Attempt
	lastSweep time.Time
}

// Attempt is one attempt begun under a Limiter.
type Attempt struct {
	limiter *Limiter
	ended   bool
	endedAt time.Time
}

// New returns a Limiter that allows maxAttempts attempts per key in any
// window of length window.
func New(maxAttempts int, window time.Duration) *Limiter {
	return &Limiter{maxAttempts: maxAttempts, window: window, attempts: map[string][]*Attempt{}}
}

// Begin starts an attempt that counts under every one of keys, if each of
// them has room for one more. Otherwise it returns nil and false, and the
// rejected attempt counts nowhere. Call End on the returned attempt when
// it is over.
func (l *Limiter) Begin(now time.Time, keys ...string) (*Attempt, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)

	keys = uniqueKeys(keys)
	for _, key := range keys {
		l.attempts[key] = l.current(l.attempts[key], now)
		if len(l.attempts[key]) >= l.maxAttempts {
			return nil, false
		}
	}
	attempt := &Attempt{limiter: l}
	for _, key := range keys {
		l.attempts[key] = append(l.attempts[key], attempt)
	}
	return attempt, true
}

// End marks the attempt as over at now. It goes on counting for the
// limiter's window length after now. Only the first call has an effect.
func (a *Attempt) End(now time.Time) {
	a.limiter.mu.Lock()
	defer a.limiter.mu.Unlock()
	if !a.ended {
		a.ended, a.endedAt = true, now
	}
}

// current returns the attempts of list that still count at now.
func (l *Limiter) current(list []*Attempt, now time.Time) []*Attempt {
	kept := list[:0]
	for _, attempt := range list {
		if !attempt.ended || now.Sub(attempt.endedAt) < l.window {
			kept = append(kept, attempt)
		}
	}
	return kept
}

// sweep drops the keys whose attempts no longer count, at most once per
// window length, so that keys seen once do not pile up in memory.
func (l *Limiter) sweep(now time.Time) {
	if now.Sub(l.lastSweep) < l.window {
		return
	}
	l.lastSweep = now
	for key, list := range l.attempts {
		if list = l.current(list, now); len(list) == 0 {
			delete(l.attempts, key)
		} else {
			l.attempts[key] = list
		}
	}
}

func uniqueKeys(keys []string) []string {
	unique := make([]string, 0, len(keys))
	for _, key := range keys {
		if !slices.Contains(unique, key) {
			unique = append(unique, key)
		}
	}
	return unique
}
