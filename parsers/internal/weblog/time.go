package weblog

import (
	"time"

	"github.com/kiseki-forensics/kiseki/parsers"
)

// Civil is a date and time as written, before any zone is applied.
type Civil struct {
	Y, Mo, D, H, Mi, S, Nsec int
	// Off is the UTC offset in seconds when HasZone is set.
	Off     int
	HasZone bool
	UTC     bool // the zone was written as Z (or the format is UTC by definition)
}

// UnixNano converts c to UTC nanoseconds: with its own offset when it has
// one, otherwise in loc (nil means UTC).
func (c *Civil) UnixNano(loc *time.Location) int64 {
	if c.HasZone || loc == nil || loc == time.UTC {
		return parsers.UnixNano(c.Y, c.Mo, c.D, c.H, c.Mi, c.S, c.Nsec, c.Off)
	}
	return time.Date(c.Y, time.Month(c.Mo), c.D, c.H, c.Mi, c.S, c.Nsec, loc).UnixNano()
}

// Valid reports whether the fields form a real date and time.
func (c *Civil) Valid() bool {
	return c.Y >= 1 && c.Y <= 9999 && parsers.ValidDate(c.Y, c.Mo, c.D, c.H, c.Mi, c.S)
}

func num(b []byte, i, n int) (int, bool) {
	if i+n > len(b) {
		return 0, false
	}
	v := 0
	for _, c := range b[i : i+n] {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// ParseDate reads "YYYY-MM-DD" at the start of b.
func ParseDate(b []byte, c *Civil) bool {
	if len(b) < 10 || b[4] != '-' || b[7] != '-' {
		return false
	}
	var ok1, ok2, ok3 bool
	c.Y, ok1 = num(b, 0, 4)
	c.Mo, ok2 = num(b, 5, 2)
	c.D, ok3 = num(b, 8, 2)
	return ok1 && ok2 && ok3
}

// ParseClock reads "HH:MM:SS[.fraction]" and returns how many bytes it used.
func ParseClock(b []byte, c *Civil) (int, bool) {
	if len(b) < 8 || b[2] != ':' || b[5] != ':' {
		return 0, false
	}
	var ok1, ok2, ok3 bool
	c.H, ok1 = num(b, 0, 2)
	c.Mi, ok2 = num(b, 3, 2)
	c.S, ok3 = num(b, 6, 2)
	if !ok1 || !ok2 || !ok3 {
		return 0, false
	}
	i := 8
	c.Nsec = 0
	if i < len(b) && (b[i] == '.' || b[i] == ',') {
		i++
		scale := 100000000
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			if scale > 0 {
				c.Nsec += int(b[i]-'0') * scale
				scale /= 10
			}
			i++
		}
		if i == start {
			return 0, false
		}
	}
	return i, true
}

// ParseOffset reads "Z", "+09:00", "+0900" or "+09" and returns the offset
// in seconds and the bytes used.
func ParseOffset(b []byte) (off, n int, ok bool) {
	if len(b) == 0 {
		return 0, 0, false
	}
	if b[0] == 'Z' || b[0] == 'z' {
		return 0, 1, true
	}
	if b[0] != '+' && b[0] != '-' {
		return 0, 0, false
	}
	h, okh := num(b, 1, 2)
	if !okh || h > 23 {
		return 0, 0, false
	}
	n = 3
	m := 0
	if len(b) >= 6 && b[3] == ':' {
		var okm bool
		if m, okm = num(b, 4, 2); !okm {
			return 0, 0, false
		}
		n = 6
	} else if len(b) >= 5 {
		if mm, okm := num(b, 3, 2); okm {
			m, n = mm, 5
		}
	}
	if m > 59 {
		return 0, 0, false
	}
	off = h*3600 + m*60
	if b[0] == '-' {
		off = -off
	}
	return off, n, true
}

// ParseISO reads an ISO 8601 / RFC 3339 time: "2006-01-02T15:04:05",
// optionally with a fraction and a zone ("Z", "+09:00", "+0900"); a space
// may stand for the T. The whole of b must be used.
func ParseISO(b []byte, c *Civil) bool {
	if len(b) < 19 || !ParseDate(b, c) || (b[10] != 'T' && b[10] != ' ' && b[10] != 't') {
		return false
	}
	n, ok := ParseClock(b[11:], c)
	if !ok {
		return false
	}
	rest := b[11+n:]
	c.Off, c.HasZone, c.UTC = 0, false, false
	if len(rest) > 0 {
		if rest[0] == ' ' {
			rest = rest[1:]
		}
		off, used, ok := ParseOffset(rest)
		if !ok || used != len(rest) {
			return false
		}
		c.Off, c.HasZone, c.UTC = off, true, rest[0] == 'Z' || rest[0] == 'z'
	}
	return c.Valid()
}

// ParseCLF reads the Common Log Format time "10/Oct/2000:13:55:36 -0700"
// (without the brackets); the offset is optional.
func ParseCLF(b []byte, c *Civil) bool {
	if len(b) < 20 || b[2] != '/' || b[6] != '/' || b[11] != ':' {
		return false
	}
	var ok1, ok2 bool
	c.D, ok1 = num(b, 0, 2)
	c.Mo = parsers.Month(b[3:6])
	c.Y, ok2 = num(b, 7, 4)
	if !ok1 || !ok2 || c.Mo == 0 {
		return false
	}
	n, ok := ParseClock(b[12:], c)
	if !ok {
		return false
	}
	rest := b[12+n:]
	c.Off, c.HasZone, c.UTC = 0, false, false
	if len(rest) > 0 {
		if rest[0] != ' ' {
			return false
		}
		off, used, ok := ParseOffset(rest[1:])
		if !ok || used != len(rest)-1 {
			return false
		}
		c.Off, c.HasZone = off, true
	}
	return c.Valid()
}

// ParseEpoch reads a Unix time: seconds with an optional fraction
// ("1573840000.123"), or an integer whose magnitude says its unit
// (seconds, milliseconds, microseconds or nanoseconds).
func ParseEpoch(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	var whole int64
	i := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		whole = whole*10 + int64(b[i]-'0')
	}
	if i == 0 || i > 19 {
		return 0, false
	}
	if i == len(b) {
		switch {
		case whole < 1e11:
			return whole * 1e9, true
		case whole < 1e14:
			return whole * 1e6, true
		case whole < 1e17:
			return whole * 1e3, true
		}
		return whole, true
	}
	if b[i] != '.' || whole >= 1e11 {
		return 0, false
	}
	i++
	var frac int64
	scale := int64(1e8)
	start := i
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		frac += int64(b[i]-'0') * scale
		scale /= 10
	}
	if i != len(b) || i == start {
		return 0, false
	}
	return whole*1e9 + frac, true
}

// offsetNames caches "+0900"-style labels by quarter hour, so labelling an
// event with its source's offset costs no allocation.
var offsetNames = func() [113]string {
	var a [113]string
	for i := range a {
		q := i - 56
		sign := byte('+')
		if q < 0 {
			sign, q = '-', -q
		}
		h, m := q/4, (q%4)*15
		a[i] = string([]byte{sign, byte('0' + h/10), byte('0' + h%10), byte('0' + m/10), byte('0' + m%10)})
	}
	return a
}()

// OffsetLabel renders a UTC offset in seconds the way events record a
// source's own zone: "+0900", "-0530".
func OffsetLabel(off int) string {
	if off%900 == 0 && off >= -14*3600 && off <= 14*3600 {
		return offsetNames[off/900+56]
	}
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	h, m := off/3600, off%3600/60
	return string([]byte{sign, byte('0' + h/10%10), byte('0' + h%10), byte('0' + m/10), byte('0' + m%10)})
}

// ZoneLabel is the Zone of an event whose time was read into c: the source's
// own offset, or the case's zone label when the source carries none.
func ZoneLabel(c *Civil, in *parsers.Input) string {
	if c.UTC {
		return "UTC"
	}
	if c.HasZone {
		return OffsetLabel(c.Off)
	}
	return in.ZoneLabel()
}

// CivilFromDays is the inverse of parsers.DaysFromCivil: the year, month
// and day of a count of days since 1970-01-01.
func CivilFromDays(z int64) (int, int, int) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return int(y), int(m), int(d)
}
