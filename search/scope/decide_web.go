package scope

import (
	"fmt"
	"net/netip"
	"sort"

	"github.com/kiseki-forensics/kiseki/search/vocab"
)

// Web rules: every request of a seed address is an intruder action; other
// outside clients that successfully requested a file the intruder created
// used it (they join the scope); clients whose requests to the paths the
// intruder probed or used all failed are scanners, seen and left out.

// Web rule names.
const (
	RuleSeed         = "seed"
	RuleUsedFile     = "used-intruder-file"
	RuleScanner      = "scanner"
	RuleSharedPath   = "shared-path"
	RuleVictim       = "victim"
	RuleNewDest      = "new-destination"
	RuleSeedContact  = "seed-contact"
	RuleBaselineDest = "baseline-destination"
	RuleIdent        = "ident-reply"
	RuleBusyDest     = "busy-host-destination"
)

// intruderURLs are the URL paths of the seeds and of the files the intruder
// created.
func (st *state) intruderURLs(created map[fileKey]createdBy) map[string]bool {
	out := map[string]bool{}
	for u := range st.urls {
		out[u] = true
	}
	for k := range created {
		if u := st.env.FileToURL(k.host, k.path); u != "" {
			out[u] = true
		}
	}
	return out
}

// clientTally counts one non-seed client's requests to the intruder's and
// the probed paths.
type clientTally struct {
	host     string
	n, ok    int64
	first    int64
	firstRef vocab.RowRef
	paths    map[string]bool
}

func (st *state) decideWeb(f *findings, iurls map[string]bool) {
	tallies := map[netip.Addr]*clientTally{}
	for i := range st.web {
		w := &st.web[i]
		if st.isSeed(w.client) {
			rule, why := st.seedPivot(w.client)
			f.remote(w.client, "inbound", rule, why, "", w.t, w.ref)
			f.action(w.host, w.t, w.ref, fmt.Sprintf("%s %s %s by %s", w.method, w.url, statusText(w.status), w.client))
			continue
		}
		if !w.client.IsValid() || st.env.IsInternal(w.client) || !iurls[w.url] && !st.probes[w.url] {
			continue
		}
		if iurls[w.url] && w.ok() {
			f.remote(w.client, "inbound", RuleUsedFile, fmt.Sprintf("requested %s (%s) on %s, a file of the intruder's", w.url, statusText(w.status), w.host), w.url, w.t, w.ref)
			f.action(w.host, w.t, w.ref, fmt.Sprintf("%s %s by %s, who used the intruder's file", w.method, w.url, w.client))
			continue
		}
		st.tally(tallies, w)
	}
	st.scanners(f, tallies)
}

func (st *state) tally(tallies map[netip.Addr]*clientTally, w *webObs) {
	c := tallies[w.client]
	if c == nil {
		c = &clientTally{host: w.host, first: w.t, firstRef: w.ref, paths: map[string]bool{}}
		tallies[w.client] = c
	}
	c.n++
	c.paths[w.url] = true
	if w.ok() {
		c.ok++
	}
}

// scanners turns the tallies of clients that were not found to use the
// intruder's files into look-alikes.
func (st *state) scanners(f *findings, tallies map[netip.Addr]*clientTally) {
	for a, c := range tallies {
		if _, in := f.remotes[remoteKey{a, "inbound"}]; in {
			continue
		}
		paths := make([]string, 0, len(c.paths))
		for p := range c.paths {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		if len(paths) > 3 {
			paths = append(paths[:3], fmt.Sprintf("%d more", len(c.paths)-3))
		}
		if c.ok == 0 {
			f.lookalike("address", a.String(), c.host, RuleScanner, fmt.Sprintf("%d requests to paths the intruder probed or used (%v), none succeeded", c.n, paths), c.first, c.firstRef)
		} else {
			f.lookalike("address", a.String(), c.host, RuleSharedPath, fmt.Sprintf("%d requests to paths the intruder probed (%v), %d answered, none to a file of the intruder's", c.n, paths, c.ok), c.first, c.firstRef)
		}
	}
}

// seedPivot is the rule and reason that made a an address of the scope.
func (st *state) seedPivot(a netip.Addr) (string, string) {
	if k, ok := st.addrs[a]; ok {
		p := st.pivots[k]
		if p.Rule == "indicator" {
			return RuleSeed, "given as an indicator"
		}
		return p.Rule, p.Why
	}
	return RuleSeed, "inside an indicator block"
}
