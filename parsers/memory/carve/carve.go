package carve

import (
	"bytes"
)

// Kind is what a match is.
type Kind uint8

// The kinds of matches. KindLogLine is no artifact: it marks a line that
// holds a time of day, for the caller to hand to the line parsers.
const (
	KindURL Kind = iota
	KindIPv4
	KindIPv6
	KindDomain
	KindEmail
	KindCard
	KindPhone
	KindHTTPRequest
	KindHTTPHeader
	KindCommand
	KindLogLine
	NumKinds
)

var kindNames = [NumKinds]string{
	"url", "ipv4", "ipv6", "domain", "email", "card", "phone",
	"http_request", "http_header", "command", "log_line",
}

// String is the kind's name as the artifacts table spells it.
func (k Kind) String() string {
	if k < NumKinds {
		return kindNames[k]
	}
	return "unknown"
}

// Bounds of what one match may span. A caller scanning overlapping windows
// must let windows overlap by more than MaxMatch on both sides.
const (
	MaxLine  = 8 << 10  // longest line carved (log lines, headers, commands)
	MaxBlock = 16 << 10 // longest HTTP header block, request line included
	MaxURL   = 2048
	MaxMatch = MaxBlock + MaxLine
)

// Match is one value found. Value is valid only during the emit callback: it
// points into the scanned text or, for masked headers, into the scanner's
// scratch.
type Match struct {
	Kind       Kind
	Start, End int // the value's bytes in the text (the whole line for a masked header)
	// Anchor decides which window owns the match: Start, except for the
	// headers of an HTTP block, which belong with their request or status line.
	Anchor int
	Value  []byte
	Epoch  int64  // bash history: seconds of the #epoch line before the command
	Issuer string // cards: the issuer whose range the number is in
}

type class uint8

const (
	cNone class = iota
	cNL
	cDigit
	cAt
	cDot
	cColon
	cPlus
)

var classes = func() (t [256]class) {
	t['\n'] = cNL
	for c := '0'; c <= '9'; c++ {
		t[c] = cDigit
	}
	t['@'], t['.'], t[':'], t['+'] = cAt, cDot, cColon, cPlus
	return t
}()

// Scanner finds matches in text. Reuse one per goroutine: it keeps scratch
// buffers between calls.
type Scanner struct {
	text    []byte
	emit    func(*Match)
	m       Match
	masked  [][2]int // spans of masked header values, in order
	mi      int
	scratch []byte

	domDone, v6Done, blockDone, urlEnd int
}

// Scan calls emit for every match in text. A line starts at text[0] and
// after every '\n'; the caller passes runs of printable text that began
// after a non-text byte (or a window edge, whose matches it does not own).
func (s *Scanner) Scan(text []byte, emit func(*Match)) {
	s.text, s.emit = text, emit
	s.masked, s.mi = s.masked[:0], 0
	s.domDone, s.v6Done, s.blockDone, s.urlEnd = 0, 0, 0, 0
	n := len(text)
	// Lines are looked at when their end is reached (their length is then
	// known without another pass); an HTTP request line is, so, before the
	// header lines whose values it masks.
	ls, colon := 0, false
	for i := skipNone(text, 0); i < n; i = skipNone(text, i+1) {
		c := classes[text[i]]
		if s.mi < len(s.masked) && i >= s.masked[s.mi][0] {
			if i < s.masked[s.mi][1] {
				i = s.masked[s.mi][1] - 1
				continue
			}
			s.mi++
		}
		switch c {
		case cNL:
			s.line(ls, i, colon)
			ls, colon = i+1, false
		case cDigit:
			if i == 0 || !isDigit(text[i-1]) {
				s.digits(i)
			}
		case cAt:
			s.email(i)
		case cDot:
			if i >= s.domDone {
				s.domain(i)
			}
		case cColon:
			colon = true
			if i+2 < n && text[i+1] == '/' && text[i+2] == '/' {
				s.url(i)
			} else if i >= s.v6Done {
				s.ipv6(i)
			}
		case cPlus:
			s.e164(i)
		}
	}
	if ls < n {
		s.line(ls, n, colon)
	}
	s.text, s.emit = nil, nil
}

// skipNone returns the first position from i on whose byte has a class.
func skipNone(text []byte, i int) int {
	for ; i < len(text); i++ {
		if classes[text[i]] != cNone {
			return i
		}
	}
	return len(text)
}

func (s *Scanner) put(k Kind, start, end int, value []byte) {
	s.m = Match{Kind: k, Start: start, End: end, Anchor: start, Value: value}
	s.emit(&s.m)
}

func isDigit(c byte) bool { return c-'0' < 10 }
func isAlpha(c byte) bool { return (c|0x20)-'a' < 26 }
func isAlnum(c byte) bool { return isDigit(c) || isAlpha(c) }
func isHex(c byte) bool   { return isDigit(c) || (c|0x20)-'a' < 6 }
func isHostChar(c byte) bool {
	return isAlnum(c) || c == '-' || c == '.'
}

// Context appends to dst the printable-escaped text around m on m's own line
// (up to 24 bytes each side), with masked header values blanked. Call it
// from the emit callback.
func (s *Scanner) Context(dst []byte, m *Match) []byte {
	t := s.text
	if t == nil || m.Kind == KindLogLine {
		return dst
	}
	lo := max(0, m.Start-24)
	if j := bytes.LastIndexByte(t[lo:m.Start], '\n'); j >= 0 {
		lo += j + 1
	}
	hi := min(len(t), m.End+24)
	if j := bytes.IndexByte(t[m.End:hi], '\n'); j >= 0 {
		hi = m.End + j
	}
	if len(s.masked) == 0 || !s.anyMasked(lo, hi) {
		return AppendEscapedBytes(dst, t[lo:hi])
	}
	for i := lo; i < hi; i++ {
		c := t[i]
		if s.isMasked(i) {
			c = '*'
		}
		dst = AppendEscaped(dst, c)
	}
	return dst
}

// anyMasked reports whether a masked span meets [lo, hi).
func (s *Scanner) anyMasked(lo, hi int) bool {
	for i := len(s.masked) - 1; i >= 0; i-- {
		sp := s.masked[i]
		if sp[1] <= lo {
			return false
		}
		if sp[0] < hi {
			return true
		}
	}
	return false
}

var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '\\'
	}
	return t
}()

// AppendEscapedBytes appends b escaped as AppendEscaped does, copying
// stretches of plain bytes at once.
func AppendEscapedBytes(dst, b []byte) []byte {
	for len(b) > 0 {
		i := 0
		for i < len(b) && plain[b[i]] {
			i++
		}
		dst = append(dst, b[:i]...)
		if i == len(b) {
			break
		}
		dst = AppendEscaped(dst, b[i])
		b = b[i+1:]
	}
	return dst
}

func (s *Scanner) isMasked(i int) bool {
	// Spans are in order and do not overlap: binary search.
	lo, hi := 0, len(s.masked)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s.masked[m][1] <= i {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo < len(s.masked) && i >= s.masked[lo][0]
}

// AppendEscaped appends c, escaping what is not printable ASCII (and the
// backslash) as \t, \r, \n, \\ or \xNN.
func AppendEscaped(dst []byte, c byte) []byte {
	const hexd = "0123456789abcdef"
	switch {
	case c == '\\':
		return append(dst, '\\', '\\')
	case c == '\t':
		return append(dst, '\\', 't')
	case c == '\r':
		return append(dst, '\\', 'r')
	case c == '\n':
		return append(dst, '\\', 'n')
	case c >= 0x20 && c < 0x7f:
		return append(dst, c)
	}
	return append(dst, '\\', 'x', hexd[c>>4], hexd[c&15])
}

// lineEnd returns the end of the line starting at i (the '\n' or the end of
// the text) and whether the line is at most MaxLine long.
func (s *Scanner) lineEnd(i int) (int, bool) {
	t := s.text[i:min(len(s.text), i+MaxLine+1)]
	if j := bytes.IndexByte(t, '\n'); j >= 0 {
		return i + j, true
	}
	if len(t) > MaxLine {
		return i + MaxLine, false
	}
	return i + len(t), true
}

func trimCR(t []byte, start, end int) int {
	for end > start && (t[end-1] == '\r' || t[end-1] == ' ' || t[end-1] == '\t') {
		end--
	}
	return end
}
