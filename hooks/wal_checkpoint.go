package hooks

import (
	"fmt"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// walCheckpointInterval is how often the main database's write-ahead log is
// copied back into the database file, off the request path.
const walCheckpointInterval = time.Second

// bindWALCheckpoints runs a background checkpoint of the main database's
// write-ahead log from when the app serves until it terminates.
//
// Without it, SQLite checkpoints inside the commit that takes the log past
// 1,000 pages. On loopback with PocketBase's settings, about one post in
// 200 then took 4–6 ms instead of 0.5 ms, and the posts queued behind it
// waited too. A passive checkpoint waits for no reader or writer. Once it
// has copied the whole log, the next commit starts the log again from its
// beginning, so commits seldom reach 1,000 pages. SQLite's checkpoint in
// the commit stays on as the fallback for a log that grows faster.
//
// It has its own ticker rather than a job on the scheduler, whose debug log
// would get two lines a second from it.
func (h *Hearth) bindWALCheckpoints() {
	checkpointer := &walCheckpointer{}
	h.app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		checkpointer.start(h.app)
		return se.Next()
	})
	h.app.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
		checkpointer.stop()
		return e.Next()
	})
}

// walCheckpointer runs checkpointWAL every walCheckpointInterval in a
// goroutine of its own.
type walCheckpointer struct {
	mu sync.Mutex
	// quit is closed to stop the goroutine, which then closes done. Both
	// are nil while no goroutine runs.
	quit chan struct{}
	done chan struct{}
}

// start starts the goroutine unless it is already running.
func (c *walCheckpointer) start(app core.App) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.quit != nil {
		return
	}
	c.quit, c.done = make(chan struct{}), make(chan struct{})
	go c.run(app, c.quit, c.done)
}

// stop stops the goroutine and waits for a checkpoint under way to finish.
func (c *walCheckpointer) stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.quit == nil {
		return
	}
	close(c.quit)
	<-c.done
	c.quit, c.done = nil, nil
}

func (c *walCheckpointer) run(app core.App, quit, done chan struct{}) {
	defer close(done)
	ticker := time.NewTicker(walCheckpointInterval)
	defer ticker.Stop()
	for {
		select {
		case <-quit:
			return
		case <-ticker.C:
			checkpointWALSafely(app)
		}
	}
}

// checkpointWALSafely runs checkpointWAL and logs a panic instead of ending
// the server.
func checkpointWALSafely(app core.App) {
	defer func() {
		if recovered := recover(); recovered != nil {
			app.Logger().Error("Write-ahead log checkpoint panicked", "error", fmt.Sprint(recovered))
		}
	}()
	checkpointWAL(app)
}

// checkpointWAL copies what it can of the main database's write-ahead log
// into the database file without waiting for readers or writers.
func checkpointWAL(app core.App) {
	if _, err := app.DB().NewQuery("PRAGMA wal_checkpoint(PASSIVE)").Execute(); err != nil {
		app.Logger().Error("Failed to checkpoint the database's write-ahead log", "error", err)
	}
}
