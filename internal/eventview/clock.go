package eventview

import (
	"math"
	"time"
)

// Clock formats event times in one zone without time.Time's generic
// formatter: the zone's offset is looked up once per zone period
// (time.Time.ZoneBounds), the date once per day, so a row costs a few
// divisions. Every method gives what time.Format gives (tested); years
// outside 0-9999 go through time.Format. Not for concurrent use.
type Clock struct {
	loc      *time.Location
	from, to int64 // the cached zone period, Unix seconds [from, to)
	name     string
	offset   int64 // seconds east of UTC
	day      int64 // the cached local day (days since the epoch) ...
	y, mo, d int   // ... and its date
	haveDay  bool
	haveZone bool
}

// NewClock returns a Clock for loc.
func NewClock(loc *time.Location) *Clock { return &Clock{loc: loc} }

const secondsPerDay = 86400

// Offset is the zone's offset from UTC, in seconds east, at ns (Unix
// nanoseconds), from the cached zone period.
func (c *Clock) Offset(ns int64) int64 {
	sec := ns / 1e9
	if ns < 0 && ns%1e9 != 0 {
		sec-- // floor: the second the instant falls in
	}
	c.zone(sec)
	return c.offset
}

// zone caches the zone period around sec.
func (c *Clock) zone(sec int64) {
	if c.haveZone && sec >= c.from && sec < c.to {
		return
	}
	t := time.Unix(sec, 0).In(c.loc)
	name, off := t.Zone()
	c.name, c.offset, c.haveZone = name, int64(off), true
	start, end := t.ZoneBounds()
	c.from, c.to = int64(math.MinInt64), int64(math.MaxInt64)
	if !start.IsZero() {
		c.from = start.Unix()
	}
	if !end.IsZero() {
		c.to = end.Unix()
	}
}

// civil splits ns into the local date and time of day; ok is false for a
// year outside 0-9999.
func (c *Clock) civil(ns int64) (sec, nsec, tod int64, ok bool) {
	sec, nsec = ns/1e9, ns%1e9
	if nsec < 0 {
		sec, nsec = sec-1, nsec+1e9
	}
	c.zone(sec)
	local := sec + c.offset
	day, tod := local/secondsPerDay, local%secondsPerDay
	if tod < 0 {
		day, tod = day-1, tod+secondsPerDay
	}
	if !c.haveDay || day != c.day {
		c.day, c.haveDay = day, true
		c.y, c.mo, c.d = civilDate(day)
	}
	return sec, nsec, tod, c.y >= 0 && c.y <= 9999
}

// civilDate converts days since 1970-01-01 to a proleptic Gregorian date
// (Howard Hinnant's days_from_civil inverse).
func civilDate(z int64) (y, m, d int) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	m = int(mp + 3)
	if m > 12 {
		m -= 12
	}
	y = int(yoe + era*400)
	if m <= 2 {
		y++
	}
	return y, m, d
}

func digits(b []byte, v int64, n int) []byte {
	var buf [20]byte
	for i := n - 1; i >= 0; i-- {
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, buf[:n]...)
}

func (c *Clock) appendDate(b []byte, sep byte) []byte {
	b = digits(b, int64(c.y), 4)
	b = append(b, sep)
	b = digits(b, int64(c.mo), 2)
	b = append(b, sep)
	return digits(b, int64(c.d), 2)
}

func appendClock(b []byte, tod int64) []byte {
	b = digits(b, tod/3600, 2)
	b = append(b, ':')
	b = digits(b, tod/60%60, 2)
	b = append(b, ':')
	return digits(b, tod%60, 2)
}

// appendOffset appends Z07:00.
func (c *Clock) appendOffset(b []byte) []byte {
	if c.offset == 0 {
		return append(b, 'Z')
	}
	off := c.offset
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	b = append(b, sign)
	b = digits(b, off/3600, 2)
	b = append(b, ':')
	return digits(b, off/60%60, 2)
}

// ISOLayout is the layout AppendISO writes.
const ISOLayout = "2006-01-02T15:04:05.000000000Z07:00"

// AppendISO appends ns as time.Format(ISOLayout) in the clock's zone.
func (c *Clock) AppendISO(b []byte, ns int64) []byte {
	_, nsec, tod, ok := c.civil(ns)
	if !ok || c.offset%60 != 0 {
		return time.Unix(0, ns).In(c.loc).AppendFormat(b, ISOLayout)
	}
	b = c.appendDate(b, '-')
	b = append(b, 'T')
	b = appendClock(b, tod)
	b = append(b, '.')
	b = digits(b, nsec, 9)
	return c.appendOffset(b)
}

// AppendRFC3339Nano appends ns as time.Format(time.RFC3339Nano) in the
// clock's zone (trailing zeros of the fraction dropped).
func (c *Clock) AppendRFC3339Nano(b []byte, ns int64) []byte {
	_, nsec, tod, ok := c.civil(ns)
	if !ok || c.offset%60 != 0 {
		return time.Unix(0, ns).In(c.loc).AppendFormat(b, time.RFC3339Nano)
	}
	b = c.appendDate(b, '-')
	b = append(b, 'T')
	b = appendClock(b, tod)
	if nsec != 0 {
		n := 9
		for nsec%10 == 0 {
			nsec /= 10
			n--
		}
		b = append(b, '.')
		b = digits(b, nsec, n)
	}
	return c.appendOffset(b)
}

// AppendL2T appends ns as l2tcsv's date and time columns,
// "01/02/2006,15:04:05", and returns the zone's name (time.Time.Zone).
func (c *Clock) AppendL2T(b []byte, ns int64) ([]byte, string) {
	_, _, tod, ok := c.civil(ns)
	if !ok {
		t := time.Unix(0, ns).In(c.loc)
		name, _ := t.Zone()
		return t.AppendFormat(b, "01/02/2006,15:04:05"), name
	}
	b = digits(b, int64(c.mo), 2)
	b = append(b, '/')
	b = digits(b, int64(c.d), 2)
	b = append(b, '/')
	b = digits(b, int64(c.y), 4)
	b = append(b, ',')
	return appendClock(b, tod), c.name
}
