package report

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/kiseki-forensics/kiseki/engine"
	"github.com/kiseki-forensics/kiseki/internal/eventview"
	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/search/scope"
	"github.com/kiseki-forensics/kiseki/search/vocab"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// System is one affected system: a host in scope with its addresses and its
// role in the intrusion.
type System struct {
	Host        string   `json:"host"`
	Addresses   []string `json:"addresses"`
	Role        string   `json:"role"`                  // compromised | reached
	Compromised string   `json:"compromised,omitempty"` // the intruder's first successful action
	Rule        string   `json:"rule,omitempty"`        // scope's rule that decided the compromise
	How         string   `json:"how,omitempty"`         // the rule's reason
	Ref         string   `json:"ref,omitempty"`
}

// Step is one step of the chronology of the intrusion, with the evidence
// reference of the row it comes from.
type Step struct {
	Time    string `json:"time"`
	Host    string `json:"host,omitempty"`
	Kind    string `json:"kind"`    // first-action | compromise | account | file | remote | lateral | tampering | last-action
	Subject string `json:"subject"` // what the step is about: host, account, file, address, A > B
	Rule    string `json:"rule"`    // scope's rule (or the file action, the tampering kind)
	What    string `json:"what"`    // scope's sentence
	Ref     string `json:"ref,omitempty"`
}

// Role of an affected system.
const (
	RoleCompromised = "compromised"
	RoleReached     = "reached"
)

// affectedSystems lists the hosts in scope with their addresses (the
// manifest's and those scope learned from the evidence) and roles.
func affectedSystems(sr *scope.Result, env *vocab.Env) []System {
	var out []System
	for _, h := range sr.Hosts {
		s := System{Host: eventview.Sanitize(h.Name), Role: RoleReached, Compromised: h.Compromised, Rule: h.Rule, How: h.Why, Ref: firstRef(h.Refs)}
		if h.Compromised != "" {
			s.Role = RoleCompromised
		}
		if eh := env.Hosts[h.Name]; eh != nil {
			for _, a := range eh.Addresses {
				s.Addresses = appendNew(s.Addresses, a.String())
			}
		}
		for _, id := range sr.HostIdentity {
			if id.Host == h.Name && id.Conflict == "" {
				s.Addresses = appendNew(s.Addresses, id.Address)
			}
		}
		out = append(out, s)
	}
	return out
}

func appendNew(l []string, v string) []string {
	if contains(l, v) {
		return l
	}
	return append(l, v)
}

// attackVector says in words how the intruder got in and moved: each
// compromise in time order with the rule's reason.
func attackVector(sr *scope.Result) string {
	hosts := append([]scope.HostRow(nil), sr.Hosts...)
	sort.SliceStable(hosts, func(i, j int) bool { return hosts[i].Compromised < hosts[j].Compromised })
	var parts []string
	for _, h := range hosts {
		if h.Compromised == "" {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s (%s, %s): %s", h.Name, h.Compromised, h.Rule, h.Why))
	}
	return eventview.Sanitize(strings.Join(parts, "; "))
}

// chronology builds the intrusion's steps from scope: its first and last
// action, each compromise, account, file action (at its first trusted
// time), outside address, lateral movement and tampering finding.
func chronology(sr *scope.Result) []Step {
	var out []Step
	add := func(t, host, kind, subject, rule, what string, refs []timeline.Ref) {
		if t == "" {
			return
		}
		out = append(out, Step{Time: t, Host: eventview.Sanitize(host), Kind: kind, Subject: short(eventview.Sanitize(subject)), Rule: rule,
			What: short(eventview.Sanitize(what)), Ref: firstRef(refs)})
	}
	add(sr.Window.First, "", "first-action", "", "", sr.Window.FirstWhy, nil)
	for _, h := range sr.Hosts {
		add(h.Compromised, h.Name, "compromise", h.Name, h.Rule, h.Why, h.Refs)
	}
	for _, a := range sr.Accounts {
		add(a.FirstSeen, a.Host, "account", a.Name+"@"+a.Host, a.Rule, a.Why, a.Refs)
	}
	for _, f := range sr.Files {
		acts := make([]string, 0, len(f.Times))
		for act := range f.Times {
			acts = append(acts, act)
		}
		sort.Strings(acts)
		for _, act := range acts {
			if act == "read" {
				continue // an access time is not an action of the intruder's
			}
			add(f.Times[act], f.Host, "file", f.Path, act, f.Why, f.Refs)
		}
		if len(f.Times) == 0 {
			add(f.FirstSeen, f.Host, "file", f.Path, strings.Join(f.Actions, ","), f.Why, f.Refs)
		}
	}
	for _, ra := range sr.RemoteAddresses {
		add(ra.FirstSeen, "", "remote-"+ra.Direction, ra.Address, ra.Rule, ra.Why, ra.Refs)
	}
	for _, l := range sr.Lateral {
		subject := l.From + " > " + l.To
		if l.User != "" {
			subject += " (" + l.User + ")"
		}
		if len(l.Ports) > 0 {
			subject += fmt.Sprintf(" %v", l.Ports)
		}
		add(l.FirstSeen, l.From, "lateral", subject, l.Kind, l.Why, l.Refs)
	}
	for _, t := range sr.Tampering {
		add(t.FirstSeen, t.Host, "tampering", t.Path, t.Kind, t.Detail, t.Refs)
	}
	add(sr.Window.Last, "", "last-action", "", "", sr.Window.LastWhy, nil)
	sort.SliceStable(out, func(i, j int) bool { return timeKey(out[i].Time) < timeKey(out[j].Time) })
	return out
}

// timeKey orders RFC 3339 times with and without fractions correctly.
func timeKey(s string) int64 {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0
	}
	return t.UnixNano()
}

// content is what a version of the report stands for: the same evidence,
// annotations, scope, counts and indicators make the same version whatever
// the output format, language or time of generation.
func (r *Report) content() (hash, digest string, numbers map[string]any) {
	type leakKey struct {
		Command []string
		Records int64
	}
	var lk []leakKey
	var recs []string
	for _, l := range r.Leaks {
		lk = append(lk, leakKey{l.Command[3:], l.Records}) // without "leaks --case DIR"
		recs = append(recs, fmt.Sprint(l.Records))
	}
	var ev []string
	for _, e := range r.Evidence {
		ev = append(ev, e.ID+" "+e.Acquired)
	}
	var sc *scope.Result
	if r.Scope != nil {
		// Look-alikes count by what they are, not by their sentence (an
		// example named in it may vary from one run to the next).
		c := *r.Scope
		c.SeenNotInScope = nil
		for _, sr := range r.Scope.SeenNotInScope {
			c.SeenNotInScope = append(c.SeenNotInScope, scope.SeenRow{Kind: sr.Kind, Value: sr.Value, Host: sr.Host, Rule: sr.Rule, Events: sr.Events})
		}
		sc = &c
	}
	b, _ := json.Marshal(struct {
		Scope      *scope.Result
		Leaks      []leakKey
		Indicators []Indicator
		Evidence   []string
		Annotated  []Annotated
		Seeds      []string
		Incident   [3]string
	}{sc, lk, r.Indicators.Items, ev, r.Annotated, r.Summary.Seeds, [3]string{r.Summary.Discovered, r.Summary.Description, r.Reporter}})
	sum := sha256.Sum256(b)
	s := r.Summary
	numbers = map[string]any{"hosts": len(s.Hosts), "accounts": s.Accounts, "files": s.Files, "remote": s.Remote,
		"indicators": len(r.Indicators.Items), "records": strings.Join(recs, "/"), "annotated": len(r.Annotated)}
	return hex.EncodeToString(sum[:]), r.digest(numbers), numbers
}

// digestKeys are the numbers a version's row shows, in order.
var digestKeys = []string{"hosts", "accounts", "files", "remote", "indicators", "records", "annotated"}

// digest writes a version's numbers in the report's language.
func (r *Report) digest(numbers map[string]any) string {
	var parts []string
	for _, k := range digestKeys {
		if v, ok := numbers[k]; ok {
			parts = append(parts, fmt.Sprintf("%s %v", r.L("d_"+k), v))
		}
	}
	return strings.Join(parts, ", ")
}

// readChanges reads the earlier versions from the audit log: a report run
// starts a version only when its content differs from the run before
// (entries written before contents were recorded count one each).
func (r *Report) readChanges(entries []engine.AuditEntry) (changes []Change, last string) {
	for _, e := range entries {
		if e.Action != "report" {
			continue
		}
		m, _ := e.Result.(map[string]any)
		c, _ := m["content"].(string)
		if c != "" && c == last {
			continue
		}
		var what string
		if nums, ok := m["numbers"].(map[string]any); ok {
			what = r.digest(nums)
		} else {
			what = strings.Join(e.Args, " ")
		}
		changes = append(changes, Change{Version: len(changes) + 1, Time: e.Time.UTC().Format(time.RFC3339), User: e.User, What: what})
		last = c
	}
	return changes, last
}

// AuditResult is what the report's audit entry records: its version, its
// content hash and digest (the table of changes is built from them), and
// its main numbers.
func (r *Report) AuditResult() map[string]any {
	return map[string]any{"version": r.Version, "content": r.Content, "numbers": r.numbers, "leak_records": r.Summary.LeakRecords, "hosts": len(r.Summary.Hosts)}
}

// histMargin widens the intrusion window on each side for the chart, so
// its first and last actions are not on the edges.
const histMargin = time.Hour

// histHourly: a span shorter than this is drawn by hour, a longer one by day
// (at most 72 bars by hour).
const histHourly = 72 * time.Hour

// histogram charts the intruder's events (every event of an address scope
// attributes to them) over the intrusion window; without a scope, the
// whole timeline.
func (r *Report) histogram(ctx context.Context, s *search.Searcher) error {
	req := search.Request{}
	first, last := s.Span()
	r.HistWhat = r.labels["hist_all"]
	if r.Scope != nil && r.Scope.Window.First != "" && len(r.Indicators.Addresses) > 0 {
		var terms []string
		for _, a := range r.Indicators.Addresses {
			terms = append(terms, "ip:"+a)
		}
		req.Query = strings.Join(terms, " OR ")
		first, last = timeKey(r.Scope.Window.First)-int64(histMargin), timeKey(r.Scope.Window.Last)+int64(histMargin)
		req.From, req.To = first, last
		r.HistWhat = r.labels["hist_intruder"] + " (" + req.Query + ")"
	}
	step := 24 * time.Hour
	if last-first < int64(histHourly) {
		step = time.Hour
	}
	r.HistStep = step.String()
	var err error
	r.Histogram, err = s.Histogram(ctx, req, step)
	return err
}
