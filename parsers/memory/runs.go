package memory

import (
	"encoding/binary"
	"math/bits"
)

// Text runs are found eight bytes at a time (SWAR): per 64-bit word a mask
// with the high bit of every byte that is text (printable ASCII or \t \n
// \v \f \r), then the run bookkeeping only where the mask is mixed. Zero
// pages and random data cost a dozen ALU operations per eight bytes.

const (
	minRun = 6 // shortest ASCII run scanned (runs.go relies on it being 6)
	minU16 = 6 // shortest UTF-16LE run scanned, in characters

	hiBits = 0x8080808080808080
	lo7    = 0x7f7f7f7f7f7f7f7f
	ones   = 0x0101010101010101
)

// textMask returns the high bit of every byte of x that is text.
func textMask(x uint64) uint64 {
	l := x & lo7
	printable := (l + 0x6060606060606060) &^ (l + ones) // 0x20 <= l < 0x7f
	ws := (l + 0x7777777777777777) &^ (l + 0x7272727272727272)
	return (printable | ws) & hiBits &^ x
}

func isText(c byte) bool { return (c >= 0x20 && c < 0x7f) || (c >= 9 && c <= 13) }

// findRuns calls ascii for every maximal run of text bytes in b at least
// minRun long, and utf16 for every maximal run of UTF-16LE text characters
// (text byte, zero byte) at least minU16 characters long, in increasing
// order of start within each kind.
func findRuns(b []byte, ascii func(s, e int), utf16 func(s, e int)) {
	n := len(b)
	runStart := -1
	emit := func(s, e int) {
		if e-s >= minRun {
			ascii(s, e)
		}
	}
	u16Done := 0
	p := 0
	for ; p+12 <= n; p += 8 {
		x := binary.LittleEndian.Uint64(b[p:])
		m := textMask(x)
		// UTF-16LE: a window of four characters at p or p+4, on either
		// parity. Any run of six or more characters covers one of them.
		// (With x zero neither window can hold four characters.)
		if x != 0 {
			if p >= u16Done {
				if q := u16Hit(x, p); q >= 0 {
					u16Done = u16Run(b, q, utf16)
				}
			}
			// The window at p+4 needs zeros in bytes 5 and 7 or 4 and 6 of x.
			if p+4 >= u16Done && (x&0xff00ff0000000000 == 0 || x&0x00ff00ff00000000 == 0) {
				x2 := binary.LittleEndian.Uint64(b[p+4:])
				if q := u16Hit(x2, p+4); q >= 0 {
					u16Done = u16Run(b, q, utf16)
				}
			}
		}
		switch m {
		case hiBits:
			if runStart < 0 {
				runStart = p
			}
			continue
		case 0:
			if runStart >= 0 {
				emit(runStart, p)
				runStart = -1
			}
			continue
		case 0x0080808080808000:
			// bytes 1..6 text, 0 and 7 not: the one run of six inside a word
			if runStart >= 0 {
				emit(runStart, p)
				runStart = -1
			}
			ascii(p+1, p+7)
			continue
		}
		nt := ^m & hiBits
		tz := bits.TrailingZeros64(nt) >> 3
		if runStart >= 0 {
			emit(runStart, p+tz)
			runStart = -1
		} else if tz >= minRun {
			ascii(p, p+tz)
		}
		if lz := bits.LeadingZeros64(nt) >> 3; lz > 0 {
			runStart = p + 8 - lz
		}
	}
	wordEnd := p
	for ; p < n; p++ {
		if isText(b[p]) {
			if runStart < 0 {
				runStart = p
			}
		} else if runStart >= 0 {
			emit(runStart, p)
			runStart = -1
		}
	}
	if runStart >= 0 {
		emit(runStart, n)
	}
	// Runs that cover no word looked at above lie in the last few bytes.
	if n >= 2*minU16 {
		for q := max(u16Done, wordEnd-8); q+1 < n; q++ {
			if isText(b[q]) && b[q+1] == 0 && q >= u16Done {
				u16Done = u16Run(b, q, utf16)
			}
		}
	}
}

const (
	evenZero = 0xff00ff00ff00ff00
	oddZero  = 0x00ff00ff00ff00ff
	evenText = 0x0080008000800080
	oddText  = 0x8000800080008000
)

// u16Hit returns the position of a UTF-16LE character inside the word x
// loaded from position p when all four of its characters are text on one
// parity, else -1.
func u16Hit(x uint64, p int) int {
	if x&evenZero == 0 && textMask(x)&evenText == evenText {
		return p
	}
	if x&oddZero == 0 && textMask(x)&oddText == oddText {
		return p + 1
	}
	return -1
}

// u16Run extends the UTF-16LE run through the character at q both ways,
// reports it if long enough, and returns its end.
func u16Run(b []byte, q int, utf16 func(s, e int)) int {
	s := q
	for s >= 2 && isText(b[s-2]) && b[s-1] == 0 {
		s -= 2
	}
	e := q
	for e+1 < len(b) && isText(b[e]) && b[e+1] == 0 {
		e += 2
	}
	if (e-s)/2 >= minU16 {
		utf16(s, e)
	}
	return e
}
