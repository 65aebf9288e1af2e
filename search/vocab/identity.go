package vocab

import (
	"context"
	"net/netip"
	"sort"
	"strings"

	"github.com/kiseki-forensics/kiseki/parsers/linux"
	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Identity is one fact about which host has which address, with where it
// comes from: the manifest, or a line of evidence that states it.
type Identity struct {
	Host     string        `json:"host"`
	Address  string        `json:"address"`
	Source   string        `json:"source"` // manifest | dhcp | sshd-listen | nat-static | host-config
	Ref      *timeline.Ref `json:"ref,omitempty"`
	Conflict string        `json:"conflict,omitempty"` // the manifest says otherwise
}

// Identity sources.
const (
	IdentityManifest = "manifest"
	IdentityDHCP     = "dhcp"
	IdentitySSHD     = "sshd-listen"
	IdentityNAT      = "nat-static"
	IdentityConfig   = "host-config" // the host's network configuration or /etc/hosts (parsers/linux)
)

// identityQuery finds the lines that state a host's address: DHCP leases
// (dhclient "bound to A", dhcpcd/NetworkManager "DHCPACK of A"), sshd's
// "Server listening on A port N", and a firewall's static translations
// (ASA "Built static [TCP|UDP] translation from if:REAL to if:MAPPED").
// The host's own configuration states it too (linux.HostAddressPrefix).
const identityQuery = `"bound to" OR "DHCPACK" OR "listening on" OR "translation from" OR "` + linux.HostAddressPhrase + `"`

// LearnHosts reads the evidence for the addresses of hosts and adds those
// the manifest does not give (an address the manifest gives to another
// host is reported as a conflict and not used). It returns every fact, the
// manifest's included, sorted by host and address.
func (e *Env) LearnHosts(ctx context.Context) ([]Identity, error) {
	var out []Identity
	for _, n := range sortedHosts(e) {
		for _, a := range e.Hosts[n].Addresses {
			out = append(out, Identity{Host: n, Address: a.String(), Source: IdentityManifest})
		}
	}
	if e.Searcher == nil {
		return out, nil
	}
	learned := map[[2]string]bool{}
	err := e.Searcher.Scan(ctx, search.Request{Query: identityQuery}, nil, func(seg *timeline.Segment, rows []search.Rows) error {
		rows[0].Each(func(i int) bool {
			host, source := seg.Str(timeline.ColHost, i), seg.Str(timeline.ColSource, i)
			msg := seg.Str(timeline.ColMessage, i)
			for _, f := range identityFacts(host, source, msg, e) {
				if f.Host == "" || learned[[2]string{f.Host, f.Address}] {
					continue
				}
				f.Host = strings.Clone(f.Host) // the segment is mapped
				learned[[2]string{f.Host, f.Address}] = true
				r := RefAt(seg, i)
				f.Ref = &r
				out = append(out, f)
			}
			return true
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	e.apply(out)
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].Host < out[j].Host || out[i].Host == out[j].Host && out[i].Address < out[j].Address
	})
	return out, nil
}

// apply adds the learned addresses that do not conflict with the manifest.
func (e *Env) apply(facts []Identity) {
	for k := range facts {
		f := &facts[k]
		if f.Source == IdentityManifest {
			continue
		}
		a, err := netip.ParseAddr(f.Address)
		if err != nil {
			continue
		}
		if owner := e.HostOf(a); owner != "" && owner != f.Host {
			f.Conflict = f.Address + " is " + owner + "'s (" + e.sourceOf(facts, owner, f.Address) + ")"
			continue
		}
		if e.HostOf(a) == f.Host {
			continue
		}
		h := e.host(f.Host)
		h.Addresses = append(h.Addresses, a.Unmap())
		e.index() // the next fact sees this one
	}
}

// sourceOf is where the fact that host has address came from.
func (e *Env) sourceOf(facts []Identity, host, address string) string {
	for _, f := range facts {
		if f.Host == host && f.Address == address && f.Conflict == "" {
			return f.Source
		}
	}
	return IdentityManifest
}

// identityFacts reads one line's statement of an address.
func identityFacts(host, source, msg string, e *Env) []Identity {
	switch {
	case IsFirewall(source):
		return natFact(msg, e)
	case host == "":
		return nil
	case source == linux.ConfigSource && strings.HasPrefix(msg, linux.HostAddressPrefix):
		if a := addrAfter(msg, linux.HostAddressPrefix); a.IsValid() {
			return []Identity{{Host: host, Address: a.String(), Source: IdentityConfig}}
		}
	case strings.Contains(msg, "Server listening on "):
		if a := addrAfter(msg, "Server listening on "); a.IsValid() && !a.IsUnspecified() {
			return []Identity{{Host: host, Address: a.String(), Source: IdentitySSHD}}
		}
	case strings.Contains(msg, "bound to "):
		if a := addrAfter(msg, "bound to "); a.IsValid() {
			return []Identity{{Host: host, Address: a.String(), Source: IdentityDHCP}}
		}
	case strings.Contains(msg, "DHCPACK of "):
		if a := addrAfter(msg, "DHCPACK of "); a.IsValid() {
			return []Identity{{Host: host, Address: a.String(), Source: IdentityDHCP}}
		}
	}
	return nil
}

// natFact: a static translation maps a host's real address to the address
// outside sees; when the real address is a known host's, so is the mapped.
func natFact(msg string, e *Env) []Identity {
	head, rest, ok := strings.Cut(msg, " translation from ")
	if !ok || !strings.Contains(head, "static") {
		return nil
	}
	real, rest, ok := strings.Cut(rest, " to ")
	if !ok {
		return nil
	}
	mapped, _, _ := strings.Cut(rest, " ")
	ra, ma := ifaceAddr(real), ifaceAddr(mapped)
	if !ra.IsValid() || !ma.IsValid() {
		return nil
	}
	if h := e.HostOf(ra); h != "" {
		return []Identity{{Host: h, Address: ma.String(), Source: IdentityNAT}}
	}
	return nil
}

// ifaceAddr reads "iface:A[/port]" (A may be IPv6).
func ifaceAddr(s string) netip.Addr {
	if i := strings.IndexByte(s, ':'); i > 0 && isName(s[:i]) {
		s = s[i+1:]
	}
	if i := strings.IndexByte(s, '/'); i >= 0 {
		s = s[:i]
	}
	return ParseAddr(s)
}

// addrAfter parses the address that follows marker in msg.
func addrAfter(msg, marker string) netip.Addr {
	_, rest, _ := strings.Cut(msg, marker)
	end := strings.IndexAny(rest, " ,;")
	if end >= 0 {
		rest = rest[:end]
	}
	return ParseAddr(rest)
}

func sortedHosts(e *Env) []string {
	names := make([]string, 0, len(e.Hosts))
	for n := range e.Hosts {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// isName reports whether s is an interface name, not the first group of
// an IPv6 address (which is hex digits only).
func isName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return true
		}
	}
	return false
}
