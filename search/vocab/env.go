package vocab

import (
	"fmt"
	"net/netip"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/kiseki-forensics/kiseki/engine"
	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/timeline/artifacts"
)

// Host is what the case knows about one host of the bundle.
type Host struct {
	Name      string
	Addresses []netip.Addr // from bundle.yaml's top-level "hosts:" map
	Mount     string       // where its file system image was mounted ("mount")
	Docroot   string       // its web document root ("docroot")
}

// Env is the case context an analysis runs in: the searcher, the hosts with
// their addresses and web roots (from the bundle manifest), which CDN
// fronts which origin, and the memory artifact tables.
type Env struct {
	Searcher  *search.Searcher
	Hosts     map[string]*Host
	Origin    map[string]string // CDN evidence host -> origin host ("origin:" item option)
	Artifacts []string          // artifact table files
	Internal  []netip.Prefix    // address blocks counted as internal
	Notes     []string          // what could not be loaded
	byAddr    map[netip.Addr]string
}

// defaultInternal are the private and local blocks (RFC 1918, RFC 6598
// shared space is not included: it is a carrier's, not the victim's).
var defaultInternal = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("fc00::/7"),
	netip.MustParsePrefix("fe80::/10"),
	netip.MustParsePrefix("::1/128"),
}

// NewEnv returns an environment without manifest knowledge.
func NewEnv(s *search.Searcher) *Env {
	return &Env{Searcher: s, Hosts: map[string]*Host{}, Origin: map[string]string{}, Internal: defaultInternal, byAddr: map[netip.Addr]string{}}
}

// LoadEnv builds the environment of an open case. The manifest is read from
// the bundle path recorded at ingest (case.json "bundle"); when it is gone,
// the analysis runs without host addresses and document roots, and Notes
// says so.
//
// Manifest keys used beyond the contract's:
//
//	hosts:              # top level: the addresses of each host
//	  web01: [10.0.1.10, 198.51.100.10]
//	internal: [10.0.0.0/8]   # address blocks that are internal (default: RFC 1918 and local)
//	evidence:
//	  - path: logs/cdn/
//	    host: cdn
//	    origin: web01   # the CDN forwards to web01: its requests reached web01
func LoadEnv(c *engine.Case, s *search.Searcher) (*Env, error) {
	e := NewEnv(s)
	if files, err := artifacts.Files(c.ArtifactsDir()); err == nil {
		e.Artifacts = files
	}
	if c.Meta.Bundle == "" {
		e.Notes = append(e.Notes, "no bundle recorded in the case: host addresses and document roots unknown")
		return e, nil
	}
	if _, err := os.Stat(c.Meta.Bundle); err != nil {
		e.Notes = append(e.Notes, fmt.Sprintf("bundle %s not readable (%v): host addresses and document roots unknown", c.Meta.Bundle, err))
		return e, nil
	}
	b, err := engine.LoadBundle(c.Meta.Bundle)
	if err != nil {
		return nil, err
	}
	return e, e.FromBundle(b)
}

// FromBundle takes host addresses, mounts, document roots and CDN origins
// from a bundle manifest.
func (e *Env) FromBundle(b *engine.Bundle) error {
	if hm, ok := b.Extra["hosts"].(map[string]any); ok {
		for name, v := range hm {
			h := e.host(name)
			var list []any
			switch x := v.(type) {
			case []any:
				list = x
			case map[string]any:
				list, _ = x["addresses"].([]any)
			case string:
				list = []any{x}
			}
			for _, a := range list {
				s, _ := a.(string)
				addr, err := netip.ParseAddr(strings.TrimSpace(s))
				if err != nil {
					return fmt.Errorf("%s: hosts: %s: %q is not an address", engine.BundleManifestName, name, s)
				}
				h.Addresses = append(h.Addresses, addr.Unmap())
			}
		}
	}
	if il, ok := b.Extra["internal"].([]any); ok {
		e.Internal = nil
		for _, v := range il {
			s, _ := v.(string)
			p, err := netip.ParsePrefix(strings.TrimSpace(s))
			if err != nil {
				return fmt.Errorf("%s: internal: %q is not an address block", engine.BundleManifestName, s)
			}
			e.Internal = append(e.Internal, p.Masked())
		}
	}
	for _, it := range b.Evidence {
		if it.Host == "" {
			continue
		}
		opt := func(k string) string {
			v, _ := it.Options[k].(string)
			return v
		}
		if d := opt("docroot"); d != "" {
			h := e.host(it.Host)
			h.Docroot = path.Clean(d)
			if m := opt("mount"); m != "" {
				h.Mount = path.Clean(m)
			}
		}
		if o := opt("origin"); o != "" {
			e.Origin[it.Host] = o
		}
	}
	e.index()
	return nil
}

func (e *Env) host(name string) *Host {
	h := e.Hosts[name]
	if h == nil {
		h = &Host{Name: name}
		e.Hosts[name] = h
	}
	return h
}

// SetHostAddresses records a host's addresses (tests, CLI overrides).
func (e *Env) SetHostAddresses(name string, addrs ...netip.Addr) {
	h := e.host(name)
	h.Addresses = append(h.Addresses, addrs...)
	e.index()
}

func (e *Env) index() {
	e.byAddr = map[netip.Addr]string{}
	names := make([]string, 0, len(e.Hosts))
	for n := range e.Hosts {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for _, a := range e.Hosts[n].Addresses {
			if _, dup := e.byAddr[a]; !dup {
				e.byAddr[a] = n
			}
		}
	}
}

// HostOf returns the host name that has address a, or "".
func (e *Env) HostOf(a netip.Addr) string { return e.byAddr[a.Unmap()] }

// IsInternal reports whether a is in an internal block or is a known host's.
func (e *Env) IsInternal(a netip.Addr) bool {
	a = a.Unmap()
	if _, ok := e.byAddr[a]; ok {
		return true
	}
	for _, p := range e.Internal {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// OriginOf returns the host a web event of host h reached: h itself for an
// origin server, the configured origin for a CDN, or the only host with a
// document root when the CDN has none configured.
func (e *Env) OriginOf(h, source string) string {
	if !IsCDN(source) {
		return h
	}
	if o := e.Origin[h]; o != "" {
		return o
	}
	only := ""
	for n, hh := range e.Hosts {
		if hh.Docroot != "" {
			if only != "" {
				return h
			}
			only = n
		}
	}
	if only != "" {
		return only
	}
	return h
}

// URLToFile maps a URL path on host h to the file it serves, through the
// host's document root ("" when the host has none).
func (e *Env) URLToFile(h, urlPath string) string {
	hh := e.Hosts[h]
	if hh == nil || hh.Docroot == "" || urlPath == "" || urlPath[0] != '/' {
		return ""
	}
	return path.Join(hh.Docroot, path.Clean(urlPath))
}

// FileToURL maps a file on host h to the URL path that reaches it, or "".
func (e *Env) FileToURL(h, file string) string {
	hh := e.Hosts[h]
	if hh == nil || hh.Docroot == "" {
		return ""
	}
	root := hh.Docroot
	if file == root {
		return "/"
	}
	if strings.HasPrefix(file, root+"/") {
		return file[len(root):]
	}
	return ""
}

// Session returns a copy of e whose scans share their mapped segments
// (search.Searcher.Session) for one multi-pass analysis, and the function
// that releases them, to call when the analysis is done.
func (e *Env) Session() (*Env, func()) {
	c := *e
	c.Searcher = e.Searcher.Session()
	return &c, c.Searcher.Close
}
