package carve

import (
	"net/netip"
	"unsafe"
)

func str(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// digits runs at the first digit of a digit run.
func (s *Scanner) digits(i int) {
	t := s.text
	var prev byte
	if i > 0 {
		prev = t[i-1]
	}
	if prev == '.' || isAlpha(prev) || prev == '_' {
		return
	}
	// The first digit group decides which scanners can match: IPv4 needs
	// 1-3 digits and a dot, a card 4 (grouped) or 13-19 digits, a Japanese
	// number a leading 0 and 2-5 digits (or 11).
	g := 1
	for i+g < len(t) && g < 20 && isDigit(t[i+g]) {
		g++
	}
	if g <= 3 && i+g < len(t) && t[i+g] == '.' && s.ipv4(i) {
		return
	}
	if prev == '+' || prev == '-' || prev == '/' {
		return
	}
	if (g == 4 || (g >= 13 && g <= 19)) && !s.continuesGroup(i) {
		if s.card(i) {
			return
		}
	}
	if t[i] == '0' && g >= 2 && (g <= 5 || g == 11) {
		s.phoneJP(i)
	}
}

// ipv4 recognises a dotted quad at i: four decimal octets 0-255 without
// leading zeros, not followed by another ".digit" or by a digit or letter.
func (s *Scanner) ipv4(i int) bool {
	t := s.text
	p := i
	for part := 0; part < 4; part++ {
		if part > 0 {
			if p >= len(t) || t[p] != '.' {
				return false
			}
			p++
		}
		q := p
		v := 0
		for q < len(t) && q-p < 4 && isDigit(t[q]) {
			v = v*10 + int(t[q]-'0')
			q++
		}
		n := q - p
		if n == 0 || n > 3 || v > 255 || (n > 1 && t[p] == '0') {
			return false
		}
		p = q
	}
	if p < len(t) {
		c := t[p]
		if isAlnum(c) || c == '_' || (c == '.' && p+1 < len(t) && isDigit(t[p+1])) {
			return false
		}
	}
	s.put(KindIPv4, i, p, t[i:p])
	return true
}

// continuesGroup reports whether the digits at i follow a short digit group
// and a single space or hyphen: they would be the second group of a number
// printed in groups, which belongs to the group before.
func (s *Scanner) continuesGroup(i int) bool {
	t := s.text
	if i < 2 || (t[i-1] != ' ' && t[i-1] != '-') {
		return false
	}
	n := 0
	for k := i - 2; k >= 0 && isDigit(t[k]) && n <= 6; k-- {
		n++
	}
	return n >= 1 && n <= 6
}

// card recognises a payment card number at i: 13-19 digits, plain or in
// groups split by single spaces or hyphens, passing Luhn and an issuer range.
func (s *Scanner) card(i int) bool {
	t := s.text
	var buf [19]byte
	nd := 0
	var groups [6]int
	ng := 0
	var sep byte
	p := i
	for p < len(t) {
		q := p
		for q < len(t) && isDigit(t[q]) && q-p <= 19 {
			q++
		}
		g := q - p
		if g == 0 || nd+g > 19 || ng == len(groups) {
			return false
		}
		copy(buf[nd:], t[p:q])
		nd += g
		groups[ng] = g
		ng++
		p = q
		if g <= 6 && p+1 < len(t) && (t[p] == ' ' || t[p] == '-') && isDigit(t[p+1]) {
			if sep != 0 && t[p] != sep {
				return false
			}
			sep = t[p]
			p++
			continue
		}
		break
	}
	if nd < 13 {
		return false
	}
	if p < len(t) && (isAlnum(t[p]) || t[p] == '_' || (t[p] == '.' && p+1 < len(t) && isDigit(t[p+1]))) {
		return false
	}
	if ng > 1 && !cardGrouping(groups[:ng]) {
		return false
	}
	d := buf[:nd]
	if !Luhn(d) {
		return false
	}
	iss := Issuer(d)
	if iss == "" {
		return false
	}
	s.m = Match{Kind: KindCard, Start: i, End: p, Anchor: i, Value: t[i:p], Issuer: iss}
	s.emit(&s.m)
	return true
}

// cardGrouping accepts the ways cards are printed: 4-4-4-4(-3), 4-6-5
// (Amex), 4-6-4 (Diners).
func cardGrouping(g []int) bool {
	switch len(g) {
	case 3:
		return g[0] == 4 && g[1] == 6 && (g[2] == 5 || g[2] == 4)
	case 4, 5:
		for k, n := range g {
			if n != 4 && !(k == 4 && n >= 1 && n <= 3) {
				return false
			}
		}
		return true
	}
	return false
}

// Luhn reports whether the ASCII digits pass the Luhn (mod 10) check.
func Luhn(d []byte) bool {
	sum := 0
	dbl := false
	for k := len(d) - 1; k >= 0; k-- {
		v := int(d[k] - '0')
		if v > 9 {
			return false
		}
		if dbl {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		dbl = !dbl
	}
	return len(d) > 0 && sum%10 == 0
}

func prefixNum(d []byte, n int) int {
	v := 0
	for k := 0; k < n && k < len(d); k++ {
		v = v*10 + int(d[k]-'0')
	}
	return v
}

// Issuer returns the card brand whose IIN range and length the digits fit,
// or "" (ISO/IEC 7812 ranges as the brands publish them).
func Issuer(d []byte) string {
	n := len(d)
	if n < 13 || n > 19 {
		return ""
	}
	p1, p2, p3, p4, p6 := prefixNum(d, 1), prefixNum(d, 2), prefixNum(d, 3), prefixNum(d, 4), prefixNum(d, 6)
	switch {
	case p1 == 4:
		if n == 13 || n == 16 || n == 19 {
			return "visa"
		}
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720:
		if n == 16 {
			return "mastercard"
		}
	case p2 == 34 || p2 == 37:
		if n == 15 {
			return "amex"
		}
	case p4 >= 3528 && p4 <= 3589:
		if n >= 16 {
			return "jcb"
		}
	case p3 >= 300 && p3 <= 305, p2 == 36, p2 == 38, p2 == 39:
		if n >= 14 {
			return "diners"
		}
	case p4 == 6011, p3 >= 644 && p3 <= 649, p2 == 65, p6 >= 622126 && p6 <= 622925:
		if n >= 16 {
			return "discover"
		}
	case p2 == 62:
		if n >= 16 {
			return "unionpay"
		}
	}
	return ""
}

// phoneJP recognises Japanese domestic numbers at a leading 0: 0X0-XXXX-XXXX
// (mobile, IP, M2M), 0AB-CDE-FGHJ style landlines (area code and local part
// six digits together, four-digit subscriber part), 0120/0570-XXX-XXX and
// 0800-XXX-XXXX, or 11 plain digits 070/080/090XXXXXXXX.
func (s *Scanner) phoneJP(i int) bool {
	t := s.text
	var g [3]int
	var ng int
	p := i
	for ng < 3 {
		q := p
		for q < len(t) && isDigit(t[q]) && q-p < 12 {
			q++
		}
		if q == p {
			return false
		}
		g[ng] = q - p
		ng++
		p = q
		if ng < 3 && p+1 < len(t) && t[p] == '-' && isDigit(t[p+1]) {
			p++
			continue
		}
		break
	}
	if p < len(t) && (isAlnum(t[p]) || t[p] == '_' || (p+1 < len(t) && (t[p] == '-' || t[p] == '.') && isDigit(t[p+1]))) {
		return false
	}
	if len(t) <= i+2 || t[i+1] == '0' {
		return false
	}
	second, third := t[i+1], t[i+2]
	mobile := third == '0' && (second == '2' || second == '5' || second == '7' || second == '8' || second == '9')
	ok := false
	switch ng {
	case 1:
		ok = g[0] == 11 && third == '0' && (second == '7' || second == '8' || second == '9')
	case 3:
		total := g[0] + g[1] + g[2]
		switch {
		case mobile:
			ok = g[0] == 3 && g[1] == 4 && g[2] == 4
		case g[0] == 4 && (string(t[i:i+4]) == "0120" || string(t[i:i+4]) == "0570"):
			ok = g[1] == 3 && g[2] == 3
		case g[0] == 4 && string(t[i:i+4]) == "0800":
			ok = g[1] == 3 && g[2] == 4
		default:
			ok = total == 10 && g[0] >= 2 && g[0] <= 5 && g[2] == 4 && g[0]+g[1] == 6
		}
	}
	if !ok {
		return false
	}
	s.put(KindPhone, i, p, t[i:p])
	return true
}

// e164 recognises +CC... international numbers: a country code not starting
// with 0, then digits in groups split by single spaces or hyphens, 8 to 15
// digits in all (+81 numbers: 11 or 12).
func (s *Scanner) e164(i int) {
	t := s.text
	if i > 0 && (isAlnum(t[i-1]) || t[i-1] == '+' || t[i-1] == '_') {
		return
	}
	p := i + 1
	if p >= len(t) || t[p] < '1' || t[p] > '9' {
		return
	}
	nd := 0
	var sep byte
	for p < len(t) {
		q := p
		for q < len(t) && isDigit(t[q]) && nd+q-p <= 15 {
			q++
		}
		nd += q - p
		p = q
		if nd > 15 {
			return
		}
		if p+1 < len(t) && (t[p] == ' ' || t[p] == '-') && isDigit(t[p+1]) {
			if sep != 0 && t[p] != sep {
				return
			}
			sep = t[p]
			p++
			continue
		}
		break
	}
	if p < len(t) && (isAlnum(t[p]) || t[p] == '_' || (t[p] == '.' && p+1 < len(t) && isDigit(t[p+1]))) {
		return
	}
	if nd < 8 {
		return
	}
	if t[i+1] == '8' && t[i+2] == '1' && (nd < 11 || nd > 12) {
		return
	}
	s.put(KindPhone, i, p, t[i:p])
}

func isLocalChar(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

// email runs at '@': a local part of up to 64 characters before it and a
// host name with an alphabetic top-level label after it.
func (s *Scanner) email(i int) {
	t := s.text
	j := i
	for j > 0 && isLocalChar(t[j-1]) {
		j--
		if i-j > 64 {
			return
		}
	}
	if j == i || t[j] == '.' || t[i-1] == '.' {
		return
	}
	for k := j; k+1 < i; k++ {
		if t[k] == '.' && t[k+1] == '.' {
			return
		}
	}
	end := s.hostName(i+1, 2)
	if end < 0 {
		return
	}
	s.put(KindEmail, j, end, t[j:end])
}

// hostName validates the host name starting at p and returns its end, or
// -1. The top label must be alphabetic and at least minTLD letters long.
func (s *Scanner) hostName(p, minTLD int) int {
	t := s.text
	k := p
	for k < len(t) && isHostChar(t[k]) && k-p <= 253 {
		k++
	}
	if k-p > 253 {
		return -1
	}
	for k > p && (t[k-1] == '.' || t[k-1] == '-') {
		k--
	}
	labels, ls := 0, p
	for q := p; q <= k; q++ {
		if q < k && t[q] != '.' {
			continue
		}
		n := q - ls
		if n == 0 || n > 63 || t[ls] == '-' || t[q-1] == '-' {
			return -1
		}
		labels++
		if q == k {
			if n < minTLD || n > 24 {
				return -1
			}
			for r := ls; r < q; r++ {
				if !isAlpha(t[r]) {
					return -1
				}
			}
		}
		ls = q + 1
	}
	if labels < 2 {
		return -1
	}
	return k
}

// domain runs at the first '.' of a host-name-like run: the whole run must
// be a host name whose top-level label is in the list of TLDs we trust not
// to be file extensions. Runs touching '@' belong to e-mail addresses.
func (s *Scanner) domain(i int) {
	t := s.text
	if i+1 >= len(t) || !isAlnum(t[i+1]) {
		return // a sentence's full stop, "..", ".-"
	}
	j := i
	for j > 0 && isHostChar(t[j-1]) && i-j < 254 {
		j--
	}
	k := i + 1
	for k < len(t) && isHostChar(t[k]) && k-j < 255 {
		k++
	}
	if k-j > 253 || (j > 0 && isHostChar(t[j-1])) {
		// Too long for a host name: so is every part of this run.
		for k < len(t) && isHostChar(t[k]) {
			k++
		}
		s.domDone = k
		return
	}
	s.domDone = k
	if (j > 0 && (t[j-1] == '@' || t[j-1] == '_' || t[j-1] == '\\' || t[j-1] == '$')) || (k < len(t) && (t[k] == '@' || t[k] == '_' || t[k] == '(')) {
		return
	}
	for j < k && (t[j] == '.' || t[j] == '-') {
		j++
	}
	// Cheap test first: the top label must be a trusted TLD.
	e := k
	for e > j && (t[e-1] == '.' || t[e-1] == '-') {
		e--
	}
	tl := e
	for tl > j && t[tl-1] != '.' {
		tl--
	}
	if tl == j || !knownTLD(t[tl:e]) {
		return
	}
	end := s.hostName(j, 2)
	if end < 0 {
		return
	}
	s.put(KindDomain, j, end, t[j:end])
}

func isURLChar(c byte) bool {
	if c <= 0x20 || c >= 0x7f {
		return false
	}
	switch c {
	case '"', '<', '>', '\\', '^', '`', '{', '|', '}':
		return false
	}
	return true
}

// url runs at "://": the scheme before it must be http, https, ftp, ws or wss.
func (s *Scanner) url(i int) {
	t := s.text
	j := i
	for j > 0 && isAlpha(t[j-1]) && i-j < 6 {
		j--
	}
	if j > 0 && (isAlnum(t[j-1]) || t[j-1] == '+' || t[j-1] == '-' || t[j-1] == '.' || t[j-1] == '/') {
		return
	}
	switch sch := t[j:i]; len(sch) {
	case 2:
		if !eqFold(sch, "ws") {
			return
		}
	case 3:
		if !eqFold(sch, "ftp") && !eqFold(sch, "wss") {
			return
		}
	case 4:
		if !eqFold(sch, "http") {
			return
		}
	case 5:
		if !eqFold(sch, "https") {
			return
		}
	default:
		return
	}
	// The URL characters run to urlEnd; later "://" inside the same run
	// reuse it instead of scanning again.
	if i+3 > s.urlEnd {
		e := i + 3
		for e < len(t) && isURLChar(t[e]) {
			e++
		}
		s.urlEnd = e
	}
	k := min(s.urlEnd, j+MaxURL)
	for k > i+3 {
		c := t[k-1]
		if c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == ')' || c == ']' || c == '\'' {
			k--
			continue
		}
		break
	}
	h := i + 3
	for h < k && t[h] != '/' && t[h] != '?' && t[h] != '#' {
		h++
	}
	if h == i+3 {
		return
	}
	s.put(KindURL, j, k, t[j:k])
}

func eqFold(b []byte, lower string) bool {
	for k := range b {
		if b[k]|0x20 != lower[k] {
			return false
		}
	}
	return true
}

func isV6Char(c byte) bool { return isHex(c) || c == ':' || c == '.' }

// ipv6 runs at a ':' not yet covered: the run of hex digits, colons and dots
// around it must parse as an IPv6 address and stand alone as a word.
func (s *Scanner) ipv6(i int) {
	t := s.text
	j := i
	for j > 0 && isV6Char(t[j-1]) && i-j < 46 {
		j--
	}
	k := i + 1
	for k < len(t) && isV6Char(t[k]) && k-j < 47 {
		k++
	}
	if k-j > 45 {
		for k < len(t) && isV6Char(t[k]) {
			k++
		}
		s.v6Done = k
		return
	}
	s.v6Done = k
	if j > 0 && (isAlnum(t[j-1]) || t[j-1] == '_' || isV6Char(t[j-1])) {
		return
	}
	if k < len(t) && (isAlnum(t[k]) || t[k] == '_' || isV6Char(t[k]) || t[k] == '(') {
		return
	}
	for k > j && t[k-1] == '.' {
		k--
	}
	for j < k && t[j] == '.' {
		j++
	}
	if k-j < 3 {
		return
	}
	if !v6Shape(t[j:k]) {
		return
	}
	a, err := netip.ParseAddr(str(t[j:k]))
	if err != nil || !a.Is6() || a.IsUnspecified() {
		return
	}
	s.put(KindIPv6, j, k, t[j:k])
}

// tlds are top-level domains accepted for bare domain names: generic and
// country codes common in incident data, leaving out those that collide with
// file extensions and code (sh, py, so, md, rs, pl, in, id, ...).
var tlds = map[string]bool{}

func init() {
	for _, s := range []string{
		"com", "net", "org", "info", "biz", "edu", "gov", "mil", "int", "io", "co", "jp", "cn", "ru", "de",
		"uk", "fr", "kr", "tw", "hk", "us", "eu", "nl", "br", "au", "ca", "it", "es", "se", "ch", "be",
		"dk", "fi", "no", "cz", "hu", "gr", "pt", "ie", "nz", "sg", "my", "th", "vn", "ph", "tr", "ua",
		"ir", "il", "sa", "ae", "za", "mx", "ar", "cl", "kz", "by", "bg", "lt", "lv", "ee", "sk", "si", "hr",
		"pk", "bd", "ng", "eg", "ke", "xyz", "top", "online", "site", "club", "shop", "store", "tech",
		"dev", "cloud", "live", "pro", "mobi", "asia", "tk", "ga", "cf", "gq", "me", "tv", "ly", "gl", "su",
		"ws", "onion", "icu", "vip", "work", "click", "space", "website", "fun", "buzz", "tokyo",
		"osaka", "nagoya", "okinawa", "kyoto", "yokohama",
	} {
		tlds[s] = true
	}
}

func knownTLD(b []byte) bool {
	if len(b) > 12 {
		return false
	}
	var low [12]byte
	for k, c := range b {
		low[k] = c | 0x20
	}
	return tlds[string(low[:len(b)])]
}

// v6Shape is a quick test before netip.ParseAddr (which allocates an error
// for every failure): hex groups of at most four digits, at most one "::",
// eight groups without it (seven places for an embedded IPv4 address), and
// not the short forms that are more often code than an address.
func v6Shape(b []byte) bool {
	groups, dbl, g, colons, longest := 0, false, 0, 0, 0
	dots := false
	for k := 0; k < len(b); k++ {
		switch c := b[k]; {
		case c == ':':
			colons++
			if g > 0 {
				groups++
			}
			if k+1 < len(b) && b[k+1] == ':' {
				if dbl {
					return false
				}
				dbl = true
				colons++
				k++
			}
			g = 0
		case c == '.':
			dots = true
			g = 0
		default:
			g++
			if g > 4 && !dots {
				return false
			}
			longest = max(longest, g)
		}
	}
	if g > 0 {
		groups++
	}
	if colons < 2 {
		return false
	}
	if dots {
		groups++ // the IPv4 part counts as two groups, one counted already
	}
	if dbl {
		// One group beside "::" is more often code ("x::", "::f") than an
		// address, loopback aside.
		// "D::f", "C::A" are code; an address abbreviated with "::" has a
		// group of three or more digits, or three groups, or starts "::".
		if string(b) == "::1" {
			return true
		}
		return groups >= 2 && groups <= 7 && (longest >= 3 || groups >= 3 || b[0] == ':')
	}
	return groups == 8
}
