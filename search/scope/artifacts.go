package scope

import (
	"net/netip"
	"strings"

	"github.com/kiseki-forensics/kiseki/timeline"
	"github.com/kiseki-forensics/kiseki/timeline/artifacts"
)

// artifacts lists the memory artifacts that match a scope address, domain
// or URL path.
func (st *state) artifacts(res *Result) error {
	if len(st.env.Artifacts) == 0 {
		return nil
	}
	type key struct{ kind, value string }
	found := map[key]*ArtifactRow{}
	var order []key
	for _, p := range st.env.Artifacts {
		err := artifacts.Each(p, func(a *artifacts.Artifact) error {
			seed := ""
			switch a.Kind {
			case artifacts.KindIPv4, artifacts.KindIPv6:
				if addr, err := netip.ParseAddr(a.Value); err == nil && st.isSeed(addr.Unmap()) {
					seed = addr.Unmap().String()
				}
			case artifacts.KindDomain, artifacts.KindEmail, artifacts.KindURL:
				v := strings.ToLower(a.Value)
				for _, d := range st.domains {
					if v == d || strings.HasSuffix(v, "."+d) || strings.HasSuffix(v, "@"+d) || strings.Contains(v, "//"+d) || strings.Contains(v, "."+d+"/") {
						seed = d
						break
					}
				}
				if seed == "" && a.Kind == artifacts.KindURL {
					for addr := range st.addrs {
						if strings.Contains(v, "//"+addr.String()) {
							seed = addr.String()
							break
						}
					}
					if seed == "" {
						for u := range st.urls {
							if strings.Contains(v, u) {
								seed = u
								break
							}
						}
					}
				}
			}
			if seed == "" {
				return nil
			}
			k := key{a.Kind, artifacts.Normalize(a.Kind, a.Value)}
			row := found[k]
			if row == nil {
				row = &ArtifactRow{Kind: strings.Clone(a.Kind), Value: strings.Clone(k.value), Seed: seed, Refs: []timeline.Ref{}}
				found[key{row.Kind, row.Value}] = row
				order = append(order, key{row.Kind, row.Value})
			}
			row.Count++
			if len(row.Refs) < st.opt.RefCap {
				off := a.Offset
				row.Refs = append(row.Refs, timeline.Ref{Evidence: strings.Clone(a.Evidence), Path: strings.Clone(a.RefPath), Offset: &off})
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for _, k := range order {
		res.Artifacts = append(res.Artifacts, *found[k])
	}
	return nil
}
