package hooks

import (
	"github.com/pocketbase/pocketbase/core"
)

// walCheckpointSpec is how often the main database's write-ahead log is
// copied back into the database file, off the request path.
const walCheckpointSpec = "@every 1s"

// bindWALCheckpoints schedules a background checkpoint of the main
// database's write-ahead log.
//
// Without it, SQLite checkpoints inside the commit that takes the log past
// 1,000 pages. On loopback with PocketBase's settings, about one post in
// 200 then took 4–6 ms instead of 0.5 ms, and the posts queued behind it
// waited too. A passive checkpoint waits for no reader or writer. Once it
// has copied the whole log, the next commit starts the log again from its
// beginning, so commits seldom reach 1,000 pages. SQLite's checkpoint in
// the commit stays on as the fallback for a log that grows faster.
func (h *Hearth) bindWALCheckpoints() {
	if err := h.AddCronJob(walCheckpointSpec, func() { checkpointWAL(h.app) }); err != nil {
		panic(err)
	}
}

// checkpointWAL copies what it can of the main database's write-ahead log
// into the database file without waiting for readers or writers.
func checkpointWAL(app core.App) {
	if _, err := app.DB().NewQuery("PRAGMA wal_checkpoint(PASSIVE)").Execute(); err != nil {
		app.Logger().Error("Failed to checkpoint the database's write-ahead log", "error", err)
	}
}
