package scope

import (
	"fmt"
	"net/netip"
	"sort"

	"github.com/kiseki-forensics/kiseki/search/vocab"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// The compromise rules. A host is compromised at the intruder's first
// successful action on it, and only by one of these:
//
//   - upload: a seed's write request (POST/PUT/PATCH/DELETE, 2xx) after
//     which a file was born on the host within WriteLag, and that file was
//     then requested (or, with no document root to map it, just born);
//   - write: a seed's write request on a host with no file system evidence
//     to check it against;
//   - intruder-file: a seed's successful request of a file born on the
//     host after the intrusion began;
//   - login: a successful login from a seed address, from a compromised
//     host after its compromise, or of a seed account, whose (source,
//     user, method) the host's baseline does not have.
//
// Never a GET of a public resource, never a login the baseline explains.

// Compromise rule names.
const (
	RuleUpload       = "upload"
	RuleWrite        = "write"
	RuleIntruderFile = "intruder-file"
	RuleLogin        = "login"
)

// loginKey identifies a kind of login on a host.
type loginKey struct {
	host, user, method string
	src                netip.Addr
}

// allLogins merges the login observations of both passes, each row once,
// sorted by time (kept until the activity pass reads more).
func (st *state) allLogins() []loginObs {
	if st.loginsN == len(st.hostLogin) && st.loginsAll != nil {
		return st.loginsAll
	}
	out := make([]loginObs, 0, len(st.hostLogin)+len(st.logins))
	out = append(out, st.hostLogin...)
	for _, l := range st.logins {
		if !st.covered[l.host] && !st.coveredAddr[l.src] { // else the activity pass has it
			out = append(out, l)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].t < out[j].t })
	st.loginsAll, st.loginsN = out, len(st.hostLogin)
	st.loginBase = st.baselineLogins(out)
	return out
}

// baselineLogins are the successful logins seen before the first seed
// activity.
func (st *state) baselineLogins(ls []loginObs) map[loginKey]bool {
	base := map[loginKey]bool{}
	for _, l := range ls {
		if l.action == timeline.ActionLoginSuccess && l.t < st.baselineEnd && l.src.IsValid() {
			base[loginKey{l.host, l.user, l.method, l.src}] = true
			// A record without a method (wtmp) matches any method: the
			// same login is usually in the auth log with one.
			base[loginKey{l.host, l.user, "", l.src}] = true
		}
	}
	for k, a := range st.plain {
		if a.ok && a.first < st.baselineEnd {
			base[k] = true
		}
	}
	return base
}

func (st *state) markComp(h string, c compromise) bool {
	if h == "" {
		return false
	}
	if old, ok := st.comp[h]; ok && old.t <= c.t {
		return false
	}
	st.comp[h] = c
	return true
}

// decideCompromise applies the rules until no host's compromise changes
// (a login from a newly compromised host compromises the next).
func (st *state) decideCompromise() {
	born := st.bornFiles()
	hasFS := map[string]bool{}
	for i := range st.hostFS {
		hasFS[st.hostFS[i].host] = true
	}
	for i := range st.web {
		w := &st.web[i]
		if !st.isSeed(w.client) || !w.write() || !st.covered[w.host] {
			continue
		}
		if c, ok := st.uploadRule(w, born[w.host], hasFS[w.host]); ok {
			st.markComp(w.host, c)
		}
	}
	for i := range st.web {
		w := &st.web[i]
		if !st.isSeed(w.client) || !w.ok() {
			continue
		}
		f := st.env.URLToFile(w.host, w.url)
		if b, ok := born[w.host][f]; ok && f != "" && b.t >= st.baselineEnd && b.t <= w.t {
			st.markComp(w.host, compromise{w.t, RuleIntruderFile, fmt.Sprintf("%s %s %s by %s: %s was born %s, after the intrusion began", w.method, w.url, statusText(w.status), w.client, f, vocab.FormatTime(b.t)), w.ref})
		}
	}
	ls := st.allLogins()
	base := st.loginBase
	for changed := true; changed; {
		changed = false
		for _, l := range ls {
			if c, ok := st.loginRule(&l, base); ok && st.markComp(l.host, c) {
				changed = true
			}
		}
	}
}

// uploadRule decides one seed write request.
func (st *state) uploadRule(w *webObs, born map[string]fsObs, hasFS bool) (compromise, bool) {
	if !hasFS {
		return compromise{w.t, RuleWrite, fmt.Sprintf("%s %s %s by %s (no file system evidence of %s to confirm what it wrote)", w.method, w.url, statusText(w.status), w.client, w.host), w.ref}, true
	}
	lo, hi := w.t-int64(st.opt.Slack), w.t+int64(WriteLag)
	for p, b := range born {
		if b.t < lo || b.t > hi || b.dir {
			continue
		}
		u := st.env.FileToURL(w.host, p)
		if u == "" {
			return compromise{w.t, RuleUpload, fmt.Sprintf("%s %s %s by %s; %s was born %s", w.method, w.url, statusText(w.status), w.client, p, vocab.FormatTime(b.t)), w.ref}, true
		}
		for j := range st.web {
			r := &st.web[j]
			if r.host == w.host && r.url == u && r.ok() && r.t > w.t {
				return compromise{w.t, RuleUpload, fmt.Sprintf("%s %s %s by %s; %s was born %s and requested as %s at %s", w.method, w.url, statusText(w.status), w.client, p, vocab.FormatTime(b.t), u, vocab.FormatTime(r.t)), w.ref}, true
			}
		}
	}
	return compromise{}, false
}

// loginRule decides one login.
func (st *state) loginRule(l *loginObs, base map[loginKey]bool) (compromise, bool) {
	if l.action != timeline.ActionLoginSuccess || !l.src.IsValid() {
		return compromise{}, false
	}
	from := ""
	switch {
	case st.isSeed(l.src):
		from = "from seed " + l.src.String()
	default:
		if h, ok := st.compHostOf(l.src, l.t); ok && h != l.host {
			from = "from " + h + " (" + l.src.String() + ") after its compromise"
		} else if _, seedUser := st.users[l.user]; seedUser {
			from = "of seed account " + l.user + " from " + l.src.String()
		}
	}
	if from == "" || base[loginKey{l.host, l.user, l.method, l.src}] {
		return compromise{}, false
	}
	return compromise{l.t, RuleLogin, fmt.Sprintf("login of %s %s by %s, a source/user/method the host had not seen before %s", l.user, from, orWord(l.method, "an unknown method"), vocab.FormatTime(st.baselineEnd)), l.ref}, true
}

// bornFiles maps host -> path -> the file's trusted birth on covered hosts.
func (st *state) bornFiles() map[string]map[string]fsObs {
	out := map[string]map[string]fsObs{}
	for _, f := range st.hostFS {
		if f.action != "created" || f.untrusted {
			continue
		}
		m := out[f.host]
		if m == nil {
			m = map[string]fsObs{}
			out[f.host] = m
		}
		if old, ok := m[f.path]; !ok || f.t < old.t {
			m[f.path] = f
		}
	}
	return out
}

func statusText(s int64) string { return fmt.Sprintf("→ %d", s) }

func orWord(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
