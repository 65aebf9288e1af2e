package syslog

import (
	"time"

	"github.com/kiseki-forensics/kiseki/parsers"
)

// Years follows the running year of a file's yearless stamps. Set Year to
// the year of the first stamp; For then gives each stamp its year.
type Years struct {
	Year      int // the running year
	LastMonth int // the month of the last stamp read; 0 before the first
	lastDay   int
}

// For returns the year of a stamp dated month mo, day d, and advances the
// running year at a rollover: the month stepping back six months or more
// (Dec → Jan, or Nov → Feb across a quiet spell). A smaller step back is a
// late write at a month boundary, not a new year. A late December stamp right
// after the first days of January belongs to the year before and leaves the
// running year alone. Months that move forward stay in the same year, however
// far they jump.
func (y *Years) For(mo, d int) int {
	switch {
	case y.LastMonth == 0:
	case y.LastMonth-mo >= 6:
		y.Year++
	case mo == 12 && d >= 24 && y.LastMonth == 1 && y.lastDay <= 7:
		return y.Year - 1
	}
	y.LastMonth, y.lastDay = mo, d
	return y.Year
}

// LocalClock converts wall-clock times in Zone (nil: UTC) to UTC
// nanoseconds. The zone's offset is looked up once per wall-clock hour: zone
// rules change on hour boundaries, and the lookup costs more than the rest of
// a line.
type LocalClock struct {
	Zone  *time.Location
	hour  int64
	off   int
	valid bool
}

// UnixNano returns the UTC nanoseconds of a wall-clock time in c.Zone.
func (c *LocalClock) UnixNano(y, mo, d, hh, mi, ss, nsec int) int64 {
	wall := parsers.UnixNano(y, mo, d, hh, mi, ss, nsec, 0)
	if c.Zone == nil {
		return wall
	}
	hour := wall / 3600e9
	if !c.valid || hour != c.hour {
		// The offset at the guessed instant, then again at the corrected one,
		// settles times near a DST change.
		_, off := time.Unix(0, wall).In(c.Zone).Zone()
		if _, off2 := time.Unix(0, wall-int64(off)*1e9).In(c.Zone).Zone(); off2 != off {
			off = off2
		}
		c.hour, c.off, c.valid = hour, off, true
	}
	return wall - int64(c.off)*1e9
}
