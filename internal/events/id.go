package events

import (
	"crypto/rand"
	"encoding/binary"
	"sync"
	"time"

	"github.com/google/uuid"
)

// ids makes event ids: UUIDv7 whose time is the event's own (the log's
// clock), so that the timeline, read in id order, is in time order even
// when the clock is not the wall clock (the demo writes two years of
// history in a minute). Within one millisecond a 12-bit counter keeps ids
// increasing, carrying into the next millisecond when it runs out, as RFC
// 9562's method 1 does.
type ids struct {
	mu     sync.Mutex
	lastMs int64
	seq    uint16 // 12 bits
}

func (g *ids) next(at time.Time) string {
	ms := at.UnixMilli()
	g.mu.Lock()
	if ms <= g.lastMs && g.lastMs-ms < 10 {
		// The same millisecond, or just behind one the counter carried
		// into: keep increasing.
		if g.seq < 0xfff {
			g.seq++
		} else {
			g.lastMs, g.seq = g.lastMs+1, 0
		}
		ms = g.lastMs
	} else {
		g.lastMs, g.seq = ms, 0 // a new millisecond, or a clock set back on purpose
	}
	seq := g.seq
	g.mu.Unlock()
	var u uuid.UUID
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], uint64(ms))
	copy(u[0:6], ts[2:8])
	u[6] = 0x70 | byte(seq>>8)&0x0f // version 7, then the counter's high bits
	u[7] = byte(seq)
	_, _ = rand.Read(u[8:])
	u[8] = u[8]&0x3f | 0x80 // RFC 9562 variant
	return u.String()
}
