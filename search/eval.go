package search

import (
	"fmt"
	"math/bits"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/kiseki-forensics/kiseki/timeline"
)

// bitset marks matching rows of one segment.
type bitset []uint64

func newBitset(n int) bitset    { return make(bitset, (n+63)/64) }
func (b bitset) set(i int)      { b[i>>6] |= 1 << (uint(i) & 63) }
func (b bitset) has(i int) bool { return b[i>>6]&(1<<(uint(i)&63)) != 0 }
func (b bitset) and(o bitset) {
	for i := range b {
		b[i] &= o[i]
	}
}
func (b bitset) or(o bitset) {
	for i := range b {
		b[i] |= o[i]
	}
}
func (b bitset) andNot(o bitset) {
	for i := range b {
		b[i] &^= o[i]
	}
}
func (b bitset) empty() bool {
	for _, w := range b {
		if w != 0 {
			return false
		}
	}
	return true
}

func (b bitset) count() (n int64) {
	for _, w := range b {
		n += int64(bits.OnesCount64(w))
	}
	return n
}

// rangeSet returns a bitset with rows [lo, hi) set.
func rangeSet(n, lo, hi int) bitset {
	b := newBitset(n)
	for i := lo; i < hi; i++ {
		if i&63 == 0 && i+64 <= hi {
			b[i>>6] = ^uint64(0)
			i += 63
			continue
		}
		b.set(i)
	}
	return b
}

// evaluator evaluates a query on segments; text lookups are done once per
// query and reused for every segment.
type evaluator struct {
	text      *textIndex
	mu        sync.Mutex // guards textCache and noteCache: segments are evaluated in parallel
	textCache map[string]candidates
	notes     NoteSource // the analysts' annotations (nil: none)
	noteCache map[string][]int64
}

func newEvaluator(t *textIndex, notes NoteSource) *evaluator {
	return &evaluator{text: t, textCache: map[string]candidates{}, notes: notes, noteCache: map[string][]int64{}}
}

func (e *evaluator) eval(n Node, seg *timeline.Segment, lo, hi int) (bitset, error) {
	switch n := n.(type) {
	case All:
		return rangeSet(seg.Len(), lo, hi), nil
	case And:
		// Column terms first, then the row-by-row ones (integers) only over
		// the rows still in; an empty intersection ends the evaluation.
		var acc bitset
		kids := make([]Node, 0, len(n.Kids))
		var late []Term
		for _, k := range n.Kids {
			if t, ok := k.(Term); ok && (fields[t.Field].kind == fieldInt || fields[t.Field].kind == fieldLabel) {
				late = append(late, t)
				continue
			}
			kids = append(kids, k)
		}
		for _, k := range kids {
			if acc != nil && !e.noted(k) {
				// Only the rows still in need testing.
				cols, pred, ok, err := predicateOf(k)
				if err != nil {
					return nil, err
				}
				if ok {
					b := newBitset(seg.Len())
					for _, c := range cols {
						scanStrings(seg, c, lo, hi, b, pred, acc)
					}
					acc.and(b)
					if acc.empty() {
						return acc, nil
					}
					continue
				}
			}
			b, err := e.eval(k, seg, lo, hi)
			if err != nil {
				return nil, err
			}
			if acc == nil {
				acc = b
			} else {
				acc.and(b)
			}
			if acc.empty() {
				return acc, nil
			}
		}
		for _, t := range late {
			var (
				b   bitset
				err error
			)
			if fields[t.Field].kind == fieldLabel {
				b = labelTerm(t, seg, lo, hi, acc)
			} else if b, err = e.intTerm(t, seg, lo, hi, acc); err != nil {
				return nil, err
			}
			if acc == nil {
				acc = b
			} else {
				acc.and(b)
			}
			if acc.empty() {
				return acc, nil
			}
		}
		return acc, nil
	case Or:
		// Terms on the same columns (source:a OR source:b ...) are one
		// scan with the predicates ORed.
		acc := newBitset(seg.Len())
		type group struct {
			cols  []int
			preds []func(string) bool
		}
		groups := map[string]*group{}
		var order []string
		for _, k := range n.Kids {
			if t, ok := k.(Term); ok && !e.noted(t) {
				cols, pred, ok, err := predicate(t)
				if err != nil {
					return nil, err
				}
				if ok {
					key := fmt.Sprint(cols)
					g := groups[key]
					if g == nil {
						g = &group{cols: cols}
						groups[key] = g
						order = append(order, key)
					}
					g.preds = append(g.preds, pred)
					continue
				}
			}
			b, err := e.eval(k, seg, lo, hi)
			if err != nil {
				return nil, err
			}
			acc.or(b)
		}
		for _, key := range order {
			g := groups[key]
			match := func(v string) bool {
				for _, p := range g.preds {
					if p(v) {
						return true
					}
				}
				return false
			}
			for _, c := range g.cols {
				scanStrings(seg, c, lo, hi, acc, match, nil)
			}
		}
		return acc, nil
	case Not:
		b, err := e.eval(n.Kid, seg, lo, hi)
		if err != nil {
			return nil, err
		}
		all := rangeSet(seg.Len(), lo, hi)
		all.andNot(b)
		return all, nil
	case Term:
		if _, err := netip.ParseAddr(n.Value); err == nil && n.Field == "" {
			// A bare address also finds the events that have it as source or
			// destination, not only those that mention it in their text.
			byAddr, err := e.term(Term{Field: "ip", Value: n.Value}, seg, lo, hi)
			if err != nil {
				return nil, err
			}
			byText, err := e.term(Term{Value: n.Value, Phrase: true}, seg, lo, hi)
			if err != nil {
				return nil, err
			}
			byAddr.or(byText)
			return byAddr, nil
		}
		return e.term(n, seg, lo, hi)
	}
	return nil, nil
}

func (e *evaluator) term(t Term, seg *timeline.Segment, lo, hi int) (bitset, error) {
	out := newBitset(seg.Len())
	if t.Field == "" {
		return out, e.freeText(t, seg, lo, hi, out)
	}
	spec := fields[t.Field]
	switch spec.kind {
	case fieldKeyword, fieldTag, fieldIP:
		cols, match, _, err := predicate(t)
		if err != nil {
			return nil, err
		}
		for _, c := range cols {
			scanStrings(seg, c, lo, hi, out, match, nil)
		}
		if spec.kind == fieldTag {
			return out, e.noteRows(t, seg, lo, hi, out)
		}
	case fieldNote:
		return out, e.noteRows(t, seg, lo, hi, out)
	case fieldInt:
		return e.intTerm(t, seg, lo, hi, nil)
	case fieldLabel:
		return labelTerm(t, seg, lo, hi, nil), nil
	case fieldText:
		if err := e.textTerm(t, []string{spec.textKind}, seg, lo, hi, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// intTerm evaluates a numeric term on the rows of [lo, hi), or only on the
// rows set in mask when it is not nil.
func (e *evaluator) intTerm(t Term, seg *timeline.Segment, lo, hi int, mask bitset) (bitset, error) {
	out := newBitset(seg.Len())
	spec := fields[t.Field]
	lo64, hi64, err := intRange(t.Field, t.Value)
	if err != nil {
		return nil, err
	}
	// Absent values never match a comparison; status and ports store
	// "absent" as 0, which matches only when asked for explicitly.
	skipZero := spec.zeroAbsent && !(lo64 == 0 && hi64 == 0)
	test := func(c, i int) {
		v := seg.Int(c, i)
		if v == timeline.Absent || (v == 0 && skipZero) {
			return
		}
		if v >= lo64 && v <= hi64 {
			out.set(i)
		}
	}
	for _, c := range spec.cols {
		if mask != nil {
			Rows{bits: mask, Lo: lo, Hi: hi}.Each(func(i int) bool { test(c, i); return true })
			continue
		}
		for i := lo; i < hi; i++ {
			test(c, i)
		}
	}
	return out, nil
}

// predicateOf is predicate for a term, or for an OR of terms on the same
// columns (ok false otherwise).
func predicateOf(n Node) (cols []int, match func(string) bool, ok bool, err error) {
	switch n := n.(type) {
	case Term:
		return predicate(n)
	case Or:
		var preds []func(string) bool
		for _, k := range n.Kids {
			t, isTerm := k.(Term)
			if !isTerm {
				return nil, nil, false, nil
			}
			c, p, ok, err := predicate(t)
			if err != nil || !ok {
				return nil, nil, false, err
			}
			if cols != nil && fmt.Sprint(c) != fmt.Sprint(cols) {
				return nil, nil, false, nil
			}
			cols = c
			preds = append(preds, p)
		}
		if cols == nil {
			return nil, nil, false, nil
		}
		return cols, func(v string) bool {
			for _, p := range preds {
				if p(v) {
					return true
				}
			}
			return false
		}, true, nil
	}
	return nil, nil, false, nil
}

// predicate returns the columns and value test of a keyword, tag or
// address term (ok false for other terms).
func predicate(t Term) (cols []int, match func(string) bool, ok bool, err error) {
	if t.Field == "" {
		return nil, nil, false, nil
	}
	spec := fields[t.Field]
	switch spec.kind {
	case fieldKeyword:
		m := newGlob(t.Value)
		return spec.cols, m.match, true, nil
	case fieldTag:
		m := newGlob(t.Value)
		return spec.cols, func(v string) bool {
			for _, part := range strings.Split(v, ",") {
				if m.match(part) {
					return true
				}
			}
			return false
		}, true, nil
	case fieldIP:
		match, err := ipMatcher(t.Value)
		if err != nil {
			return nil, nil, false, err
		}
		if spec.client {
			return spec.cols, func(v string) bool { c := clientValue(v); return c != "" && match(c) }, true, nil
		}
		return spec.cols, match, true, nil
	}
	return nil, nil, false, nil
}

// freeText searches every text column for a term without a field, and
// the request line (method and URL) of web requests.
func (e *evaluator) freeText(t Term, seg *timeline.Segment, lo, hi int, out bitset) error {
	if err := e.textTerm(t, textFields, seg, lo, hi, out); err != nil {
		return err
	}
	requestLine(newTextQuery(t), seg, lo, hi, out)
	return nil
}

func (e *evaluator) textTerm(t Term, kinds []string, seg *timeline.Segment, lo, hi int, out bitset) error {
	// A field term with a wildcard is a pattern over the whole value
	// (path:*.php).
	if t.Field != "" && strings.ContainsAny(t.Value, "*?") {
		m := newGlob(t.Value)
		for _, k := range kinds {
			scanStrings(seg, fields[k].cols[0], lo, hi, out, m.match, nil)
		}
		return nil
	}
	q := newTextQuery(t)
	if q.empty() {
		return nil
	}
	var cands candidates
	if e.text != nil {
		key := strings.Join(kinds, ",") + "\x00" + t.String()
		e.mu.Lock()
		var ok bool
		if cands, ok = e.textCache[key]; !ok {
			var err error
			if cands, err = e.text.lookup(q, kinds); err != nil {
				e.mu.Unlock()
				return err
			}
			e.textCache[key] = cands
		}
		e.mu.Unlock()
	}
	for _, k := range kinds {
		var blocks []int
		if cands != nil {
			if blocks = cands[segKind{seg.Info.RowBase, k}]; len(blocks) == 0 {
				continue
			}
		}
		matchBlocks(seg, fields[k].cols[0], lo, hi, out, q.match, blocks)
	}
	return nil
}

// matchBlocks sets the rows of [lo, hi) whose column c value matches,
// checking only the values of the given index blocks (all when blocks is
// nil). A value without words never matches a text query.
func matchBlocks(seg *timeline.Segment, c, lo, hi int, out bitset, match func(string) bool, blocks []int) {
	if d, ok := Dict(seg, c); ok {
		n := d.Values.Len()
		hit := make([]bool, n)
		any := false
		check := func(a, b int) {
			for k := a; k < min(b, n); k++ {
				if match(d.Values.Value(k)) {
					hit[k], any = true, true
				}
			}
		}
		if blocks == nil {
			check(0, n)
		}
		for _, b := range blocks {
			check(b*blockSize, (b+1)*blockSize)
		}
		if !any {
			return
		}
		if !d.nulls {
			orCodes(out, d.codes, lo, hi, hit)
			return
		}
		for i := lo; i < hi; i++ {
			if k := d.Code(i); k >= 0 && hit[k] {
				out.set(i)
			}
		}
		return
	}
	check := func(a, b int) {
		for i := max(a, lo); i < min(b, hi); i++ {
			if match(seg.Str(c, i)) {
				out.set(i)
			}
		}
	}
	if blocks == nil {
		check(lo, hi)
	}
	for _, b := range blocks {
		check(b*blockSize, (b+1)*blockSize)
	}
}

// requestLine sets the rows of [lo, hi) whose request line, the method
// followed by the URL ("GET /account?id=7"), matches q where the method
// takes part in the match: "GET", "POST admin", the phrase "GET /account".
// Matches within the URL alone are the URL column's. The summary line
// shown for a request is derived from these columns and not stored, so
// this is how its words are found, with or without the index.
func requestLine(q textQuery, seg *timeline.Segment, lo, hi int, out bitset) {
	if q.empty() {
		return
	}
	methods, ok := Dict(seg, timeline.ColMethod)
	if !ok {
		return
	}
	// rest[k] is what the URL must match for rows of method k; all[k]:
	// the method alone matches.
	n := methods.Values.Len()
	rest := make([][]textQuery, n)
	all := make([]bool, n)
	anyMethod := false
	for k := range n {
		all[k], rest[k] = methodPart(q, methods.Values.Value(k))
		anyMethod = anyMethod || all[k] || len(rest[k]) > 0
	}
	if !anyMethod {
		return
	}
	urls, urlDict := Dict(seg, timeline.ColURL)
	known := make([][]int8, n) // by method, by URL code: 0 unknown, 1 yes, 2 no
	for i := lo; i < hi; i++ {
		k := methods.Code(i)
		if k < 0 || !all[k] && len(rest[k]) == 0 {
			continue
		}
		if all[k] {
			out.set(i)
			continue
		}
		if !urlDict {
			if matchAny(rest[k], seg.Str(timeline.ColURL, i)) {
				out.set(i)
			}
			continue
		}
		if known[k] == nil {
			known[k] = make([]int8, urls.Values.Len())
		}
		u := urls.Code(i)
		if u < 0 {
			continue
		}
		if known[k][u] == 0 {
			known[k][u] = 2
			if matchAny(rest[k], urls.Values.Value(u)) {
				known[k][u] = 1
			}
		}
		if known[k][u] == 1 {
			out.set(i)
		}
	}
}

func matchAny(qs []textQuery, v string) bool {
	for _, q := range qs {
		if q.match(v) {
			return true
		}
	}
	return false
}

// methodPart splits q over a request line of the given method: all when
// the method's words alone satisfy it, else the queries the URL must
// satisfy for the line to (none when the method's words play no part).
func methodPart(q textQuery, method string) (all bool, rest []textQuery) {
	if method == "" {
		return false, nil
	}
	if q.match(method) {
		return true, nil
	}
	if q.pattern != nil {
		return false, nil
	}
	mw := Words(method)
	if !q.phrase {
		var left []string
		for _, w := range q.words {
			if !slices.Contains(mw, w) {
				left = append(left, w)
			}
		}
		if len(left) == len(q.words) {
			return false, nil
		}
		return false, []textQuery{{words: left}}
	}
	// A phrase that starts in the method's words and goes on at the URL's
	// first word.
	for k := 1; k <= min(len(mw), len(q.words)-1); k++ {
		if slices.Equal(mw[len(mw)-k:], q.words[:k]) {
			rest = append(rest, textQuery{words: q.words[k:], anchored: true})
		}
	}
	return false, rest
}

// orCodes sets the rows of [lo, hi) whose code hits. Whole words are built
// without branches: which codes hit follows no pattern the processor could
// predict, and a mispredicted branch per row cost more than the rest.
func orCodes(out bitset, codes []int32, lo, hi int, hit []bool) {
	bit := make([]uint64, len(hit))
	for k, h := range hit {
		if h {
			bit[k] = 1
		}
	}
	i := lo
	for ; i < hi && i&63 != 0; i++ {
		out[i>>6] |= bit[codes[i]] << (uint(i) & 63)
	}
	for ; i+64 <= hi; i += 64 {
		var word uint64
		for b, k := range codes[i : i+64] {
			word |= bit[k] << uint(b)
		}
		out[i>>6] |= word
	}
	for ; i < hi; i++ {
		out[i>>6] |= bit[codes[i]] << (uint(i) & 63)
	}
}

// scanStrings sets the rows of [lo, hi) whose column c value matches (only
// the rows set in mask, when mask is not nil). For a dictionary column the
// predicate runs once per distinct value.
func scanStrings(seg *timeline.Segment, c, lo, hi int, out bitset, match func(string) bool, mask bitset) {
	if d, ok := Dict(seg, c); ok && mask != nil {
		// Only the values the rows still in use are decided.
		known := make([]int8, d.Values.Len()) // 0 unknown, 1 yes, 2 no
		var nullHit int8
		Rows{bits: mask, Lo: lo, Hi: hi}.Each(func(i int) bool {
			k := d.Code(i)
			if k < 0 {
				if nullHit == 0 {
					nullHit = 2
					if match("") {
						nullHit = 1
					}
				}
				if nullHit == 1 {
					out.set(i)
				}
				return true
			}
			if known[k] == 0 {
				known[k] = 2
				if match(d.Values.Value(k)) {
					known[k] = 1
				}
			}
			if known[k] == 1 {
				out.set(i)
			}
			return true
		})
		return
	}
	if d, ok := Dict(seg, c); ok {
		hit := make([]bool, d.Values.Len())
		any, all := false, true
		for i := range hit {
			hit[i] = match(d.Values.Value(i))
			any = any || hit[i]
			all = all && hit[i]
		}
		nullHit := match("") // a row without a value reads as ""
		if !any && !nullHit {
			return
		}
		if mask != nil {
			Rows{bits: mask, Lo: lo, Hi: hi}.Each(func(i int) bool {
				if k := d.Code(i); k >= 0 && hit[k] || k < 0 && nullHit {
					out.set(i)
				}
				return true
			})
			return
		}
		if !d.nulls {
			if all {
				out.or(rangeSet(seg.Len(), lo, hi))
				return
			}
			orCodes(out, d.codes, lo, hi, hit)
			return
		}
		for i := lo; i < hi; i++ {
			if k := d.Code(i); k >= 0 && hit[k] || k < 0 && nullHit {
				out.set(i)
			}
		}
		return
	}
	if mask != nil {
		Rows{bits: mask, Lo: lo, Hi: hi}.Each(func(i int) bool {
			if match(seg.Str(c, i)) {
				out.set(i)
			}
			return true
		})
		return
	}
	for i := lo; i < hi; i++ {
		if match(seg.Str(c, i)) {
			out.set(i)
		}
	}
}

// glob matches '*' and '?' patterns, ASCII case-insensitively unless made
// with Glob(p, true). A pattern without wildcards is an exact match.
type glob struct {
	pat  string
	fold bool
}

func newGlob(p string) glob { return glob{strings.ToLower(p), true} }

// Glob returns a matcher for a '*'/'?' pattern; caseSensitive keeps case
// (URL paths), otherwise ASCII letters match either case.
func Glob(p string, caseSensitive bool) func(string) bool {
	if caseSensitive {
		return glob{p, false}.match
	}
	return newGlob(p).match
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 32
	}
	return c
}

func (g glob) match(s string) bool {
	p := g.pat
	// Iterative matcher with single-star backtracking: linear for typical
	// patterns, no recursion on hostile input.
	pi, si, star, mark := 0, 0, -1, 0
	for si < len(s) {
		c := s[si]
		if g.fold {
			c = lower(c)
		}
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == c):
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

func containsFold(s, lowerNeedle string) bool {
	n := len(lowerNeedle)
	if n == 0 {
		return true
	}
	for i := 0; i+n <= len(s); i++ {
		j := 0
		for j < n && lower(s[i+j]) == lowerNeedle[j] {
			j++
		}
		if j == n {
			return true
		}
	}
	return false
}

func ipMatcher(v string) (func(string) bool, error) {
	switch {
	case strings.Contains(v, "/"):
		pfx, err := netip.ParsePrefix(v)
		if err != nil {
			return nil, err
		}
		pfx = pfx.Masked()
		if pfx.IsSingleIP() {
			return exactIP(pfx.Addr().Unmap()), nil
		}
		// Dictionaries of client addresses are large: an IPv4 block whose
		// first octet is fixed rejects most values by their text.
		lead := ""
		if pfx.Addr().Is4() && pfx.Bits() >= 8 {
			lead = strconv.Itoa(int(pfx.Addr().As4()[0])) + "."
		}
		return func(s string) bool {
			if lead != "" && !strings.HasPrefix(s, lead) && !strings.Contains(s, ":") {
				return false
			}
			a, err := netip.ParseAddr(s)
			return err == nil && pfx.Contains(a.Unmap())
		}, nil
	case strings.ContainsAny(v, "*?"):
		return newGlob(v).match, nil
	default:
		want, err := netip.ParseAddr(v)
		if err != nil {
			// Not an address: a host name in an address field.
			return newGlob(v).match, nil
		}
		return exactIP(want.Unmap()), nil
	}
}

// exactIP matches one address in any spelling (IPv4-mapped, IPv6 forms),
// parsing only values that could be it: for an IPv4 address, the value is
// its text or ends with it (::ffff:a.b.c.d); for IPv6, the value has a ':'.
func exactIP(want netip.Addr) func(string) bool {
	text := want.String()
	return func(s string) bool {
		if s == text {
			return true
		}
		if want.Is4() {
			if !strings.HasSuffix(s, text) || !strings.Contains(s, ":") {
				return false
			}
		} else if !strings.Contains(s, ":") {
			return false
		}
		a, err := netip.ParseAddr(s)
		return err == nil && a.Unmap() == want
	}
}

// intRange turns "404", "4xx", ">=400", "<500", "400..499" into bounds.
func intRange(field, v string) (int64, int64, error) {
	bad := func() (int64, int64, error) {
		return 0, 0, &QueryError{Query: field + ":" + v, Msg: "want a number, a range (400..499), a comparison (>=400) or a class (4xx)"}
	}
	switch {
	case len(v) == 3 && (v[1] == 'x' || v[1] == 'X') && (v[2] == 'x' || v[2] == 'X') && v[0] >= '1' && v[0] <= '9':
		d := int64(v[0]-'0') * 100
		return d, d + 99, nil
	case strings.HasPrefix(v, ">="):
		n, err := strconv.ParseInt(v[2:], 10, 64)
		if err != nil {
			return bad()
		}
		return n, 1 << 62, nil
	case strings.HasPrefix(v, "<="):
		n, err := strconv.ParseInt(v[2:], 10, 64)
		if err != nil {
			return bad()
		}
		return 0, n, nil
	case strings.HasPrefix(v, ">"):
		n, err := strconv.ParseInt(v[1:], 10, 64)
		if err != nil {
			return bad()
		}
		return n + 1, 1 << 62, nil
	case strings.HasPrefix(v, "<"):
		n, err := strconv.ParseInt(v[1:], 10, 64)
		if err != nil {
			return bad()
		}
		return 0, n - 1, nil
	case strings.Contains(v, ".."):
		a, b, _ := strings.Cut(v, "..")
		x, err1 := strconv.ParseInt(a, 10, 64)
		y, err2 := strconv.ParseInt(b, 10, 64)
		if err1 != nil || err2 != nil {
			return bad()
		}
		return x, y, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return bad()
	}
	return n, n, nil
}

// DictColumn is a dictionary-encoded column of a segment read in place:
// its distinct values and each row's code into them.
type DictColumn struct {
	Values *array.String
	codes  []int32
	dict   *array.Dictionary
	nulls  bool
}

// Code returns row i's index into Values, or -1 when the row has no value.
func (d DictColumn) Code(i int) int {
	if d.nulls && d.dict.IsNull(i) {
		return -1
	}
	return int(d.codes[i])
}

// Dict returns column c of seg as a DictColumn without copying; ok is false
// when c is not dictionary-encoded. For loops over large dictionaries that
// must not allocate a slice of every value (timeline.Segment.DictCodes).
func Dict(seg *timeline.Segment, c int) (d DictColumn, ok bool) {
	dict, ok := seg.Record().Column(c).(*array.Dictionary)
	if !ok {
		return d, false
	}
	v, ok := dict.Dictionary().(*array.String)
	if !ok {
		return d, false
	}
	return DictColumn{Values: v, codes: dict.Indices().(*array.Int32).Int32Values(), dict: dict, nulls: dict.NullN() > 0}, true
}
