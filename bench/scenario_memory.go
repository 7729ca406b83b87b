package main

import (
	"context"
	"fmt"
	"log"
	"time"
)

// idleMemory connects count idle clients (entered and subscribed, in rooms
// of 15) to a fresh server and returns the growth of its resident set size
// per client, read from /proc.
func (b *bench) idleMemory(name string, count int) (float64, error) {
	s, err := b.start(name, 15)
	if err != nil {
		return 0, err
	}
	defer b.stop(s)
	// Entering writes records and leaves garbage that is not the cost of a
	// connection, so the clients enter before the first reading.
	ctx := context.Background()
	if err := parallel(count, 8, func(p int) error { return s.enter(ctx, p) }); err != nil {
		return 0, fmt.Errorf("enter: %w", err)
	}
	time.Sleep(time.Second)
	before, err := rssBytes(s.proc.pid())
	if err != nil {
		return 0, err
	}
	streams, connectTime, err := b.openStreams(s, count)
	if err != nil {
		return 0, err
	}
	defer closeStreams(streams)
	// Let the server finish the work of connecting, so the figure is of
	// idle clients.
	time.Sleep(2 * time.Second)
	after, err := rssBytes(s.proc.pid())
	if err != nil {
		return 0, err
	}
	perClient := (after - before) / float64(count)
	log.Printf("  %s: %d idle clients connected in %s, RSS %.0f → %.0f MiB, %.1f KiB per client",
		name, count, connectTime.Round(time.Millisecond), before/(1<<20), after/(1<<20), perClient/1024)
	return perClient, nil
}

// scenarioMemory measures memory per idle connected client against the
// minimal SSE server.
func (b *bench) scenarioMemory() error {
	count := b.size(5000, 1000)
	scenario := fmt.Sprintf("memory: %d idle clients", count)
	for run := range b.runs {
		base, err := b.idleMemory(minSSESystem, count)
		if err != nil {
			return err
		}
		got, err := b.idleMemory(hearthSystem, count)
		if err != nil {
			return err
		}
		b.report.add(scenario+" — Hearth", "RSS per client", "KiB", got/1024, minSSESystem, base/1024, "≤ 2×")
		if run == 0 {
			plain, err := b.idleMemory(barePBSystem, count)
			if err != nil {
				return err
			}
			b.report.add(scenario+" — PocketBase subscription", "RSS per client", "KiB", plain/1024, minSSESystem, base/1024, "")
		}
	}
	return nil
}
