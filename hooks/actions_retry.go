package hooks

import (
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// lockRetries is how many times a room change runs again after SQLite
// reported the database as locked.
const lockRetries = 3

// runRoomTransaction runs fn in a transaction of app and runs it again, in a
// new transaction, when SQLite reports the database as locked.
//
// busy_timeout already makes SQLite wait for a lock held by another
// connection. It does not help a transaction that read first and whose write
// then finds the database changed by another connection since its read:
// SQLite returns SQLITE_BUSY at once, and only a new transaction can
// succeed. Hearth writes through one connection, so this needs another
// writer on the same data folder, such as a command run beside the server.
// Nothing is published before a commit, and the caller holds the room
// locks, so a rerun is invisible to clients.
//
// NOTE: fn must not keep state from a failed attempt; every caller reads
// what it needs inside the transaction. A change that joins an outer
// transaction is not rerun here: the outer transaction would have to be.
// When the rejected write went through PocketBase's Save, Save first
// retries it in the same transaction for about 7 s (core/db_retry.go), in
// vain, so such a rerun comes late.
func runRoomTransaction(app core.App, roomIDs []string, fn func(tx core.App) error) error {
	err := app.RunInTransaction(fn)
	for attempt := 1; attempt <= lockRetries && isLockError(err) && !app.IsTransactional(); attempt++ {
		app.Logger().Warn("Retrying a therapy session change after a database lock error",
			"error", err, "attempt", attempt, "therapySessionIds", roomIDs)
		time.Sleep(time.Duration(attempt) * 20 * time.Millisecond)
		err = app.RunInTransaction(fn)
	}
	return err
}

// isLockError reports whether err is SQLite's SQLITE_BUSY or SQLITE_LOCKED,
// by the driver's message, as PocketBase's own retries of its writes do.
func isLockError(err error) bool {
	if err == nil {
		return false
	}
	message := err.Error()
	return strings.Contains(message, "database is locked") || strings.Contains(message, "table is locked")
}
