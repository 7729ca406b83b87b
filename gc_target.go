package main

import (
	"os"
	"runtime/debug"
)

// defaultGCPercent is the garbage collector's target (GOGC) when the
// environment sets none. Go's default of 100 lets the heap grow to twice the
// live data before each collection, and most of a busy server's live heap is
// its idle realtime connections. With 5,000 idle clients (go run ./bench
// -scenario post,memory,fanout -runs 3), resident memory per client against
// the minimal SSE server and CPU per post against PocketBase's create were:
// GOGC=100 2.04× and 1.33×, GOGC=70 1.95× and 1.25×, GOGC=50 1.91× and
// 1.41×, the last with slower deliveries at p99 too.
const defaultGCPercent = 70

// setGCTarget applies defaultGCPercent unless GOGC is set.
func setGCTarget() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
}
