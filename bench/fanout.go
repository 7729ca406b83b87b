package main

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// fanoutResult is one fan-out run: every person posting at a fixed
// interval to their room while every person reads their room's stream.
type fanoutResult struct {
	people, roomSize     int
	connect              time.Duration
	posted, postFailures int
	postLatency          []time.Duration // sorted
	deliveryLatency      []time.Duration // sorted
	expected, delivered  int
	duplicates, reorders int
	ended, malformed     int
	streamErrors         int
}

func (r fanoutResult) deliveryRatio() float64 {
	if r.expected == 0 {
		return 0
	}
	return float64(r.delivered) / float64(r.expected)
}

func (r fanoutResult) lost() int { return max(0, r.expected-r.delivered) }

// fanout connects people clients (rounded down to whole rooms) and has each
// post once per interval for duration. Arrivals are open-loop: vegeta sends
// at the fixed total rate whether or not earlier posts have finished.
func (b *bench) fanout(s *system, people int, interval, duration time.Duration) (fanoutResult, error) {
	people = people / s.roomSize * s.roomSize
	result := fanoutResult{people: people, roomSize: s.roomSize}
	streams, connectTime, err := b.connect(s, people)
	if err != nil {
		return result, err
	}
	result.connect = connectTime
	time.Sleep(500 * time.Millisecond)

	order := rand.Perm(people)
	seqs := make([]atomic.Int64, people)
	var next atomic.Int64
	targeter := func(target *vegeta.Target) error {
		p := order[int(next.Add(1)-1)%people]
		seq := seqs[p].Add(1)
		*target = s.postTarget(p, seq, messageBody(p, seq))
		return nil
	}
	rate := vegeta.Rate{Freq: people, Per: interval}
	attacker := vegeta.NewAttacker(vegeta.Timeout(20*time.Second), vegeta.KeepAlive(true))
	for res := range attacker.Attack(targeter, rate, duration, "fanout") {
		result.posted++
		if res.Code/100 != 2 {
			result.postFailures++
			continue
		}
		result.postLatency = append(result.postLatency, res.Latency)
	}
	result.expected = (result.posted - result.postFailures) * s.roomSize

	// Wait for the last deliveries, at most 15 seconds.
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		var received int64
		for _, st := range streams {
			received += st.received.Load()
		}
		if int(received) >= result.expected {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	closeStreams(streams)
	result.analyse(streams)
	slices.Sort(result.postLatency)
	return result, nil
}

// analyse counts unique, duplicate and reordered deliveries per stream.
// Order is judged by the room's sequence number where the system has one,
// else by each sender's own sequence.
func (r *fanoutResult) analyse(streams []*stream) {
	for _, st := range streams {
		seen := map[[2]int64]bool{}
		lastBySender := map[int]int64{}
		var lastServerSeq int64
		for _, d := range st.deliveries {
			key := [2]int64{int64(d.sender), d.senderSeq}
			if seen[key] {
				r.duplicates++
				continue
			}
			seen[key] = true
			r.delivered++
			r.deliveryLatency = append(r.deliveryLatency, d.latency)
			if d.serverSeq > 0 {
				if d.serverSeq <= lastServerSeq {
					r.reorders++
				}
				lastServerSeq = d.serverSeq
			} else {
				if d.senderSeq <= lastBySender[d.sender] {
					r.reorders++
				}
				lastBySender[d.sender] = d.senderSeq
			}
		}
		r.ended += st.ended
		r.malformed += st.malformed
		if st.readErr != nil {
			r.streamErrors++
		}
	}
	slices.Sort(r.deliveryLatency)
}

func (r fanoutResult) String() string {
	return fmt.Sprintf("%d people in rooms of %d: connect %s, posts %d (failed %d) p50 %.1fms p99 %.1fms; "+
		"delivery p50 %.1fms p99 %.1fms p99.9 %.1fms, %d/%d delivered, %d duplicates, %d reordered, %d ended, %d malformed, %d stream errors",
		r.people, r.roomSize, r.connect.Round(time.Millisecond), r.posted, r.postFailures,
		milliseconds(percentile(r.postLatency, 0.5)), milliseconds(percentile(r.postLatency, 0.99)),
		milliseconds(percentile(r.deliveryLatency, 0.5)), milliseconds(percentile(r.deliveryLatency, 0.99)),
		milliseconds(percentile(r.deliveryLatency, 0.999)),
		r.delivered, r.expected, r.duplicates, r.reorders, r.ended, r.malformed, r.streamErrors)
}
