package main

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"path/filepath"
	"slices"
	"sync/atomic"
	"syscall"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
	_ "modernc.org/sqlite"
)

// pocketBasePragmas are the connection settings PocketBase v0.36.8 opens
// its SQLite databases with (core/db_connect.go).
const pocketBasePragmas = "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=journal_size_limit(200000000)" +
	"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)&_pragma=temp_store(MEMORY)&_pragma=cache_size(-32000)"

// processCPU returns the CPU time this process has used, user plus system.
func processCPU() time.Duration {
	var usage syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &usage)
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
}

// sqliteInsertCost measures single-row inserts, each its own transaction,
// with PocketBase's pragmas through modernc.org/sqlite in this process. It
// returns the mean CPU time per insert.
func (b *bench) sqliteInsertCost(count int) (time.Duration, error) {
	path := filepath.Join(b.work, fmt.Sprintf("inserts-%d.db", time.Now().UnixNano()))
	db, err := sql.Open("sqlite", path+pocketBasePragmas)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	_, err = db.Exec("CREATE TABLE msgs (id TEXT PRIMARY KEY NOT NULL, room TEXT NOT NULL, body TEXT NOT NULL, created TEXT NOT NULL)")
	if err != nil {
		return 0, err
	}
	statement, err := db.Prepare("INSERT INTO msgs (id, room, body, created) VALUES (?, ?, ?, ?)")
	if err != nil {
		return 0, err
	}
	defer statement.Close()
	began := processCPU()
	for i := range count {
		_, err := statement.Exec(fmt.Sprintf("m%014d", i), roomKey(i%50), messageBody(i, int64(i)),
			time.Now().UTC().Format("2006-01-02 15:04:05.000Z"))
		if err != nil {
			return 0, err
		}
	}
	return (processCPU() - began) / time.Duration(count), nil
}

// scenarioBaseline measures the floor of a post: one SQLite insert.
func (b *bench) scenarioBaseline() error {
	for range b.runs {
		cost, err := b.sqliteInsertCost(b.size(3000, 1000))
		if err != nil {
			return err
		}
		b.report.add("baseline: SQLite single-row insert, PocketBase pragmas", "CPU per insert", "ms", milliseconds(cost), "", 0, "")
	}
	return nil
}

// loadResult is one fixed-rate run of requests against one server.
type loadResult struct {
	requests, failures int
	cpuPerRequest      time.Duration
	latency            []time.Duration // sorted
}

// load sends requests from next at rate per second for duration and
// measures the server's CPU time per request from /proc.
// onResult, when not nil, receives every result.
func load(s *system, rate int, duration time.Duration, next func() vegeta.Target, onResult func(*vegeta.Result)) (loadResult, error) {
	var result loadResult
	before, err := cpuSeconds(s.proc.pid())
	if err != nil {
		return result, err
	}
	targeter := func(target *vegeta.Target) error {
		*target = next()
		return nil
	}
	attacker := vegeta.NewAttacker(vegeta.Timeout(20*time.Second), vegeta.KeepAlive(true))
	var firstError string
	for res := range attacker.Attack(targeter, vegeta.Rate{Freq: rate, Per: time.Second}, duration, "load") {
		result.requests++
		if onResult != nil {
			onResult(res)
		}
		if res.Code/100 != 2 {
			result.failures++
			if firstError == "" {
				firstError = fmt.Sprintf("status %d %s %.200s", res.Code, res.Error, res.Body)
			}
			continue
		}
		result.latency = append(result.latency, res.Latency)
	}
	after, err := cpuSeconds(s.proc.pid())
	if err != nil {
		return result, err
	}
	if firstError != "" {
		log.Printf("  %s: %d of %d requests failed, first: %s", s.name, result.failures, result.requests, firstError)
	}
	slices.Sort(result.latency)
	if result.requests > 0 {
		result.cpuPerRequest = time.Duration((after - before) / float64(result.requests) * float64(time.Second))
	}
	return result, nil
}

// postSeq numbers the posts of postLoad across calls, so that no client_id
// repeats on a server that several calls post to.
var postSeq atomic.Int64

// postLoad posts messages from people 0…people-1 in turn.
func postLoad(s *system, people, rate int, duration time.Duration) (loadResult, error) {
	var counter atomic.Int64
	return load(s, rate, duration, func() vegeta.Target {
		p := int(counter.Add(1)-1) % people
		seq := postSeq.Add(1)
		return s.postTarget(p, seq, messageBody(p, seq))
	}, nil)
}

// scenarioPost compares Hearth's action POST with PocketBase's plain record
// create at the same fixed rate, with no client subscribed.
func (b *bench) scenarioPost() error {
	const people, roomSize = 200, 8
	rate := 100
	duration := b.duration(5*time.Second, 3*time.Second)
	hearth, err := b.start(hearthSystem, roomSize)
	if err != nil {
		return err
	}
	defer b.stop(hearth)
	plain, err := b.start(barePBSystem, roomSize)
	if err != nil {
		return err
	}
	defer b.stop(plain)
	if err := parallel(people, 8, func(p int) error { return hearth.enter(context.Background(), p) }); err != nil {
		return fmt.Errorf("enter Hearth rooms: %w", err)
	}
	// One untimed round warms both servers' caches and connections.
	if _, err := postLoad(hearth, people, rate, time.Second); err != nil {
		return err
	}
	if _, err := postLoad(plain, people, rate, time.Second); err != nil {
		return err
	}

	for run := range b.runs {
		var got, base loadResult
		// Alternate which server goes first, so neither always gets the
		// warmer machine.
		order := []*system{hearth, plain}
		if run%2 == 1 {
			order = []*system{plain, hearth}
		}
		for _, s := range order {
			result, err := postLoad(s, people, rate, duration)
			if err != nil {
				return err
			}
			log.Printf("  %s: %d posts, CPU %.3f ms each, p50 %.1f ms, p99 %.1f ms", s.name, result.requests,
				milliseconds(result.cpuPerRequest), milliseconds(percentile(result.latency, 0.5)), milliseconds(percentile(result.latency, 0.99)))
			if s == hearth {
				got = result
			} else {
				base = result
			}
		}
		insert, err := b.sqliteInsertCost(1000)
		if err != nil {
			return err
		}
		scenario := fmt.Sprintf("posting at %d/s, nobody subscribed — Hearth action POST", rate)
		b.report.add(scenario, "server CPU per post", "ms", milliseconds(got.cpuPerRequest), "PocketBase create", milliseconds(base.cpuPerRequest), "≤ 1.5×")
		b.report.add(scenario, "POST p50", "ms", milliseconds(percentile(got.latency, 0.5)), "PocketBase create", milliseconds(percentile(base.latency, 0.5)), "")
		b.report.add(scenario, "POST p99", "ms", milliseconds(percentile(got.latency, 0.99)), "PocketBase create", milliseconds(percentile(base.latency, 0.99)), "")
		b.report.add(scenario, "failed posts", "", float64(got.failures), "", 0, "0")
		b.report.add(fmt.Sprintf("posting at %d/s — PocketBase plain create", rate), "server CPU per post", "ms",
			milliseconds(base.cpuPerRequest), "SQLite insert", milliseconds(insert), "")
	}
	return nil
}
