package main

import (
	"fmt"
	"log"
	"time"
)

// scenarioFanout measures post-to-delivery latency and delivery integrity
// for rooms of 3, 8 and 15 with every person posting every 20 s, plus a
// stress case with every person posting every 2 s, on Hearth's room topic,
// PocketBase's filtered collection subscription and the minimal SSE server.
func (b *bench) scenarioFanout() error {
	large := b.size(2000, 600)
	const small = 30
	stress := b.size(600, 300)
	duration := b.duration(10*time.Second, 6*time.Second)
	const interval, stressInterval = 20 * time.Second, 2 * time.Second

	for run := range b.runs {
		log.Printf("Fan-out run %d of %d", run+1, b.runs)
		var hearthLarge15 fanoutResult
		for _, size := range roomSizes {
			base, err := b.fanoutOnce(minSSESystem, size, large, interval, duration)
			if err != nil {
				return err
			}
			got, err := b.fanoutOnce(hearthSystem, size, large, interval, duration)
			if err != nil {
				return err
			}
			b.addFanout(fmt.Sprintf("fan-out: %d clients, rooms of %d, each posts every 20 s", large, size), hearthSystem, got, base)
			if size == 15 {
				hearthLarge15 = got
			}
		}

		// The same rooms of 15 with only 30 clients on the server: delivery
		// must not slow down as other rooms are added.
		hearthSmall, err := b.fanoutOnce(hearthSystem, 15, small, interval, duration)
		if err != nil {
			return err
		}
		p99 := func(r fanoutResult) float64 { return milliseconds(percentile(r.deliveryLatency, 0.99)) }
		b.report.add(fmt.Sprintf("fan-out: Hearth at %d clients vs %d, rooms of 15", large, small), "delivery p99",
			"ms", p99(hearthLarge15), fmt.Sprintf("Hearth at %d clients", small), p99(hearthSmall), "≤ 1.2×")

		base, err := b.fanoutOnce(minSSESystem, 8, stress, stressInterval, duration)
		if err != nil {
			return err
		}
		got, err := b.fanoutOnce(hearthSystem, 8, stress, stressInterval, duration)
		if err != nil {
			return err
		}
		b.addFanout(fmt.Sprintf("fan-out stress: %d clients, rooms of 8, each posts every 2 s", stress), hearthSystem, got, base)

		// PocketBase's subscription is measured at the small size every run
		// and once at the large size, where it saturates the machine.
		pbSmall, err := b.fanoutOnce(barePBSystem, 15, small, interval, duration)
		if err != nil {
			return err
		}
		baseSmall, err := b.fanoutOnce(minSSESystem, 15, small, interval, duration)
		if err != nil {
			return err
		}
		b.addFanout(fmt.Sprintf("fan-out: %d clients, rooms of 15, each posts every 20 s", small), barePBSystem, pbSmall, baseSmall)
		b.addFanout(fmt.Sprintf("fan-out: %d clients, rooms of 15, each posts every 20 s", small), hearthSystem, hearthSmall, baseSmall)
		if run == 0 {
			pbLarge, err := b.fanoutOnce(barePBSystem, 8, large, interval, duration/2)
			if err != nil {
				return err
			}
			b.addFanout(fmt.Sprintf("fan-out: %d clients, rooms of 8, each posts every 20 s", large), barePBSystem, pbLarge, fanoutResult{})
		}
	}
	return nil
}

// fanoutOnce starts a fresh server, runs one fan-out and stops it.
func (b *bench) fanoutOnce(name string, roomSize, people int, interval, duration time.Duration) (fanoutResult, error) {
	s, err := b.start(name, roomSize)
	if err != nil {
		return fanoutResult{}, err
	}
	defer b.stop(s)
	result, err := b.fanout(s, people, interval, duration)
	if err != nil {
		return result, fmt.Errorf("%s fan-out: %w", name, err)
	}
	log.Printf("  %s: %s", name, result)
	return result, nil
}

// addFanout records the figures of system's result got, divided by the
// minimal server's result base from the same run where base has any.
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
	b.report.add(scenario, "POST p50", "ms", post(got, 0.5), baseline, post(base, 0.5), "")
	b.report.add(scenario, "POST p99", "ms", post(got, 0.99), baseline, post(base, 0.99), "")
}
