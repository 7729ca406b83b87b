package main

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// fanoutResult is one measurement window of a fan-out: every person posting
// at a fixed interval to their room while every person reads their room's
// stream.
type fanoutResult struct {
	people, roomSize     int
	posted, postFailures int
	postLatency          []time.Duration // sorted
	deliveryLatency      []time.Duration // sorted
	expected, delivered  int
	duplicates, reorders int
	serverCPU            time.Duration // the server process's CPU time in the window
	ended, malformed     int           // since the stream opened
	streamErrors         int           // streams closed by the server
}

func (r fanoutResult) deliveryRatio() float64 {
	if r.expected == 0 {
		return 0
	}
	return float64(r.delivered) / float64(r.expected)
}

func (r fanoutResult) lost() int { return max(0, r.expected-r.delivered) }

// cpuPerPost is the server's CPU time per post in the window, deliveries
// included. Unlike latency it hardly moves when other work shares the
// machine.
func (r fanoutResult) cpuPerPost() time.Duration {
	if r.posted == 0 {
		return 0
	}
	return r.serverCPU / time.Duration(r.posted)
}

// fanoutSession is a started server with every person entered and
// streaming. Its windows share the per-stream history, so duplicates and
// reordering are caught across windows too.
type fanoutSession struct {
	s       *system
	streams []*stream
	people  int
	seqs    []atomic.Int64
	seen    []map[[2]int64]bool
	lastSeq []int64
	lastBy  []map[int]int64
}

// startFanout starts a fresh server and connects people clients, rounded
// down to whole rooms.
func (b *bench) startFanout(name string, roomSize, people int) (*fanoutSession, error) {
	s, err := b.start(name, roomSize)
	if err != nil {
		return nil, err
	}
	people = people / roomSize * roomSize
	streams, _, err := b.connect(s, people)
	if err != nil {
		b.stop(s)
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	f := &fanoutSession{s: s, streams: streams, people: people,
		seqs: make([]atomic.Int64, people), seen: make([]map[[2]int64]bool, people),
		lastSeq: make([]int64, people), lastBy: make([]map[int]int64, people)}
	for p := range people {
		f.seen[p] = map[[2]int64]bool{}
		f.lastBy[p] = map[int]int64{}
	}
	time.Sleep(500 * time.Millisecond)
	return f, nil
}

func (b *bench) stopFanout(f *fanoutSession) {
	if f == nil {
		return
	}
	closeStreams(f.streams)
	b.stop(f.s)
}

// window has each person post once per interval for duration and waits,
// at most 15 s, for the deliveries. Arrivals are open-loop: vegeta sends at
// the fixed total rate whether or not earlier posts have finished.
func (f *fanoutSession) window(interval, duration time.Duration) fanoutResult {
	result := fanoutResult{people: f.people, roomSize: f.s.roomSize}
	for _, st := range f.streams {
		st.take() // join notices and late arrivals of an earlier window
		st.received.Store(0)
	}

	cpuBefore, _ := cpuSeconds(f.s.proc.pid())
	order := rand.Perm(f.people)
	var next atomic.Int64
	targeter := func(target *vegeta.Target) error {
		p := order[int(next.Add(1)-1)%f.people]
		seq := f.seqs[p].Add(1)
		*target = f.s.postTarget(p, seq, messageBody(p, seq))
		return nil
	}
	rate := vegeta.Rate{Freq: f.people, Per: interval}
	attacker := vegeta.NewAttacker(vegeta.Timeout(20*time.Second), vegeta.KeepAlive(true))
	for res := range attacker.Attack(targeter, rate, duration, "fanout") {
		result.posted++
		if res.Code/100 != 2 {
			result.postFailures++
			continue
		}
		result.postLatency = append(result.postLatency, res.Latency)
	}
	result.expected = (result.posted - result.postFailures) * f.s.roomSize

	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		var received int64
		for _, st := range f.streams {
			received += st.received.Load()
		}
		if int(received) >= result.expected {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	cpuAfter, _ := cpuSeconds(f.s.proc.pid())
	result.serverCPU = time.Duration((cpuAfter - cpuBefore) * float64(time.Second))
	f.analyse(&result)
	slices.Sort(result.postLatency)
	return result
}

// analyse counts unique, duplicate and reordered deliveries per stream.
// Order is judged by the room's sequence number where the system has one,
// else by each sender's own sequence.
func (f *fanoutSession) analyse(r *fanoutResult) {
	for p, st := range f.streams {
		for _, d := range st.take() {
			key := [2]int64{int64(d.sender), d.senderSeq}
			if f.seen[p][key] {
				r.duplicates++
				continue
			}
			f.seen[p][key] = true
			r.delivered++
			r.deliveryLatency = append(r.deliveryLatency, d.latency)
			if d.serverSeq > 0 {
				if d.serverSeq <= f.lastSeq[p] {
					r.reorders++
				}
				f.lastSeq[p] = d.serverSeq
			} else {
				if d.senderSeq <= f.lastBy[p][d.sender] {
					r.reorders++
				}
				f.lastBy[p][d.sender] = d.senderSeq
			}
		}
		r.ended += int(st.ended.Load())
		r.malformed += int(st.malformed.Load())
		select {
		case <-st.done:
			r.streamErrors++ // the server closed a stream the benchmark still wanted
		default:
		}
	}
	slices.Sort(r.deliveryLatency)
}

func (r fanoutResult) String() string {
	return fmt.Sprintf("%d people in rooms of %d: server CPU %.2fms per post; posts %d (failed %d) p50 %.1fms p99 %.1fms; "+
		"delivery p50 %.1fms p99 %.1fms p99.9 %.1fms, %d/%d delivered, %d duplicates, %d reordered, %d ended, %d malformed, %d stream errors",
		r.people, r.roomSize, milliseconds(r.cpuPerPost()), r.posted, r.postFailures,
		milliseconds(percentile(r.postLatency, 0.5)), milliseconds(percentile(r.postLatency, 0.99)),
		milliseconds(percentile(r.deliveryLatency, 0.5)), milliseconds(percentile(r.deliveryLatency, 0.99)),
		milliseconds(percentile(r.deliveryLatency, 0.999)),
		r.delivered, r.expected, r.duplicates, r.reorders, r.ended, r.malformed, r.streamErrors)
}
