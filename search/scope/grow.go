package scope

import (
	"sort"

	"github.com/kiseki-forensics/kiseki/search/vocab"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// grow turns what a round found into the next round's seeds, each with the
// row and rule that found it: outside addresses the intruder used, the
// accounts they logged in with, the URL paths of files they created; and
// the paths the seeds probed (requests that never succeeded), whose other
// requesters the next round examines (scanners are seen, not seeds).
func (st *state) grow() {
	f := st.out
	if f == nil {
		return
	}
	// In a fixed order (first seen, then the key): the pivot chain is part
	// of the answer and must read the same on every run.
	remotes := keys(f.remotes)
	sort.Slice(remotes, func(i, j int) bool {
		a, b := f.remotes[remotes[i]], f.remotes[remotes[j]]
		if a.First != b.First {
			return a.First < b.First
		}
		if c := remotes[i].addr.Compare(remotes[j].addr); c != 0 {
			return c < 0
		}
		return remotes[i].dir < remotes[j].dir
	})
	for _, k := range remotes {
		r := f.remotes[k]
		if st.isSeed(k.addr) || st.env.IsInternal(k.addr) {
			continue
		}
		st.addSeedAddr(k.addr, Pivot{Seed: k.addr.String(), From: r.from, Rule: r.rule, Why: r.why, Ref: refOf(*r.via)})
	}
	accounts := keys(f.accounts)
	sort.Slice(accounts, func(i, j int) bool {
		a, b := f.accounts[accounts[i]], f.accounts[accounts[j]]
		if a.First != b.First {
			return a.First < b.First
		}
		return accounts[i][0]+"\x00"+accounts[i][1] < accounts[j][0]+"\x00"+accounts[j][1]
	})
	for _, k := range accounts {
		a := f.accounts[k]
		st.addSeedUser(k[0], Pivot{Seed: k[0], From: a.from, Rule: a.rule, Why: a.why + " (on " + k[1] + ")", Ref: refOf(*a.via)})
	}
	files := keys(f.files)
	sort.Slice(files, func(i, j int) bool {
		a, b := f.files[files[i]], f.files[files[j]]
		if a.First != b.First {
			return a.First < b.First
		}
		return files[i].host+"\x00"+files[i].path < files[j].host+"\x00"+files[j].path
	})
	for _, k := range files {
		fa := f.files[k]
		if _, born := fa.actions["created"]; !born || fa.dir || fa.url == "" {
			continue
		}
		st.addSeedURL(fa.url, Pivot{Seed: fa.url, From: k.host + ":" + k.path, Rule: fa.rule, Why: "the web path of " + k.path + ", which the intruder created", Ref: firstSpanRef(&fa.Span)})
	}
	st.addProbes()
}

// addProbes adds the paths the seeds only ever failed on (their probes:
// /.env, /wp-login.php...). A path that answered them (a public page, an
// API they enumerated) is no probe: its other users are customers.
func (st *state) addProbes() {
	ok := map[string]bool{}
	failed := map[string]bool{}
	for i := range st.web {
		w := &st.web[i]
		if !st.isSeed(w.client) || w.url == "" || w.url == "/" {
			continue
		}
		if w.ok() {
			ok[w.url] = true
		} else {
			failed[w.url] = true
		}
	}
	for u := range failed {
		if !ok[u] {
			st.probes[u] = true
		}
	}
}

// firstSpanRef is a span's first kept reference.
func firstSpanRef(s *vocab.Span) *timeline.Ref {
	if len(s.Refs) == 0 {
		return nil
	}
	r := s.Refs[0]
	return &r
}
