// Command bench measures Hearth's server against baselines from the same
// run: a minimal SSE fan-out server, plain SQLite inserts and a bare
// PocketBase app. It builds the servers, seeds their data folders, starts
// them on loopback ports and drives them from this separate process.
//
//	go run ./bench            every scenario (under ten minutes on 2 cores)
//	go run ./bench -quick     a smaller smoke run (under three minutes)
//	go run ./bench -scenario fanout,memory
//
// Every figure is the median of interleaved runs with [min–max], printed
// beside its baseline and as a ratio to it. See docs/PERFORMANCE.md.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// scenarios lists the scenarios in the order they run. Each adds its
// figures to the report.
var scenarios = []struct {
	name string
	run  func(b *bench) error
}{
	{"baseline", (*bench).scenarioBaseline},
	{"post", (*bench).scenarioPost},
	{"fanout", (*bench).scenarioFanout},
	{"poll", (*bench).scenarioPoll},
	{"signin", (*bench).scenarioSignIn},
	{"memory", (*bench).scenarioMemory},
	{"reconnect", (*bench).scenarioReconnect},
}

func main() {
	var names []string
	for _, s := range scenarios {
		names = append(names, s.name)
	}
	selected := flag.String("scenario", "all", "comma-separated scenarios to run: all, "+strings.Join(names, ", "))
	quick := flag.Bool("quick", false, "run fewer clients for less time (a smoke run of under three minutes)")
	runs := flag.Int("runs", 0, "interleaved runs per figure (default 3, or 1 with -quick)")
	keep := flag.Bool("keep", false, "keep the work folder with server logs and data")
	output := flag.String("o", "", "also write the results table to this file")
	flag.Parse()
	log.SetFlags(log.Ltime)

	want := map[string]bool{}
	for _, name := range strings.Split(*selected, ",") {
		want[strings.TrimSpace(name)] = true
	}
	for name := range want {
		if name != "all" && !strings.Contains(","+strings.Join(names, ",")+",", ","+name+",") {
			log.Fatalf("unknown scenario %q; expected all or one of: %s", name, strings.Join(names, ", "))
		}
	}

	b, cleanup, err := setup(*quick, *runs)
	if err != nil {
		log.Fatal(err)
	}
	if *keep {
		log.Printf("Work folder kept: %s", b.work)
	} else {
		defer cleanup()
	}

	began := time.Now()
	loadBefore := loadAverage()
	for _, s := range scenarios {
		if !want["all"] && !want[s.name] {
			continue
		}
		log.Printf("Scenario %s", s.name)
		if err := s.run(b); err != nil {
			log.Printf("Scenario %s failed: %v", s.name, err)
		}
	}

	var table strings.Builder
	fmt.Fprintf(&table, "Run of %s on %d cores (%s/%s, %s), load generator on the same cores, %d interleaved run(s), took %s. "+
		"Load average (1 min) %s at the start, %s at the end.\n\n",
		time.Now().UTC().Format("2006-01-02"), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(),
		b.runs, time.Since(began).Round(time.Second), loadBefore, loadAverage())
	b.report.write(&table)
	fmt.Print("\n" + table.String())
	if *output != "" {
		if err := os.WriteFile(*output, []byte(table.String()), 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

// setup raises the file limit, builds the servers and seeds their template
// data folders. It must run from the repository root.
func setup(quick bool, runs int) (*bench, func(), error) {
	limit, err := raiseFileLimit()
	if err != nil {
		return nil, nil, fmt.Errorf("raise the open file limit: %w", err)
	}
	if limit < 12000 {
		log.Printf("The open file limit is %d; the memory scenario needs about 12,000.", limit)
	}
	repo, err := os.Getwd()
	if err != nil {
		return nil, nil, err
	}
	if _, err := os.Stat(filepath.Join(repo, "bench", "main.go")); err != nil {
		return nil, nil, fmt.Errorf("run bench from the repository root (go run ./bench)")
	}
	work, err := os.MkdirTemp("", "hearth-bench-*")
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { _ = os.RemoveAll(work) }

	if runs <= 0 {
		runs = 3
		if quick {
			runs = 1
		}
	}
	b := &bench{work: work, client: newHTTPClient(), runs: runs, quick: quick, report: newReport()}

	log.Printf("Building servers")
	if b.binaries, err = buildBinaries(repo, work); err != nil {
		cleanup()
		return nil, nil, err
	}
	people := b.size(5000, 1000)
	log.Printf("Seeding %d people into Hearth and bare PocketBase data folders", people)
	if b.hearth, err = seedHearth(filepath.Join(work, "hearth-template"), people); err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("seed Hearth: %w", err)
	}
	if b.barePB, err = seedBarePB(b.binaries["barepb"], filepath.Join(work, "barepb-template"), people); err != nil {
		cleanup()
		return nil, nil, err
	}
	return b, cleanup, nil
}

// size returns full, or quick in a -quick run.
func (b *bench) size(full, quick int) int {
	if b.quick {
		return quick
	}
	return full
}

// duration returns full, or quick in a -quick run.
func (b *bench) duration(full, quick time.Duration) time.Duration {
	if b.quick {
		return quick
	}
	return full
}

// loadAverage returns the one-minute load average, which shows whether
// other work shared the machine during the run.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	fields := strings.Fields(string(data))
	if len(fields) == 0 {
		return "unknown"
	}
	return fields[0]
}
