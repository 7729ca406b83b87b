package hooks

import "github.com/pocketbase/pocketbase/core"

// CheckpointWAL runs the background checkpoint job once, for the tests in
// package hooks_test.
func CheckpointWAL(app core.App) {
	checkpointWAL(app)
}
