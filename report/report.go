package report

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kiseki-forensics/kiseki/engine"
	"github.com/kiseki-forensics/kiseki/internal/eventview"
	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/search/leaks"
	"github.com/kiseki-forensics/kiseki/search/scope"
	"github.com/kiseki-forensics/kiseki/search/vocab"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Options say what the report counts.
type Options struct {
	// IOCs seed the scope; empty: the source addresses of the events the
	// analysts starred (annotations.jsonl).
	IOCs []string
	// Leak selects the leak count (as kiseki leaks); with no selector the
	// count is the successful (2xx) requests of the scope's inbound addresses.
	Leak     leaks.Options
	LeakArgs []string // the same selectors as kiseki leaks flags, for the method
	// LeakSets are several counts (--leaks FILE.yaml); when set, Leak is not
	// used.
	LeakSets []LeakSet
	// Incident description fields the evidence cannot give.
	Discovered  string // when and how the incident was discovered
	Description string // what happened, in the writer's words
	Reporter    string // the reporting organisation
	Lang        string // en or ja
	Zone        *time.Location
	Now         time.Time // generation time (default now)
	Paper       string    // PDF paper: a4 (default) or letter
	// Draft builds the report without writing to the case: the evidence
	// is re-hashed without a verify entry in the audit log (a web preview,
	// answered on GET).
	Draft bool
}

// Report is the whole report; its JSON is the .json output.
type Report struct {
	Title      string            `json:"title"`
	Case       string            `json:"case"`
	CaseDir    string            `json:"-"`
	Kiseki     string            `json:"kiseki"`
	Version    int               `json:"version"`
	Generated  string            `json:"generated"`
	Lang       string            `json:"lang"`
	Zone       string            `json:"display_zone"`
	Changes    []Change          `json:"changes"`
	NewVersion bool              `json:"new_version"` // this report's content differs from the last one's
	Content    string            `json:"content_sha256"`
	Digest     string            `json:"content_digest"`
	Reporter   string            `json:"reporter,omitempty"`
	Paper      string            `json:"paper"`
	Systems    []System          `json:"affected_systems"`
	Vector     string            `json:"attack_vector"`
	Chronology []Step            `json:"chronology"`
	Summary    Summary           `json:"summary"`
	Evidence   []Evidence        `json:"evidence"`
	Sources    []Source          `json:"sources"`
	Queries    []Query           `json:"queries"`
	Annotated  []Annotated       `json:"annotated_events"`
	Histogram  []search.Bucket   `json:"histogram"`
	HistStep   string            `json:"histogram_interval"`
	HistWhat   string            `json:"histogram_events"` // which events the chart counts
	Windows    []Window          `json:"windows"`
	Scope      *scope.Result     `json:"scope,omitempty"`
	Leak       *leaks.Result     `json:"leak,omitempty"` // the first count (as before several)
	Leaks      []LeakCount       `json:"leaks"`          // every count, each with its method
	DataKinds  []string          `json:"personal_data_kinds"`
	Indicators Indicators        `json:"indicators"`
	Tampering  []scope.TamperRow `json:"tampering"`
	Annex      []AnnexRow        `json:"annex"`
	Notes      []string          `json:"notes,omitempty"`
	labels     map[string]string
	loc        *time.Location
	numbers    map[string]any // the version's numbers (audit log)
}

// Change is one row of the table of changes: earlier reports of the case
// (from its audit log) and this one.
type Change struct {
	Version int    `json:"version"`
	Time    string `json:"time"`
	User    string `json:"user"`
	What    string `json:"what"`
}

// Summary is the executive summary.
type Summary struct {
	Description string       `json:"description,omitempty"` // what happened, in the writer's words
	Discovered  string       `json:"discovered,omitempty"`  // when and how it was discovered
	Compromised bool         `json:"compromised"`
	Cause       string       `json:"cause"`
	Events      int64        `json:"events"`
	Hosts       []string     `json:"hosts_in_scope"`
	Accounts    int          `json:"accounts_in_scope"`
	Files       int          `json:"files_in_scope"`
	Remote      int          `json:"remote_addresses"`
	LeakRecords int64        `json:"leak_records"`
	LeakMethod  string       `json:"leak_method"`
	Window      scope.Window `json:"window"`
	Seeds       []string     `json:"indicators_used"`
	Category    string       `json:"category,omitempty"` // incident category (kiseki scope's decision)
	CategoryWhy string       `json:"category_reason,omitempty"`
}

// Evidence is one evidence item with its hash at acquisition (the registry)
// and at analysis (re-hashed for this report).
type Evidence struct {
	ID       string `json:"id"`
	Path     string `json:"path"`
	Host     string `json:"host"`
	Format   string `json:"format"`
	Size     int64  `json:"size"`
	Acquired string `json:"sha256_acquisition"`
	Analysis string `json:"sha256_analysis"`
	Status   string `json:"status"` // ok, mismatch, missing
}

// Source is how one evidence item's times were normalised.
type Source struct {
	Evidence    string   `json:"evidence"`
	Path        string   `json:"path"`
	Format      string   `json:"format"`
	Zones       []string `json:"zones"` // zone column values with counts
	ClockOffset string   `json:"clock_offset,omitempty"`
	Year        string   `json:"year_inference"`
	Events      int64    `json:"events"`
}

// Query is a number in the report with the command that answers it.
type Query struct {
	What    string   `json:"what"`
	Value   int64    `json:"value"`
	Command []string `json:"command"` // kiseki arguments (without "kiseki")
	JSONKey string   `json:"json_key"`
}

// Annotated is an event the analysts starred, tagged or commented.
type Annotated struct {
	Time     string   `json:"time"`
	Host     string   `json:"host"`
	Ref      string   `json:"ref"`
	Summary  string   `json:"summary"`
	Starred  bool     `json:"starred"`
	Tags     []string `json:"tags,omitempty"`
	Comments []string `json:"comments,omitempty"`
	SrcIP    string   `json:"src_ip,omitempty"` // the address the event seeds the scope with
	row      int64    // the event's row in the annotations' generation
}

// Window is a time span that matters.
type Window struct {
	Name  string `json:"name"`
	First string `json:"first"`
	Last  string `json:"last"`
	Basis string `json:"basis"`
}

// Indicators are what another organisation can look for.
type Indicators struct {
	Items      []Indicator `json:"items"`     // every indicator with its role and direction
	Addresses  []string    `json:"addresses"` // the intruder's addresses (both directions)
	UserAgents []string    `json:"user_agents"`
	Paths      []string    `json:"paths"`
	Hashes     []string    `json:"hashes"`
}

// AnnexRow is one counted record with its references.
type AnnexRow struct {
	Set   string `json:"leak_count"` // the leak count's name
	Kind  string `json:"kind"`
	Value string `json:"value"`
	Count int64  `json:"count"`
	First string `json:"first,omitempty"`
	Refs  string `json:"refs"`
}

// Build computes the report. It re-hashes the evidence (logged in the
// audit log as a verify) and records itself in the audit log.
func Build(ctx context.Context, c *engine.Case, s *search.Searcher, opt Options) (*Report, error) {
	if opt.Now.IsZero() {
		opt.Now = time.Now().UTC()
	}
	if opt.Zone == nil {
		opt.Zone = time.UTC
	}
	if opt.Lang == "" {
		opt.Lang = "en"
	}
	r := &Report{Case: c.Meta.Name, CaseDir: c.Dir, Kiseki: engine.Version, Generated: opt.Now.UTC().Format(time.RFC3339),
		Lang: opt.Lang, Zone: opt.Zone.String(), labels: labels(opt.Lang), loc: opt.Zone}
	r.Title = r.labels["title"] + ": " + c.Meta.Name
	r.Summary.Description, r.Summary.Discovered, r.Reporter = opt.Description, opt.Discovered, opt.Reporter
	r.Paper = opt.Paper
	if r.Paper == "" {
		r.Paper = "a4"
	}
	caseArg := []string{"--case", c.Dir}

	// Table of changes from the audit log (the version is decided at the end,
	// from the content).
	var entries []engine.AuditEntry
	if b, err := os.ReadFile(c.AuditPath()); err == nil {
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var e engine.AuditEntry
			if json.Unmarshal([]byte(line), &e) == nil {
				entries = append(entries, e)
			}
		}
	}
	var lastContent string
	r.Changes, lastContent = r.readChanges(entries)

	// Evidence: registry hash vs a fresh hash.
	reg, err := c.LoadRegistry()
	if err != nil {
		return nil, err
	}
	verify := c.Verify
	if opt.Draft {
		verify = c.Rehash
	}
	ver, err := verify("", nil)
	if err != nil {
		return nil, err
	}
	vmap := map[string]engine.VerifyResult{}
	for _, v := range ver {
		vmap[v.ID] = v
	}
	for _, it := range reg.Items {
		v := vmap[it.ID]
		r.Evidence = append(r.Evidence, Evidence{ID: it.ID, Path: eventview.Sanitize(it.Path), Host: eventview.Sanitize(it.Host), Format: it.Format,
			Size: it.Size, Acquired: it.SHA256, Analysis: v.Actual, Status: v.Status})
	}

	// Time normalisation per source: what ingest recorded it applied.
	for _, it := range reg.Items {
		req := search.Request{Query: "evidence:" + it.ID}
		f, err := s.Facets(ctx, req, []string{"zone"}, 5)
		if err != nil {
			return nil, err
		}
		n, err := s.Count(ctx, req)
		if err != nil {
			return nil, err
		}
		src := Source{Evidence: it.ID, Path: eventview.Sanitize(it.Path), Format: it.Format, Events: n}
		for _, z := range f["zone"] {
			src.Zones = append(src.Zones, fmt.Sprintf("%s (%d)", eventview.Sanitize(z.Value), z.Count))
		}
		src.ClockOffset, src.Year = normalisationText(it.Normalisation, r.labels)
		r.Sources = append(r.Sources, src)
	}

	total, err := s.Count(ctx, search.Request{})
	if err != nil {
		return nil, err
	}
	r.Summary.Events = total
	r.Queries = append(r.Queries, Query{What: r.labels["q_events"], Value: total, Command: append([]string{"search"}, append(caseArg, "--count", "--json", "")...), JSONKey: "total"})

	// Annotations.
	notes, err := readAnnotations(c, s.Manifest().Generation)
	if err != nil {
		return nil, err
	}
	r.Annotated = notes
	env, err := vocab.LoadEnv(c, s)
	if err != nil {
		return nil, err
	}
	iocs := opt.IOCs
	if len(iocs) == 0 {
		iocs = seedsFromNotes(s, env, notes)
		if len(iocs) > 0 {
			r.Notes = append(r.Notes, r.labels["note_iocs_from_stars"])
		}
	}
	r.Summary.Seeds = iocs

	if len(iocs) > 0 {
		seeds, err := scope.ParseSeeds(iocs)
		if err != nil {
			return nil, err
		}
		sr, err := scope.Run(ctx, env, seeds, scope.Options{})
		if err != nil {
			return nil, err
		}
		r.Scope = sr
		r.Systems, r.Vector, r.Chronology = affectedSystems(sr, env), attackVector(sr), chronology(sr)
		scopeCmd := append([]string{"scope"}, caseArg...)
		for _, i := range iocs {
			scopeCmd = append(scopeCmd, "--ioc", i)
		}
		scopeCmd = append(scopeCmd, "--json")
		for _, h := range sr.Hosts {
			r.Summary.Hosts = append(r.Summary.Hosts, h.Name)
		}
		r.Summary.Accounts, r.Summary.Files, r.Summary.Remote = len(sr.Accounts), len(sr.Files), len(sr.RemoteAddresses)
		r.Summary.Window = sr.Window
		r.Summary.Category, r.Summary.CategoryWhy = sr.Category.Category, sr.Category.Reason
		for _, h := range sr.Hosts {
			r.Summary.Compromised = r.Summary.Compromised || h.Compromised != ""
		}
		r.Queries = append(r.Queries,
			Query{What: r.labels["q_hosts"], Value: int64(len(sr.Hosts)), Command: scopeCmd, JSONKey: "len(hosts)"},
			Query{What: r.labels["q_accounts"], Value: int64(len(sr.Accounts)), Command: scopeCmd, JSONKey: "len(accounts)"},
			Query{What: r.labels["q_files"], Value: int64(len(sr.Files)), Command: scopeCmd, JSONKey: "len(files)"},
			Query{What: r.labels["q_remote"], Value: int64(len(sr.RemoteAddresses)), Command: scopeCmd, JSONKey: "len(remote_addresses)"})
		r.Tampering = sr.Tampering
		if sr.Window.First != "" {
			r.Windows = append(r.Windows, Window{Name: r.labels["w_intrusion"], First: sr.Window.First, Last: sr.Window.Last, Basis: "kiseki " + strings.Join(scopeCmd, " ")})
		}
		for _, f := range sr.Files {
			if containsAny(f.Actions, "create", "created", "modify", "modified") && strings.HasSuffix(strings.ToLower(f.Path), ".php") {
				r.Windows = append(r.Windows, Window{Name: r.labels["w_webshell"], First: f.FirstSeen, Last: f.LastSeen, Basis: eventview.Sanitize(f.Host + ":" + f.Path)})
				if r.Summary.Cause == "" {
					r.Summary.Cause = r.labels["cause_webshell"] + " " + eventview.Sanitize(f.Path)
				}
			}
		}
		r.Indicators.Items = fromScope(ctx, sr, reg)
		r.Indicators.Addresses = addresses(r.Indicators.Items, RoleAttacker, RoleC2)
		for _, in := range r.Indicators.Items {
			switch in.Kind {
			case "file":
				r.Indicators.Paths = append(r.Indicators.Paths, short(in.Host+":"+in.Value))
				if in.SHA256 != "" && !contains(r.Indicators.Hashes, in.SHA256) {
					r.Indicators.Hashes = append(r.Indicators.Hashes, in.SHA256)
				}
			case "url":
				r.Indicators.Paths = append(r.Indicators.Paths, short(in.Value))
			}
		}
	} else {
		r.Notes = append(r.Notes, r.labels["note_no_iocs"])
	}
	if r.Summary.Cause == "" {
		r.Summary.Cause = r.labels["cause_unknown"]
	}
	attackers := addresses(r.Indicators.Items, RoleAttacker)
	if err := r.histogram(ctx, s); err != nil {
		return nil, err
	}

	// User agents of the attacker addresses.
	if len(attackers) > 0 {
		var terms []string
		for _, a := range attackers {
			terms = append(terms, "src_ip:"+a)
		}
		{
			uas := map[string]bool{}
			s.Each(ctx, search.Request{Query: strings.Join(terms, " OR "), Limit: 100000}, func(_ int64, ev *timeline.Event) error {
				if ev.UserAgent != "" && len(uas) < 20 && !uas[ev.UserAgent] {
					uas[strings.Clone(ev.UserAgent)] = true
				}
				return nil
			})
			for ua := range uas {
				r.Indicators.UserAgents = append(r.Indicators.UserAgents, short(eventview.Sanitize(ua)))
			}
			sort.Strings(r.Indicators.UserAgents)
		}
	}

	// Leak counts.
	if err := r.countLeaks(ctx, env, opt, iocs, caseArg); err != nil {
		return nil, err
	}
	r.Content, r.Digest, r.numbers = r.content()
	r.Version, r.NewVersion = len(r.Changes)+1, true
	if r.Content == lastContent && len(r.Changes) > 0 {
		r.Version, r.NewVersion = len(r.Changes), false
	}
	return r, nil
}

// readAnnotations presents the case's folded annotations (engine's one
// fold, shared with the server) for generation gen.
func readAnnotations(c *engine.Case, gen int64) ([]Annotated, error) {
	log, err := c.OpenAnnotations()
	if err != nil {
		return nil, err
	}
	var out []Annotated
	for _, n := range log.Events(gen) {
		ref := ""
		if n.Ref != nil {
			ref = n.Ref.String()
		}
		a := Annotated{Time: n.EventTime, Host: eventview.Sanitize(n.Host), Ref: eventview.Sanitize(ref),
			Summary: short(eventview.Sanitize(n.Summary)), Starred: n.Starred, Tags: n.Tags, row: n.Row}
		a.SrcIP = summaryAddr(n.Summary)
		for _, cm := range n.Comments {
			a.Comments = append(a.Comments, eventview.Sanitize(cm.User+": "+cm.Value))
		}
		out = append(out, a)
	}
	return out, nil
}

// normalisationText states the clock offset and the year ingest applied
// to an evidence item (nil: ingested before Kiseki recorded it).
func normalisationText(n *engine.Normalisation, labels map[string]string) (offset, year string) {
	if n == nil {
		return "", labels["year_unrecorded"]
	}
	switch n.YearSource {
	case engine.FromManifestEntry:
		year = labels["year_bundle"] + n.Entry + ": " + strconv.Itoa(n.Year)
	case engine.FromBundle:
		year = labels["year_bundle"] + strconv.Itoa(n.Year)
	default:
		year = labels["year_source"]
	}
	return n.ClockOffset, eventview.Sanitize(year)
}

// maxText bounds any one piece of log content in the report: a 10 MB field
// is cut, with a note of how much was left out.
const maxText = 2000

func short(s string) string {
	if len(s) <= maxText {
		return s
	}
	i := maxText
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "… (" + strconv.Itoa(len(s)-i) + " more bytes)"
}

func contains(l []string, v string) bool {
	for _, x := range l {
		if x == v {
			return true
		}
	}
	return false
}

func containsAny(l []string, vs ...string) bool {
	for _, v := range vs {
		if contains(l, v) {
			return true
		}
	}
	return false
}

// T formats a UTC RFC 3339 time in the report's display zone.
func (r *Report) T(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return t.In(r.loc).Format("2006-01-02 15:04:05 -07:00")
}

// L returns a label in the report's language.
func (r *Report) L(key string) string {
	if v, ok := r.labels[key]; ok {
		return v
	}
	return key
}
