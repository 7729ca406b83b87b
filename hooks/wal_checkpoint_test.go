package hooks_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/hearth-research/hearth/hooks"
	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/pocketbase/core"
)

// TestCheckpointRestartsLog checks that the commit after a background
// checkpoint starts the write-ahead log again from its beginning.
func TestCheckpointRestartsLog(t *testing.T) {
	for _, withCheckpoint := range []bool{false, true} {
		t.Run(fmt.Sprintf("checkpoint=%v", withCheckpoint), func(t *testing.T) {
			app, _ := hearthtest.NewAppWithConfig(t, hooks.TestConfig())
			// Turn SQLite's checkpoint in the commit off on the one write
			// connection, so that only the background checkpoint copies the log.
			if _, err := app.NonconcurrentDB().NewQuery("PRAGMA wal_autocheckpoint=0").Execute(); err != nil {
				t.Fatal(err)
			}
			for i := range 50 {
				saveLogEntry(t, app, fmt.Sprintf("before %d", i))
			}
			if withCheckpoint {
				hooks.CheckpointWAL(app)
			}
			saveLogEntry(t, app, "after")

			pages := walPages(t, app)
			switch {
			case withCheckpoint && pages > 10:
				t.Errorf("log after the checkpoint and one commit: %d pages, expected at most 10", pages)
			case !withCheckpoint && pages <= 50:
				t.Errorf("log without the checkpoint: %d pages, expected more than 50 (the setup did not fill it)", pages)
			}
		})
	}
}

// saveLogEntry writes one small record in its own transaction.
func saveLogEntry(t *testing.T, app core.App, text string) {
	t.Helper()
	collection, err := app.FindCollectionByNameOrId("sms_log")
	if err != nil {
		t.Fatal(err)
	}
	record := core.NewRecord(collection)
	record.Set("to", "+16502530000")
	record.Set("error_message", text)
	record.Set("status", "sent")
	if err := app.Save(record); err != nil {
		t.Fatal(err)
	}
}

// walPages returns the number of pages in the main database's write-ahead
// log. The passive checkpoint that reports it copies them back first, which
// does not change the count.
func walPages(t *testing.T, app core.App) int {
	t.Helper()
	var result struct {
		Pages int `db:"log"`
	}
	if err := app.DB().NewQuery("PRAGMA wal_checkpoint(PASSIVE)").One(&result); err != nil {
		t.Fatal(err)
	}
	return result.Pages
}

// TestCheckpointerStartsOnceAndStops starts the checkpoint goroutine twice
// and stops it twice, as repeated serve and terminate events do.
func TestCheckpointerStartsOnceAndStops(t *testing.T) {
	app, _ := hearthtest.NewAppWithConfig(t, hooks.TestConfig())
	if _, err := app.NonconcurrentDB().NewQuery("PRAGMA wal_autocheckpoint=0").Execute(); err != nil {
		t.Fatal(err)
	}
	checkpointer := hooks.NewWALCheckpointer()
	checkpointer.Start(app)
	checkpointer.Start(app)

	for i := range 50 {
		saveLogEntry(t, app, fmt.Sprintf("before %d", i))
	}
	// Within a few ticks the goroutine has copied the log, so the next
	// commit starts it again.
	deadline := time.Now().Add(10 * time.Second)
	for {
		saveLogEntry(t, app, "after")
		if walPages(t, app) <= 10 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the log was not copied back within 10 s")
		}
		time.Sleep(200 * time.Millisecond)
	}

	checkpointer.Stop()
	checkpointer.Stop()
}
