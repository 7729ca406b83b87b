package main

import (
	"context"
	"fmt"
	"log"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// scenarioReconnect drops every client while posts keep arriving, brings
// each back at a random moment within 10 s, and checks that its live
// stream plus a catch-up GET after its last id miss nothing.
func (b *bench) scenarioReconnect() error {
	people := b.size(2000, 600)
	// Two storms at most: each takes over half a minute at full size.
	for range min(b.runs, 2) {
		if err := b.reconnectOnce(people); err != nil {
			return err
		}
	}
	return nil
}

func (b *bench) reconnectOnce(people int) error {
	const roomSize = 8
	const spread = 10 * time.Second
	s, err := b.start(hearthSystem, roomSize)
	if err != nil {
		return err
	}
	defer b.stop(s)
	people = people / roomSize * roomSize
	streams, connectTime, err := b.connect(s, people)
	if err != nil {
		return err
	}
	var firstOpen []time.Duration
	for _, st := range streams {
		firstOpen = append(firstOpen, st.opened)
	}
	slices.Sort(firstOpen)

	// seen holds, per person, every room sequence number that reached them
	// by stream or catch-up.
	seen := make([]map[int64]bool, people)
	for p := range seen {
		seen[p] = map[int64]bool{}
	}
	absorb := func(p int, st *stream) int64 {
		for _, d := range st.take() {
			seen[p][d.serverSeq] = true
		}
		return st.lastSeq
	}

	// Posts arrive at the steady rate (each person every 20 s) before,
	// during and after the storm.
	var next atomic.Int64
	seqs := make([]atomic.Int64, people)
	targeter := func(target *vegeta.Target) error {
		p := int(next.Add(1)-1) % people
		seq := seqs[p].Add(1)
		*target = s.postTarget(p, seq, messageBody(p, seq))
		return nil
	}
	attacker := vegeta.NewAttacker(vegeta.Timeout(20*time.Second), vegeta.KeepAlive(true))
	postResults := attacker.Attack(targeter, vegeta.Rate{Freq: people, Per: 20 * time.Second}, spread+6*time.Second, "storm")
	var postFailures, posts int
	postsDone := make(chan struct{})
	go func() {
		for res := range postResults {
			posts++
			if res.Code/100 != 2 {
				postFailures++
			}
		}
		close(postsDone)
	}()

	time.Sleep(2 * time.Second)
	log.Printf("  Dropping %d clients", people)
	lastSeq := make([]int64, people)
	closeStreams(streams)
	for p, st := range streams {
		lastSeq[p] = absorb(p, st)
	}

	var mu sync.Mutex
	var back []time.Duration
	var failures []string
	stormBegan := time.Now()
	// One goroutine per client, each waking at its own random moment, so
	// the returns are spread as in a real outage and not queued by a pool.
	var wg sync.WaitGroup
	for p := range people {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Until(stormBegan.Add(time.Duration(rand.Int64N(int64(spread))))))
			began := time.Now()
			st, err := openStream(s, p, 30*time.Second)
			if err == nil {
				streams[p] = st
				err = s.catchUp(p, lastSeq[p], seen)
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failures = append(failures, err.Error())
				streams[p] = nil
				if st != nil {
					st.cancel()
				}
				return
			}
			back = append(back, time.Since(began))
		}()
	}
	wg.Wait()
	stormTime := time.Since(stormBegan)
	<-postsDone
	time.Sleep(2 * time.Second)
	closeStreams(streams)

	// Every client must now hold every message its room's log has.
	lost := 0
	ctx := context.Background()
	for p, st := range streams {
		if st == nil {
			continue
		}
		absorb(p, st)
		log, err := s.allActions(ctx, p)
		if err != nil {
			return err
		}
		for _, id := range log {
			if !seen[p][id] {
				lost++
			}
		}
	}
	slices.Sort(back)
	log.Printf("  Hearth: %d clients back in %s (first connect took %s), %d posts (%d failed), %d lost, %d reconnect failures %s",
		len(back), stormTime.Round(time.Millisecond), connectTime.Round(time.Millisecond), posts, postFailures, lost, len(failures),
		strings.Join(failures[:min(3, len(failures))], "; "))
	scenario := fmt.Sprintf("reconnect storm: %d clients drop and return within 10 s", people)
	b.report.add(scenario, "messages lost after catch-up", "", float64(lost), "", 0, "0")
	b.report.add(scenario, "failed reconnects", "", float64(len(failures)), "", 0, "0")
	b.report.add(scenario, "per-client reconnect + catch-up p50", "ms", milliseconds(percentile(back, 0.5)),
		"first connect", milliseconds(percentile(firstOpen, 0.5)), "")
	b.report.add(scenario, "per-client reconnect + catch-up p99", "ms", milliseconds(percentile(back, 0.99)),
		"first connect", milliseconds(percentile(firstOpen, 0.99)), "")
	return nil
}

// catchUp reads person p's room log after id into seen, page by page.
func (s *system) catchUp(p int, after int64, seen []map[int64]bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		page, err := s.actionsAfter(ctx, p, after)
		if err != nil {
			return fmt.Errorf("catch up person %d: %w", p, err)
		}
		if len(page.Actions) == 0 {
			return nil
		}
		for _, action := range page.Actions {
			seen[p][action.ID] = true
			after = action.ID
		}
	}
}

// allActions returns the ids of the benchmark's messages in person p's room.
func (s *system) allActions(ctx context.Context, p int) ([]int64, error) {
	var ids []int64
	var after int64
	for {
		page, err := s.actionsAfter(ctx, p, after)
		if err != nil {
			return nil, err
		}
		if len(page.Actions) == 0 {
			return ids, nil
		}
		for _, action := range page.Actions {
			if strings.HasPrefix(action.Body, "bench ") {
				ids = append(ids, action.ID)
			}
			after = action.ID
		}
	}
}
