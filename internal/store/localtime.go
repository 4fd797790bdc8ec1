package store

import (
	"database/sql/driver"
	"fmt"
	"sync"
	"time"

	"modernc.org/sqlite"
)

// LocalTime is the SQL function that reads a stored UTC time as the wall
// clock of a time zone, "2006-01-02 15:04:05": rapport_local(t, 'Europe/Berlin').
// PostgreSQL has AT TIME ZONE; SQLite knows only UTC and the machine's
// zone, so Rapport gives its connections this function. Reports bucket
// datetimes by the workspace's days, weeks and months with it.
const LocalTime = "rapport_local"

func init() {
	if err := sqlite.RegisterDeterministicScalarFunction(LocalTime, 2, localTime); err != nil {
		panic(err)
	}
}

// zones keeps the locations loaded by name.
var zones sync.Map

func localTime(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	if args[0] == nil {
		return nil, nil
	}
	t, err := ParseTime(args[0])
	if err != nil {
		return nil, err
	}
	name, ok := args[1].(string)
	if !ok {
		return nil, fmt.Errorf("%s: the zone is %T, not text", LocalTime, args[1])
	}
	loc, ok := zones.Load(name)
	if !ok {
		l, err := time.LoadLocation(name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", LocalTime, err)
		}
		loc, _ = zones.LoadOrStore(name, l)
	}
	return t.In(loc.(*time.Location)).Format("2006-01-02 15:04:05"), nil
}
