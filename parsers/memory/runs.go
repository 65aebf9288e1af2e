package memory

import (
	"encoding/binary"
	"math/bits"
	"unsafe"
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
	// runLen counts the text bytes just before p; a run is reported when it
	// ends. Per mixed word only one rarely taken branch: did a run of
	// minRun or more end in it?
	runLen := 0
	u16Done := 0
	words := unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(b))), n/8)
	for wi := 0; ; wi++ {
		// Most words need no call: skip them in a loop that keeps its
		// values in registers.
		wi, runLen = skipWords(words, wi, runLen)
		if wi >= len(words) {
			break
		}
		x := words[wi]
		p := wi * 8
		m := textMask(x)
		// UTF-16LE: a window of four characters at p or p+4, on either
		// parity; any run of six or more characters covers one of them. A
		// window needs zeros in every other byte: rare outside such text
		// (and x zero is no character at all).
		if x != 0 && (x&evenZero == 0 || x&oddZero == 0) && p >= u16Done {
			if q := u16Hit(x, p); q >= 0 {
				u16Done = u16Run(b, q, utf16)
			}
		}
		if (x&0xff00ff0000000000 == 0 || x&0x00ff00ff00000000 == 0) && x != 0 && p+12 <= n && p+4 >= u16Done {
			if q := u16Hit(binary.LittleEndian.Uint64(b[p+4:]), p+4); q >= 0 {
				u16Done = u16Run(b, q, utf16)
			}
		}
		if m == hiBits {
			runLen += 8
			continue
		}
		nt := ^m & hiBits
		if tz := bits.TrailingZeros64(nt) >> 3; runLen+tz >= minRun {
			ascii(p-runLen, p+tz)
		}
		if m == 0x0080808080808000 {
			// bytes 1..6 text, 0 and 7 not: the one run of six inside a word
			ascii(p+1, p+7)
		}
		runLen = bits.LeadingZeros64(nt) >> 3
	}
	wordEnd := len(words) * 8
	for p := wordEnd; p < n; p++ {
		if isText(b[p]) {
			runLen++
			continue
		}
		if runLen >= minRun {
			ascii(p-runLen, p)
		}
		runLen = 0
	}
	if runLen >= minRun {
		ascii(n-runLen, n)
	}
	// Runs that cover no window looked at above lie in the last few bytes.
	for q := max(u16Done, wordEnd-8); q+1 < n; q++ {
		if isText(b[q]) && b[q+1] == 0 && q >= u16Done {
			u16Done = u16Run(b, q, utf16)
		}
	}
}

// skipWords returns the first word from wi on that needs more than run
// bookkeeping: one that may hold UTF-16 characters, or where a run of
// minRun text bytes ends. runLen is updated over the words skipped.
func skipWords(words []uint64, wi, runLen int) (int, int) {
	// The masks are read from a variable so that they stay in registers
	// instead of being rematerialised as 64-bit immediates on every word.
	k := swarConsts
	low7, p20, one, ws9, ws14, hi, z57, z46 := k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7]
	for ; wi < len(words); wi++ {
		x := words[wi]
		if x == 0 {
			// Zero pages: nothing starts here; a run may end here.
			if runLen >= minRun {
				return wi, runLen
			}
			runLen = 0
			continue
		}
		// Every UTF-16 window test in findRuns needs bytes 5 and 7 or
		// bytes 4 and 6 zero.
		if x&z57 == 0 || x&z46 == 0 {
			return wi, runLen
		}
		l := x & low7
		m := ((l+p20)&^(l+one) | (l+ws9)&^(l+ws14)) & hi &^ x // textMask
		if m == hi {
			runLen += 8
			continue
		}
		nt := ^m & hi
		if runLen+bits.TrailingZeros64(nt)>>3 >= minRun || m == 0x0080808080808000 {
			return wi, runLen
		}
		runLen = bits.LeadingZeros64(nt) >> 3
	}
	return wi, runLen
}

var swarConsts = [8]uint64{lo7, 0x6060606060606060, ones, 0x7777777777777777, 0x7272727272727272, hiBits,
	0xff00ff0000000000, 0x00ff00ff00000000}

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
