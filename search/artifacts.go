package search

import (
	"strings"

	"github.com/kiseki-forensics/kiseki/timeline/artifacts"
)

// ArtifactHit is a distinct artifact value (memory carving) that a query's
// terms name, with where it was found.
type ArtifactHit struct {
	Kind  string          `json:"kind"`
	Value string          `json:"value"`
	Count int64           `json:"count"`
	Refs  []ArtifactRef   `json:"refs"`
	refs  map[string]bool // dedupe
}

// ArtifactRef points at one finding in a dump.
type ArtifactRef struct {
	Evidence string `json:"evidence"`
	Path     string `json:"path"`
	Offset   int64  `json:"offset"`
	PhysAddr *int64 `json:"phys_addr,omitempty"`
}

// maxArtifactRefs bounds the references listed per value (all are counted).
const maxArtifactRefs = 20

// SearchArtifacts finds the artifacts that the query's positive terms name:
// an artifact is one value, so each term is tried on its own: free text as a
// case-insensitive substring of the value, ip:/src_ip:/dst_ip: as an address
// or CIDR block against IPv4/IPv6 findings, url: against URLs, and a field
// with a wildcard as a pattern. Terms under NOT are not used.
func SearchArtifacts(dir string, query string) ([]ArtifactHit, error) {
	files, err := artifacts.Files(dir)
	if err != nil || len(files) == 0 {
		return nil, err
	}
	n, err := Parse(query)
	if err != nil {
		return nil, err
	}
	var preds []func(a *artifacts.Artifact) bool
	var walk func(n Node, neg bool) error
	walk = func(n Node, neg bool) error {
		switch n := n.(type) {
		case And:
			for _, k := range n.Kids {
				if err := walk(k, neg); err != nil {
					return err
				}
			}
		case Or:
			for _, k := range n.Kids {
				if err := walk(k, neg); err != nil {
					return err
				}
			}
		case Not:
			return walk(n.Kid, !neg)
		case Term:
			if neg {
				return nil
			}
			p, err := artifactPredicate(n)
			if err != nil {
				return err
			}
			if p != nil {
				preds = append(preds, p)
			}
		}
		return nil
	}
	if err := walk(n, false); err != nil || len(preds) == 0 {
		return nil, err
	}
	hits := map[string]*ArtifactHit{}
	var order []string
	for _, f := range files {
		err := artifacts.Each(f, func(a *artifacts.Artifact) error {
			for _, p := range preds {
				if !p(a) {
					continue
				}
				key := a.Kind + "\x00" + artifacts.Normalize(a.Kind, a.Value)
				h := hits[key]
				if h == nil {
					h = &ArtifactHit{Kind: strings.Clone(a.Kind), Value: strings.Clone(a.Value), refs: map[string]bool{}}
					hits[key] = h
					order = append(order, key)
				}
				h.Count++
				if len(h.Refs) < maxArtifactRefs {
					r := ArtifactRef{Evidence: strings.Clone(a.Evidence), Path: strings.Clone(a.RefPath), Offset: a.Offset}
					if a.PhysAddr != artifacts.Absent {
						pa := a.PhysAddr
						r.PhysAddr = &pa
					}
					h.Refs = append(h.Refs, r)
				}
				break
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	out := make([]ArtifactHit, 0, len(order))
	for _, k := range order {
		out = append(out, *hits[k])
	}
	return out, nil
}

func artifactPredicate(t Term) (func(a *artifacts.Artifact) bool, error) {
	switch t.Field {
	case "":
		needle := strings.ToLower(t.Value)
		if strings.ContainsAny(needle, "*?") {
			g := newGlob(t.Value)
			return func(a *artifacts.Artifact) bool { return g.match(a.Value) }, nil
		}
		return func(a *artifacts.Artifact) bool { return containsFold(a.Value, needle) }, nil
	case "ip", "src_ip", "dst_ip":
		m, err := ipMatcher(t.Value)
		if err != nil {
			return nil, err
		}
		return func(a *artifacts.Artifact) bool {
			return (a.Kind == artifacts.KindIPv4 || a.Kind == artifacts.KindIPv6) && m(a.Value)
		}, nil
	case "url", "path":
		g := newGlob(t.Value)
		needle := strings.ToLower(t.Value)
		wild := strings.ContainsAny(t.Value, "*?")
		return func(a *artifacts.Artifact) bool {
			if a.Kind != artifacts.KindURL && a.Kind != artifacts.KindHTTPRequest {
				return false
			}
			if wild {
				return g.match(a.Value)
			}
			return containsFold(a.Value, needle)
		}, nil
	}
	return nil, nil // other fields describe events, not carved values
}
