package scope

import (
	"fmt"
	"net/netip"
	"sort"
	"time"

	"github.com/kiseki-forensics/kiseki/search/vocab"
)

// Network rules. A host's baseline is the set of destinations it
// connected to (address and port) before the first seed activity. After its compromise, a
// connection to a destination outside that baseline is the intruder's (an
// outside address: C2 or exfiltration, a new seed; an internal one: lateral
// movement, and bursts of probes are scans); a baseline destination is a
// look-alike (resolvers, time servers, mirrors, payment providers, the
// application's database). Inbound connections to a compromised host from
// outside non-seed addresses are look-alikes: ident replies, denied
// scanners.

// netBaseline is what each host's addresses did before the incident.
type netBaseline struct {
	dests map[string]map[dest]int64 // host -> destination -> first time
	// busy are the hosts that contacted more than BusyDestPerDay new
	// outside addresses a day before the incident (a crawler, a mail
	// relay, a proxy): for them a new destination is no evidence.
	busy map[string]float64
}

// dest is a destination address and port.
type dest struct {
	addr netip.Addr
	port int32
}

func (st *state) allConns() []connObs {
	out := make([]connObs, 0, len(st.hostConns)+len(st.conns))
	out = append(out, st.hostConns...)
	for _, c := range st.conns {
		if !st.coveredAddr[c.src] && !st.coveredAddr[c.dst] { // else the activity pass has it
			out = append(out, c)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].t < out[j].t })
	return out
}

func (st *state) netBaseline(cs []connObs) netBaseline {
	b := netBaseline{dests: map[string]map[dest]int64{}, busy: map[string]float64{}}
	outside := map[string]map[netip.Addr]bool{}
	span := map[string][2]int64{}
	for i := range cs {
		c := &cs[i]
		if c.t >= st.baselineEnd || c.deny {
			continue
		}
		h := st.env.HostOf(c.src)
		if h == "" {
			continue
		}
		m := b.dests[h]
		if m == nil {
			m = map[dest]int64{}
			b.dests[h] = m
		}
		if _, ok := m[dest{c.dst, c.dport}]; !ok {
			m[dest{c.dst, c.dport}] = c.t
		}
		if !st.env.IsInternal(c.dst) {
			if outside[h] == nil {
				outside[h] = map[netip.Addr]bool{}
				span[h] = [2]int64{c.t, c.t}
			}
			outside[h][c.dst] = true
			span[h] = [2]int64{min(span[h][0], c.t), max(span[h][1], c.t)}
		}
	}
	for h, o := range outside {
		days := max(float64(span[h][1]-span[h][0])/float64(24*time.Hour), 1)
		if perDay := float64(len(o)) / days; perDay > BusyDestPerDay {
			b.busy[h] = perDay
		}
	}
	return b
}

// decideNetwork applies the network rules to every firewall row read.
func (st *state) decideNetwork(f *findings) {
	cs := st.allConns()
	base := st.netBaseline(cs)
	lastOut := map[[2]netip.Addr]int64{} // (host address, outside address) -> last outbound
	denied := map[netip.Addr]*ruled{}
	for i := range cs {
		c := &cs[i]
		if !c.deny {
			lastOut[[2]netip.Addr{c.src, c.dst}] = c.t
		}
		switch {
		case st.isSeed(c.src):
			st.seedConn(f, c, c.src, "inbound", st.env.HostOf(c.dst))
		case st.isSeed(c.dst):
			st.seedConn(f, c, c.dst, "outbound", st.env.HostOf(c.src))
		default:
			if h, ok := st.compHostOf(c.src, c.t); ok {
				st.outboundConn(f, c, h, base)
			} else if h, ok := st.compHostOf(c.dst, c.t); ok && !st.env.IsInternal(c.src) {
				st.inboundConn(f, c, h, lastOut, denied)
			}
		}
	}
	for a, r := range denied {
		h := r.rule // the host the connections were denied to
		if old := f.seen[seenKey{"address", a.String(), h, RuleScanner}]; old != nil {
			old.why += fmt.Sprintf("; %d connections to %s denied by the firewall", r.Events, h)
			old.Merge(&r.Span, f.refCap)
			continue
		}
		if _, brute := f.seen[seenKey{"address", a.String(), h, RuleBruteForce}]; brute {
			continue
		}
		f.seen[seenKey{"address", a.String(), h, RuleScanner}] = &ruled{Span: r.Span, rule: RuleScanner, why: fmt.Sprintf("%d connections to %s denied by the firewall, none allowed", r.Events, h)}
	}
}

// seedConn records a connection between a seed and a host.
func (st *state) seedConn(f *findings, c *connObs, seed netip.Addr, dir, host string) {
	rule, why := st.seedPivot(seed)
	f.remote(seed, dir, rule, why, "", c.t, c.ref)
	f.action(host, c.t, c.ref, fmt.Sprintf("connection %s → %s:%d", c.src, c.dst, c.dport))
}

// outboundConn decides a connection a compromised host opened.
func (st *state) outboundConn(f *findings, c *connObs, h string, base netBaseline) {
	if first, ok := base.dests[h][dest{c.dst, c.dport}]; ok {
		f.lookalike("address", c.dst.String(), h, RuleBaselineDest, fmt.Sprintf("%s connected to it on port %d before the incident (first %s)", h, c.dport, vocab.FormatTime(first)), c.t, c.ref)
		return
	}
	if st.env.IsInternal(c.dst) {
		f.scans[h] = append(f.scans[h], probe{c.t, c.dst, c.dport, c.ref})
		if !c.deny {
			to := st.name(c.dst)
			f.lat(h, to, "connection", "", RuleNewDest, fmt.Sprintf("%s connected to %s after its compromise; not among its destinations before the incident", h, to), c.dport, c.t, c.ref)
			f.action(h, c.t, c.ref, fmt.Sprintf("connection %s → %s:%d", h, to, c.dport))
		}
		return
	}
	if perDay, busy := base.busy[h]; busy {
		f.lookalike("address", "new destinations", h, RuleBusyDest, fmt.Sprintf("%s contacted about %.0f new outside addresses a day before the incident: a new destination is no evidence there (those the intruder's session or commands tie to it would be)", h, perDay), c.t, c.ref)
		return
	}
	why := fmt.Sprintf("contacted by %s after its compromise (port %d); not among its destinations before the incident", h, c.dport)
	if c.deny {
		why += " (denied)"
	}
	f.remote(c.dst, "outbound", RuleNewDest, why, h, c.t, c.ref)
	f.action(h, c.t, c.ref, fmt.Sprintf("connection %s → %s:%d", h, c.dst, c.dport))
}

// inboundConn decides a connection from outside to a compromised host.
func (st *state) inboundConn(f *findings, c *connObs, h string, lastOut map[[2]netip.Addr]int64, denied map[netip.Addr]*ruled) {
	if c.dport == IdentPort {
		if t, ok := lastOut[[2]netip.Addr{c.dst, c.src}]; ok && c.t-t <= int64(IdentLag) {
			f.lookalike("address", c.src.String(), h, RuleIdent, fmt.Sprintf("inbound 113/tcp (ident) to %s within %s of %s's own connection to it (%s): the reply to its ident query", h, IdentLag, h, vocab.FormatTime(t)), c.t, c.ref)
			return
		}
	}
	if c.deny {
		r := denied[c.src]
		if r == nil {
			r = &ruled{rule: h}
			denied[c.src] = r
		}
		addRow(&r.Span, c.t, c.ref, f.refCap)
	}
}

// name is the host name of an address, or the address.
func (st *state) name(a netip.Addr) string {
	if h := st.env.HostOf(a); h != "" {
		return h
	}
	return a.String()
}
