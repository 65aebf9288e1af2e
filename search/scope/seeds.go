package scope

import (
	"fmt"
	"net/netip"
	"net/url"
	"path"
	"sort"
	"strings"

	"github.com/kiseki-forensics/kiseki/search/vocab"
)

// Seeds are the indicators a scope starts from.
type Seeds struct {
	Addrs    []netip.Addr
	Prefixes []netip.Prefix
	Domains  []string // lower case
	Users    []string
	Files    []string // absolute paths on a host
	URLPaths []string // URL paths (no query)
}

// ParseSeeds classifies indicator values: an address, a CIDR block, a URL
// (its host is a domain seed, its path a URL path seed), a path starting
// with '/' (both a file path and a URL path: the scope tries both), a domain
// name (letters, digits, dots and hyphens with a dot), else a user name. A
// prefix forces the kind: ip:, cidr:, domain:, user:, file:, url:.
func ParseSeeds(values []string) (Seeds, error) {
	var s Seeds
	for _, raw := range values {
		v := strings.TrimSpace(raw)
		if v == "" {
			continue
		}
		kind := ""
		if k, rest, ok := strings.Cut(v, ":"); ok {
			switch strings.ToLower(k) {
			case "ip", "cidr", "domain", "user", "file", "url":
				kind, v = strings.ToLower(k), rest
			}
		}
		if err := s.add(kind, v); err != nil {
			return s, fmt.Errorf("indicator %q: %w", raw, err)
		}
	}
	s.normalise()
	return s, nil
}

func (s *Seeds) add(kind, v string) error {
	switch kind {
	case "ip", "cidr":
		if strings.Contains(v, "/") {
			p, err := netip.ParsePrefix(v)
			if err != nil {
				return err
			}
			s.Prefixes = append(s.Prefixes, p.Masked())
			return nil
		}
		a, err := netip.ParseAddr(v)
		if err != nil {
			return err
		}
		s.Addrs = append(s.Addrs, a.Unmap())
		return nil
	case "domain":
		s.Domains = append(s.Domains, strings.ToLower(v))
		return nil
	case "user":
		s.Users = append(s.Users, v)
		return nil
	case "file":
		if !strings.HasPrefix(v, "/") {
			return fmt.Errorf("a file path must be absolute")
		}
		s.Files = append(s.Files, path.Clean(v))
		return nil
	case "url":
		if strings.HasPrefix(v, "/") {
			s.URLPaths = append(s.URLPaths, vocab.URLPath(v))
			return nil
		}
		u, err := url.Parse(v)
		if err != nil || u.Host == "" {
			return fmt.Errorf("not a URL")
		}
		if h := u.Hostname(); h != "" {
			if a, err := netip.ParseAddr(h); err == nil {
				s.Addrs = append(s.Addrs, a.Unmap())
			} else {
				s.Domains = append(s.Domains, strings.ToLower(h))
			}
		}
		if u.Path != "" && u.Path != "/" {
			s.URLPaths = append(s.URLPaths, u.EscapedPath())
		}
		return nil
	}
	if a, err := netip.ParseAddr(v); err == nil {
		s.Addrs = append(s.Addrs, a.Unmap())
		return nil
	}
	if strings.Contains(v, "/") && !strings.HasPrefix(v, "/") && !strings.Contains(v, "://") {
		if p, err := netip.ParsePrefix(v); err == nil {
			s.Prefixes = append(s.Prefixes, p.Masked())
			return nil
		}
	}
	if strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://") {
		return s.add("url", v)
	}
	if strings.HasPrefix(v, "/") {
		s.Files = append(s.Files, path.Clean(vocab.URLPath(v)))
		s.URLPaths = append(s.URLPaths, vocab.URLPath(v))
		return nil
	}
	if isDomain(v) {
		s.Domains = append(s.Domains, strings.ToLower(v))
		return nil
	}
	s.Users = append(s.Users, v)
	return nil
}

func isDomain(v string) bool {
	if !strings.Contains(v, ".") || strings.HasPrefix(v, ".") || strings.HasSuffix(v, ".") {
		return false
	}
	letter := false
	for i := 0; i < len(v); i++ {
		c := v[i] | 0x20
		switch {
		case c >= 'a' && c <= 'z':
			letter = true
		case v[i] >= '0' && v[i] <= '9', v[i] == '.', v[i] == '-':
		default:
			return false
		}
	}
	return letter
}

func uniq(v []string) []string {
	sort.Strings(v)
	out := v[:0]
	for i, x := range v {
		if i == 0 || x != v[i-1] {
			out = append(out, x)
		}
	}
	return out
}

func (s *Seeds) normalise() {
	s.Domains, s.Users, s.Files, s.URLPaths = uniq(s.Domains), uniq(s.Users), uniq(s.Files), uniq(s.URLPaths)
	sort.Slice(s.Addrs, func(i, j int) bool { return s.Addrs[i].Less(s.Addrs[j]) })
	out := s.Addrs[:0]
	for i, a := range s.Addrs {
		if i == 0 || a != s.Addrs[i-1] {
			out = append(out, a)
		}
	}
	s.Addrs = out
}

// Empty reports whether there is nothing to start from.
func (s Seeds) Empty() bool {
	return len(s.Addrs)+len(s.Prefixes)+len(s.Domains)+len(s.Users)+len(s.Files)+len(s.URLPaths) == 0
}

// Strings lists the seeds as indicator values.
func (s Seeds) Strings() []string {
	var out []string
	for _, a := range s.Addrs {
		out = append(out, a.String())
	}
	for _, p := range s.Prefixes {
		out = append(out, p.String())
	}
	for _, d := range s.Domains {
		out = append(out, "domain:"+d)
	}
	for _, u := range s.Users {
		out = append(out, "user:"+u)
	}
	for _, f := range s.Files {
		out = append(out, "file:"+f)
	}
	for _, u := range s.URLPaths {
		out = append(out, "url:"+u)
	}
	return out
}
