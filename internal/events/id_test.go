package events

import (
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestIDsFollowTheClock: ids are version 7, ordered by the time given,
// increasing within a millisecond, and earlier for an earlier time even
// after a later one was made (the demo's clock moves back and forth).
func TestIDsFollowTheClock(t *testing.T) {
	var g ids
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	prev := ""
	for i := 0; i < 5000; i++ { // past the 12-bit counter within one millisecond
		id := g.next(t0)
		u, err := uuid.Parse(id)
		if err != nil || u.Version() != 7 || u.Variant() != uuid.RFC4122 {
			t.Fatalf("%s: version %d variant %v (%v)", id, u.Version(), u.Variant(), err)
		}
		if id <= prev {
			t.Fatalf("id %d not increasing within a millisecond: %s after %s", i, id, prev)
		}
		prev = id
	}
	later := g.next(t0.Add(time.Hour))
	earlier := g.next(t0.Add(-24 * time.Hour))
	if !(earlier < prev && prev < later) {
		t.Fatalf("ids not in clock order: %s %s %s", earlier, prev, later)
	}
	u, _ := uuid.Parse(later)
	if sec, _ := u.Time().UnixTime(); sec != t0.Add(time.Hour).Unix() {
		t.Fatalf("id time %d, want %d", sec, t0.Add(time.Hour).Unix())
	}
}
