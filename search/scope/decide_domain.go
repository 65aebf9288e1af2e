package scope

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/kiseki-forensics/kiseki/search/vocab"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Domain rules. A row of a host's own logs that names a seed domain (a
// resolver's query or reply, a shell command, a proxy line) is the
// intruder's contact with it: it touches the host that asked, which is the
// known host whose address the row names (a resolver logs its client's
// address: the resolver itself was not touched), or, when the row names no
// address at all, the host that logged it. The outside addresses a reply
// gives for the domain are its addresses: outbound, the next round's seeds
// (connections to them are the C2's). A row whose client is an internal
// address of no known host cannot say which host asked: a look-alike with
// that reason. A domain a log named on DomainBaselineDays days or more
// before the first seed activity is that log's routine (a victim's own
// domain, given as part of a URL, is named by its logs every day): its
// rows are look-alikes.
const (
	RuleDomain         = "domain"
	RuleDomainResolved = "domain-address"
	RuleDomainUnknown  = "domain-unknown-client"
	RuleDomainBaseline = "domain-baseline"
)

// DomainBaselineDays is how many distinct days before the incident a log
// must name a domain for the domain to be its routine: one day could be
// the intruder's own earlier contact, a routine name recurs.
const DomainBaselineDays = 2

// domainObs is one row of a host's logs naming a seed domain.
type domainObs struct {
	t      int64
	host   string // the host that logged it
	domain string
	src    netip.Addr
	addrs  []netip.Addr // the addresses written in its text
	ref    vocab.RowRef
}

// domainNamed returns the seed domain row i names in its URL, message or
// extra fields ("" for none).
func (st *state) domainNamed(url, message, extra string) string {
	for _, d := range st.domains {
		for _, v := range [...]string{url, message, extra} {
			if containsFold(v, d) {
				return d
			}
		}
	}
	return ""
}

// containsFold is strings.Contains for an ASCII-lowercase needle, ignoring
// the case of s (domains are case-insensitive).
func containsFold(s, lower string) bool {
	n := len(lower)
	for i := 0; i+n <= len(s); i++ {
		if strings.EqualFold(s[i:i+n], lower) {
			return true
		}
	}
	return false
}

// textAddrs returns the IP addresses written in s (dotted IPv4 and IPv6
// tokens), in order.
func textAddrs(s string) []netip.Addr {
	var out []netip.Addr
	isAddrByte := func(c byte) bool {
		return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == '.' || c == ':'
	}
	for i := 0; i < len(s); {
		if !isAddrByte(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isAddrByte(s[j]) {
			j++
		}
		tok := strings.Trim(s[i:j], ".:")
		if strings.Count(tok, ".") == 3 || strings.Count(tok, ":") >= 2 {
			if a, err := netip.ParseAddr(tok); err == nil {
				out = append(out, a.Unmap())
			}
		}
		i = j
	}
	return out
}

// decideDomains files the rows naming a seed domain.
func (st *state) decideDomains(f *findings) {
	routine := st.routineDomains()
	for i := range st.domainRows {
		o := &st.domainRows[i]
		asker, unknown := st.domainAsker(o)
		switch {
		case routine[[2]string{o.host, o.domain}]:
			f.lookalike("domain", o.domain, o.host, RuleDomainBaseline,
				fmt.Sprintf("named by %s's logs on %d days or more before the first indicator activity", o.host, DomainBaselineDays), o.t, o.ref)
			continue
		case asker != "":
			f.action(asker, o.t, o.ref, fmt.Sprintf("%s named %s (logged on %s)", asker, o.domain, o.host))
		case unknown.IsValid():
			f.lookalike("address", unknown.String(), o.host, RuleDomainUnknown,
				fmt.Sprintf("asked for %s, but %s is the address of no known host", o.domain, unknown), o.t, o.ref)
		}
		for _, a := range o.addrs {
			if !st.env.IsInternal(a) && a != o.src {
				f.remote(a, "outbound", RuleDomainResolved, fmt.Sprintf("an address of %s (%s)", o.domain, o.host), o.domain, o.t, o.ref)
			}
		}
	}
}

// routineDomains are the (logging host, domain) pairs named on
// DomainBaselineDays days or more before the baseline ended.
func (st *state) routineDomains() map[[2]string]bool {
	days := map[[2]string]map[int64]bool{}
	out := map[[2]string]bool{}
	for i := range st.domainRows {
		o := &st.domainRows[i]
		if st.baselineEnd == 0 || o.t >= st.baselineEnd {
			continue
		}
		k := [2]string{o.host, o.domain}
		if days[k] == nil {
			days[k] = map[int64]bool{}
		}
		days[k][o.t/int64(24*time.Hour)] = true
		if len(days[k]) >= DomainBaselineDays {
			out[k] = true
		}
	}
	return out
}

// domainAsker is the host that asked for the domain in o: the known host
// whose address the row names; else the unknown internal client it names;
// else, when the row names no address at all (a command, a proxy line of
// the host's own), the host that logged it. A row naming only outside
// addresses is a resolver's answer: it says what the domain is, not who
// asked.
func (st *state) domainAsker(o *domainObs) (string, netip.Addr) {
	cands := append([]netip.Addr{o.src}, o.addrs...)
	var unknown netip.Addr
	for _, a := range cands {
		if !a.IsValid() {
			continue
		}
		if h := st.env.HostOf(a); h != "" {
			return h, netip.Addr{}
		}
		if st.env.IsInternal(a) && !unknown.IsValid() {
			unknown = a
		}
	}
	if unknown.IsValid() || len(o.addrs) > 0 {
		return "", unknown
	}
	return o.host, netip.Addr{}
}

// domainRow collects row i of seg if it names a seed domain.
func (st *state) domainRow(seg *timeline.Segment, i int) {
	msg := seg.Str(timeline.ColMessage, i)
	d := st.domainNamed(seg.Str(timeline.ColURL, i), msg, seg.Str(timeline.ColExtra, i))
	if d == "" {
		return
	}
	st.domainRows = append(st.domainRows, domainObs{t: seg.Time(i), host: st.col.host.At(seg, i, st.col.in), domain: d,
		src: vocab.ParseAddr(seg.Str(timeline.ColSrcIP, i)), addrs: textAddrs(msg), ref: st.col.ref(seg, i)})
}
