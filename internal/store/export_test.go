package store

import "time"

// SetMergeQuiet shortens the pause the search merger waits for, in tests.
func SetMergeQuiet(db *DB, d time.Duration) {
	if db.merger != nil {
		db.merger.mu.Lock()
		db.merger.quiet = d
		db.merger.mu.Unlock()
	}
}
