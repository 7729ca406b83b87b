package main

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"strconv"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// scenarioPoll compares GET …/actions?after=N from many clients with the
// plain SQL select that finds the same rows.
func (b *bench) scenarioPoll() error {
	const roomSize, perRoom = 8, 40
	people := b.size(400, 160)
	rate := 200
	duration := b.duration(5*time.Second, 3*time.Second)
	s, err := b.start(hearthSystem, roomSize)
	if err != nil {
		return err
	}
	defer b.stop(s)
	ctx := context.Background()
	if err := parallel(people, 8, func(p int) error { return s.enter(ctx, p) }); err != nil {
		return fmt.Errorf("enter Hearth rooms: %w", err)
	}
	// Fill each room's log, then read the newest id of each room.
	rooms := people / roomSize
	if err := parallel(rooms*perRoom, 8, func(i int) error {
		p := (i%rooms)*roomSize + i/rooms%roomSize
		target := s.postTarget(p, int64(i), messageBody(p, int64(i)))
		_, err := s.call(ctx, http.MethodPost, target.URL[len(s.proc.base):], s.token(p), rawJSON(target.Body))
		return err
	}); err != nil {
		return fmt.Errorf("fill the action logs: %w", err)
	}
	newest := make([]int64, rooms)
	for room := range rooms {
		page, err := s.actionsAfter(ctx, room*roomSize, 0)
		if err != nil {
			return err
		}
		newest[room] = page.MaxID
	}

	// Each poll requests the last ten actions of the caller's room, as a
	// client does that catches up after a short gap.
	next := func() (int, int64) {
		p := rand.IntN(people)
		return p, max(0, newest[p/roomSize]-10)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(s.proc.dir, "pb_data", "data.db")+pocketBasePragmas+"&mode=ro")
	if err != nil {
		return err
	}
	defer db.Close()
	selectCost := func(count int) (time.Duration, error) {
		began := processCPU()
		for range count {
			p, after := next()
			rows, err := db.Query("SELECT * FROM actions WHERE therapy_session = ? AND seq > ? ORDER BY seq LIMIT 100", s.sessionID(p), after)
			if err != nil {
				return 0, err
			}
			for rows.Next() {
			}
			if err := rows.Close(); err != nil {
				return 0, err
			}
		}
		return (processCPU() - began) / time.Duration(count), nil
	}

	scenario := fmt.Sprintf("polling: %d clients, GET actions?after=N at %d/s (10 new actions each)", people, rate)
	for range b.runs {
		result, err := load(s, rate, duration, func() vegeta.Target {
			p, after := next()
			return vegeta.Target{
				Method: http.MethodGet,
				URL:    s.proc.base + "/api/therapy-sessions/" + s.sessionID(p) + "/actions?after=" + strconv.FormatInt(after, 10),
				Header: http.Header{"Authorization": {s.token(p)}},
			}
		}, nil)
		if err != nil {
			return err
		}
		base, err := selectCost(2000)
		if err != nil {
			return err
		}
		log.Printf("  Hearth: %d polls, CPU %.3f ms each, p99 %.1f ms; SQL select %.3f ms", result.requests,
			milliseconds(result.cpuPerRequest), milliseconds(percentile(result.latency, 0.99)), milliseconds(base))
		b.report.add(scenario, "server CPU per GET", "ms", milliseconds(result.cpuPerRequest), "plain SQL select", milliseconds(base), "")
		b.report.add(scenario, "GET p50", "ms", milliseconds(percentile(result.latency, 0.5)), "", 0, "")
		b.report.add(scenario, "GET p99", "ms", milliseconds(percentile(result.latency, 0.99)), "", 0, "")
		b.report.add(scenario, "failed GETs", "", float64(result.failures), "", 0, "0")
	}
	return nil
}
