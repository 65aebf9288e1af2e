package scope

import (
	"context"
	"net/netip"
	"strings"

	"github.com/kiseki-forensics/kiseki/search/vocab"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// findings are what a round decided, as aggregates keyed like the
// result's rows; the last round's become the result.
type findings struct {
	refCap   int
	hosts    map[string]*vocab.Span
	accounts map[[2]string]*ruled
	files    map[fileKey]*fileAgg
	remotes  map[remoteKey]*ruled
	lateral  map[latKey]*latAgg
	scans    map[string][]probe
	seen     map[seenKey]*ruled
	stomps   map[fileKey]*stompAgg
	modified []modFile // public files the intruder modified: their fetchers are victims
	first    winEnd
	last     winEnd
}

// ruled is an aggregate row with the rule that put it there.
type ruled struct {
	vocab.Span
	rule, why string
	from      string        // the seed or host it was found from
	via       *vocab.RowRef // the row that found it (for seeds of the next round)
}

type remoteKey struct {
	addr netip.Addr
	dir  string
}

type latKey struct{ from, to, kind, user string }

type latAgg struct {
	ruled
	ports map[int32]bool
}

type fileKey struct{ host, path string }

type fileAgg struct {
	ruled
	actions    map[string]int64 // action -> first trusted time
	lastChange int64            // the last trusted change (not a read)
	dir        bool
	url        string
}

type seenKey struct{ kind, value, host, rule string }

type stompAgg struct {
	vocab.Span
	rules   string
	trusted []int64 // the times no rule contradicts (ctime, crtime, $FN)
}

// modFile is a public file the intruder modified, and until when.
type modFile struct {
	host, path, url string
	from, to        int64
}

// probe is one connection attempt of a compromised host to an internal
// address (scan detection).
type probe struct {
	t    int64
	dst  netip.Addr
	port int32
	ref  vocab.RowRef
}

// winEnd is one end of the window with the action that sets it.
type winEnd struct {
	t   int64
	why string
}

// addRow counts one event; its reference is built only while under refCap.
func addRow(s *vocab.Span, t int64, ref vocab.RowRef, refCap int) {
	if len(s.Refs) < refCap {
		s.AddRef(t, ref.Ref(), refCap)
		return
	}
	s.AddRef(t, timeline.Ref{}, 0)
}

func newFindings(refCap int) *findings {
	return &findings{refCap: refCap, hosts: map[string]*vocab.Span{}, accounts: map[[2]string]*ruled{}, files: map[fileKey]*fileAgg{},
		remotes: map[remoteKey]*ruled{}, lateral: map[latKey]*latAgg{}, scans: map[string][]probe{}, seen: map[seenKey]*ruled{},
		stomps: map[fileKey]*stompAgg{}}
}

// action records an intruder action: it counts for the window and for the
// host it happened on.
func (f *findings) action(host string, t int64, ref vocab.RowRef, why string) {
	if host != "" {
		s := f.hosts[host]
		if s == nil {
			s = &vocab.Span{}
			f.hosts[host] = s
		}
		addRow(s, t, ref, f.refCap)
	}
	if f.first.t == 0 || t < f.first.t {
		f.first = winEnd{t, why}
	}
	if t > f.last.t {
		f.last = winEnd{t, why}
	}
}

func (f *findings) remote(a netip.Addr, dir, rule, why, from string, t int64, ref vocab.RowRef) {
	k := remoteKey{a, dir}
	r := f.remotes[k]
	if r == nil {
		r = &ruled{rule: rule, why: why, from: from}
		rr := ref
		r.via = &rr
		f.remotes[k] = r
	}
	addRow(&r.Span, t, ref, f.refCap)
}

func (f *findings) account(user, host, rule, why, from string, t int64, ref vocab.RowRef) {
	k := [2]string{user, host}
	a := f.accounts[k]
	if a == nil {
		a = &ruled{rule: rule, why: why, from: from}
		rr := ref
		a.via = &rr
		f.accounts[k] = a
	}
	addRow(&a.Span, t, ref, f.refCap)
}

func (f *findings) lat(from, to, kind, user, rule, why string, port int32, t int64, ref vocab.RowRef) {
	k := latKey{from, to, kind, user}
	l := f.lateral[k]
	if l == nil {
		l = &latAgg{ruled: ruled{rule: rule, why: why}, ports: map[int32]bool{}}
		f.lateral[k] = l
	}
	if port != 0 {
		l.ports[port] = true
	}
	addRow(&l.Span, t, ref, f.refCap)
}

// lookalike records something seen and left out of scope, with the reason.
func (f *findings) lookalike(kind, value, host, rule, why string, t int64, ref vocab.RowRef) {
	k := seenKey{kind, value, host, rule}
	s := f.seen[k]
	if s == nil {
		s = &ruled{rule: rule, why: why}
		f.seen[seenKey{kind, strings.Clone(value), host, rule}] = s
	}
	addRow(&s.Span, t, ref, f.refCap)
}

// decide turns the round's observations into findings: the intruder's
// web activity, logins, network and files, and the look-alikes.
func (st *state) decide(ctx context.Context) (*findings, error) {
	f := newFindings(st.opt.RefCap)
	created := st.uploadCreated()
	iurls := st.intruderURLs(created)
	st.decideWeb(f, iurls)
	st.decideLogins(f)
	st.decideNetwork(f)
	st.decideDomains(f)
	return f, st.decideFiles(ctx, f, created, iurls)
}
