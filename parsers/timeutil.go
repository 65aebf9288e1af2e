package parsers

// DaysFromCivil returns the days since 1970-01-01 of a proleptic Gregorian
// date (Howard Hinnant's algorithm): time.Date costs ~10x more per line.
func DaysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// UnixNano converts a civil date and time with a UTC offset in seconds.
func UnixNano(y, mo, d, h, mi, s, nsec int, offsetSec int) int64 {
	secs := DaysFromCivil(y, mo, d)*86400 + int64(h*3600+mi*60+s) - int64(offsetSec)
	return secs*1e9 + int64(nsec)
}

// Month returns 1-12 for a three-letter English month abbreviation (any
// case), or 0.
func Month(b []byte) int {
	if len(b) < 3 {
		return 0
	}
	c0, c1, c2 := b[0]|0x20, b[1]|0x20, b[2]|0x20
	switch c0 {
	case 'j':
		if c1 == 'a' && c2 == 'n' {
			return 1
		}
		if c1 == 'u' && c2 == 'n' {
			return 6
		}
		if c1 == 'u' && c2 == 'l' {
			return 7
		}
	case 'f':
		if c1 == 'e' && c2 == 'b' {
			return 2
		}
	case 'm':
		if c1 == 'a' && c2 == 'r' {
			return 3
		}
		if c1 == 'a' && c2 == 'y' {
			return 5
		}
	case 'a':
		if c1 == 'p' && c2 == 'r' {
			return 4
		}
		if c1 == 'u' && c2 == 'g' {
			return 8
		}
	case 's':
		if c1 == 'e' && c2 == 'p' {
			return 9
		}
	case 'o':
		if c1 == 'c' && c2 == 't' {
			return 10
		}
	case 'n':
		if c1 == 'o' && c2 == 'v' {
			return 11
		}
	case 'd':
		if c1 == 'e' && c2 == 'c' {
			return 12
		}
	}
	return 0
}

// Digits parses b as an unsigned decimal; ok is false for empty input, a
// non-digit or more than 18 digits.
func Digits(b []byte) (n int, ok bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// ValidDate reports whether the fields form a real calendar date and time.
func ValidDate(y, mo, d, h, mi, s int) bool {
	if mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60 {
		return false
	}
	dim := [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[mo-1]
	if mo == 2 && y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		dim = 29
	}
	return d <= dim
}
