package main

import (
	"fmt"
	"log"
	"time"
)

// scenarioFanout measures post-to-delivery latency and delivery integrity
// on Hearth's room topic, PocketBase's filtered collection subscription and
// the minimal SSE server. It runs rooms of 3, 8 and 15 with every person
// posting every 20 s, the same rooms of 15 with only 30 clients on the
// server, and a stress case with every person posting every 2 s. Compared
// servers stay connected side by side and their measurement windows
// alternate, so each run's ratio compares neighbouring moments.
func (b *bench) scenarioFanout() error {
	large := b.size(2000, 600)
	const small = 30
	stress := b.size(300, 150)
	window := b.duration(6*time.Second, 4*time.Second)
	const interval, stressInterval = 20 * time.Second, 2 * time.Second

	hearthLarge15 := make([]fanoutResult, b.runs)
	for _, size := range roomSizes {
		scenario := fmt.Sprintf("fan-out: %d clients, rooms of %d, each posts every 20 s", large, size)
		results, err := b.alternate([]string{minSSESystem, hearthSystem}, size, large, interval, window)
		if err != nil {
			return err
		}
		for run, pair := range results {
			b.addFanout(scenario, hearthSystem, pair[1], pair[0])
			if size == 15 {
				hearthLarge15[run] = pair[1]
			}
		}
	}

	scenario := fmt.Sprintf("fan-out: %d clients, rooms of 15, each posts every 20 s", small)
	results, err := b.alternate([]string{minSSESystem, hearthSystem, barePBSystem}, 15, small, interval, window)
	if err != nil {
		return err
	}
	for run, trio := range results {
		b.addFanout(scenario, hearthSystem, trio[1], trio[0])
		b.addFanout(scenario, barePBSystem, trio[2], trio[0])
		// Delivery must not slow down as other rooms are added.
		p99 := func(r fanoutResult) float64 { return milliseconds(percentile(r.deliveryLatency, 0.99)) }
		versus := fmt.Sprintf("fan-out: Hearth at %d clients vs %d, rooms of 15", large, small)
		b.report.add(versus, "delivery p99", "ms", p99(hearthLarge15[run]), fmt.Sprintf("Hearth at %d clients", small), p99(trio[1]), "≤ 1.2×")
		b.report.add(versus, "server CPU per post", "ms", milliseconds(hearthLarge15[run].cpuPerPost()),
			fmt.Sprintf("Hearth at %d clients", small), milliseconds(trio[1].cpuPerPost()), "")
	}

	scenario = fmt.Sprintf("fan-out stress: %d clients, rooms of 8, each posts every 2 s", stress)
	results, err = b.alternate([]string{minSSESystem, hearthSystem}, 8, stress, stressInterval, window)
	if err != nil {
		return err
	}
	for _, pair := range results {
		b.addFanout(scenario, hearthSystem, pair[1], pair[0])
	}

	// PocketBase's subscription at the large size saturates the machine, so
	// it is measured once, in a shorter window.
	pb, err := b.startFanout(barePBSystem, 8, large)
	if err != nil {
		return err
	}
	result := pb.window(interval, window/2)
	log.Printf("  %s: %s", barePBSystem, result)
	b.stopFanout(pb)
	b.addFanout(fmt.Sprintf("fan-out: %d clients, rooms of 8, each posts every 20 s", large), barePBSystem, result, fanoutResult{})
	return nil
}

// alternate connects people clients to each named server at once and runs
// b.runs rounds of one window per server, in turn. It returns, per round,
// the results in the order of names.
func (b *bench) alternate(names []string, roomSize, people int, interval, window time.Duration) ([][]fanoutResult, error) {
	sessions := make([]*fanoutSession, len(names))
	defer func() {
		for _, f := range sessions {
			b.stopFanout(f)
		}
	}()
	for i, name := range names {
		f, err := b.startFanout(name, roomSize, people)
		if err != nil {
			return nil, err
		}
		sessions[i] = f
	}
	rounds := make([][]fanoutResult, b.runs)
	for run := range b.runs {
		rounds[run] = make([]fanoutResult, len(names))
		for i, f := range sessions {
			result := f.window(interval, window)
			log.Printf("  %s: %s", names[i], result)
			rounds[run][i] = result
		}
	}
	return rounds, nil
}

// addFanout records the figures of system's result got, divided by the
// minimal server's result base from the same round where base has any.
func (b *bench) addFanout(scenario, system string, got, base fanoutResult) {
	baseline := minSSESystem
	if base.posted == 0 {
		baseline = ""
	}
	target := func(t string) string {
		if system == hearthSystem {
			return t
		}
		return ""
	}
	scenario += " — " + system
	ms := func(r fanoutResult, q float64) float64 { return milliseconds(percentile(r.deliveryLatency, q)) }
	post := func(r fanoutResult, q float64) float64 { return milliseconds(percentile(r.postLatency, q)) }
	b.report.add(scenario, "delivery p50", "ms", ms(got, 0.5), baseline, ms(base, 0.5), "")
	b.report.add(scenario, "delivery p99", "ms", ms(got, 0.99), baseline, ms(base, 0.99), target("≤ 2×"))
	b.report.add(scenario, "delivery p99.9", "ms", ms(got, 0.999), baseline, ms(base, 0.999), "")
	b.report.add(scenario, "delivered / expected", "", got.deliveryRatio(), baseline, base.deliveryRatio(), target("1"))
	b.report.add(scenario, "lost, duplicated, reordered", "", float64(got.lost()+got.duplicates+got.reorders), "", 0, target("0"))
	b.report.add(scenario, "server CPU per post, deliveries included", "ms", milliseconds(got.cpuPerPost()), baseline, milliseconds(base.cpuPerPost()), "")
	b.report.add(scenario, "POST p50", "ms", post(got, 0.5), baseline, post(base, 0.5), "")
	b.report.add(scenario, "POST p99", "ms", post(got, 0.99), baseline, post(base, 0.99), "")
}
