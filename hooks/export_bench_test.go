package hooks_test

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-research/hearth/hooks"
	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"
	"github.com/pocketbase/pocketbase/tools/types"
)

// BenchmarkExportMemory exports the actions of a session with 5,000 and
// then 50,000 actions as CSV. Besides time and allocations it reports the
// peak Go heap during one export (peak-heap-B) and how far that peak rose
// above the heap after a full GC just before the export (heap-growth-B).
// Streaming keeps both flat while allocations per export grow with the row
// count. Run it with:
//
//	go test ./hooks -run '^$' -bench BenchmarkExportMemory -benchtime 3x
//
// NOTE: SQLite's own page cache is allocated outside the Go heap and is not
// in these numbers. PocketBase caps it at 32 MB per connection.
func BenchmarkExportMemory(b *testing.B) {
	app := hearthtest.NewApp(b)
	study := hearthtest.Fixture(b)
	sizes := []int{5_000, 50_000}
	growth := map[int]float64{}

	for _, size := range sizes {
		session, err := hearthtest.CreateTherapySession(app, fmt.Sprintf("Bench %d", size), "closed",
			[]string{study.Therapist.ID}, []string{study.Alice.ID, study.Bob.ID})
		if err != nil {
			b.Fatal(err)
		}
		insertBenchActions(b, app, session.Id, size, []string{study.Alice.ID, study.Bob.ID, study.Therapist.ID})

		b.Run(fmt.Sprintf("actions=%d", size), func(b *testing.B) {
			b.ReportAllocs()
			var peak, rise uint64
			var written int64
			for b.Loop() {
				p, r, n := measureExport(b, app, session.Id)
				peak, rise, written = max(peak, p), max(rise, r), n
			}
			b.ReportMetric(float64(peak), "peak-heap-B")
			b.ReportMetric(float64(rise), "heap-growth-B")
			b.ReportMetric(float64(written), "csv-B")
			growth[size] = float64(rise)
		})
	}
	if growth[sizes[0]] > 0 {
		b.Logf("heap growth at %d actions / at %d actions: %.2f", sizes[1], sizes[0], growth[sizes[1]]/growth[sizes[0]])
	}
}

// measureExport exports the actions of one session as CSV to a counting
// writer while sampling runtime.MemStats every millisecond. It returns the
// peak HeapAlloc, its rise above the heap after a GC just before, and the
// bytes written.
func measureExport(b *testing.B, app core.App, sessionID string) (peak, rise uint64, written int64) {
	b.Helper()
	runtime.GC()
	var stats runtime.MemStats
	runtime.ReadMemStats(&stats)
	base := stats.HeapAlloc

	done := make(chan struct{})
	var wait sync.WaitGroup
	wait.Add(1)
	go func() {
		defer wait.Done()
		ticker := time.NewTicker(time.Millisecond)
		defer ticker.Stop()
		var sample runtime.MemStats
		for {
			runtime.ReadMemStats(&sample)
			peak = max(peak, sample.HeapAlloc)
			select {
			case <-done:
				return
			case <-ticker.C:
			}
		}
	}()

	request := hooks.ExportRequest{Scope: hooks.ExportScopeSession, SessionIDs: []string{sessionID}, Format: "csv", Table: "actions"}
	x, err := hooks.BeginExport(context.Background(), app, request)
	if err != nil {
		b.Fatal(err)
	}
	counter := &countingWriter{}
	err = x.WriteTable(counter, "actions")
	x.Close()
	close(done)
	wait.Wait()
	if err != nil {
		b.Fatal(err)
	}
	if peak > base {
		rise = peak - base
	}
	return peak, rise, counter.n
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

var _ io.Writer = (*countingWriter)(nil)

// insertBenchActions inserts count message actions with plain SQL in one
// transaction. It skips record hooks on purpose, to keep seeding fast, and
// the export only reads the table.
func insertBenchActions(b testing.TB, app core.App, sessionID string, count int, users []string) {
	b.Helper()
	body := strings.Repeat("A sentence of about forty characters. ", 3)
	history := strings.Repeat("A sentence<BS><BS>ce of about forty characters. ", 3)
	created := types.NowDateTime().String()
	err := app.RunInTransaction(func(tx core.App) error {
		for i := range count {
			user := users[i%len(users)]
			_, err := tx.DB().Insert("actions", dbx.Params{
				"id":              security.RandomStringWithAlphabet(15, "abcdefghijklmnopqrstuvwxyz0123456789"),
				"therapy_session": sessionID, "seq": i + 1, "type": "message",
				"user": user, "alias": "P" + user[:3], "body": body, "recipients": "[]",
				"client_id": fmt.Sprintf("bench-%s-%d", sessionID, i), "client_ts": created, "created": created,
				"typing_recorded": true, "time_to_complete": 7.5, "character_history": history, "history_replays": true,
			}).Execute()
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
