package scope

import (
	"sort"

	"github.com/kiseki-forensics/kiseki/search/vocab"
	"github.com/kiseki-forensics/kiseki/taxonomy"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Window is the time span of the intrusion as the evidence shows it: from
// the intruder's first to their last action, never from a time contradicted
// by tampering evidence.
type Window struct {
	vocab.Window
	FirstWhy string `json:"first_why,omitempty"` // the action at each end
	LastWhy  string `json:"last_why,omitempty"`
}

// HostRow is a host the intrusion touched.
type HostRow struct {
	Name        string         `json:"name"`
	FirstSeen   string         `json:"first_seen"`
	LastSeen    string         `json:"last_seen"`
	Compromised string         `json:"compromised,omitempty"` // the intruder's first successful action
	Rule        string         `json:"rule,omitempty"`        // the rule that decided the compromise
	Why         string         `json:"why,omitempty"`
	Events      int64          `json:"events"`
	Refs        []timeline.Ref `json:"refs"`
}

// AccountRow is an account the intruder used.
type AccountRow struct {
	Name      string         `json:"name"`
	Host      string         `json:"host"`
	Rule      string         `json:"rule"`
	Why       string         `json:"why"`
	FirstSeen string         `json:"first_seen"`
	LastSeen  string         `json:"last_seen"`
	Events    int64          `json:"events"`
	Refs      []timeline.Ref `json:"refs"`
}

// FileRow is a file the intruder created, changed or deleted (or reached).
type FileRow struct {
	Host      string            `json:"host"`
	Path      string            `json:"path"`
	URL       string            `json:"url,omitempty"` // the web path that reaches it
	Directory bool              `json:"directory,omitempty"`
	Actions   []string          `json:"actions"`
	Times     map[string]string `json:"times,omitempty"` // action -> first trusted time
	Rule      string            `json:"rule"`
	Why       string            `json:"why"`
	FirstSeen string            `json:"first_seen"`
	LastSeen  string            `json:"last_seen"`
	Events    int64             `json:"events"`
	Refs      []timeline.Ref    `json:"refs"`
}

// RemoteRow is an outside address the intruder used.
type RemoteRow struct {
	Address   string         `json:"address"`
	Direction string         `json:"direction"` // inbound | outbound
	Rule      string         `json:"rule"`
	Why       string         `json:"why"`
	FirstSeen string         `json:"first_seen"`
	LastSeen  string         `json:"last_seen"`
	Events    int64          `json:"events"`
	Refs      []timeline.Ref `json:"refs"`
}

// LateralRow is movement between internal hosts.
type LateralRow struct {
	From      string         `json:"from"`
	To        string         `json:"to"`
	Kind      string         `json:"kind"` // scan | login | connection
	User      string         `json:"user,omitempty"`
	Ports     []int          `json:"ports,omitempty"`
	Targets   []string       `json:"targets,omitempty"` // scans: hosts touched (first 20)
	Rule      string         `json:"rule"`
	Why       string         `json:"why"`
	FirstSeen string         `json:"first_seen"`
	LastSeen  string         `json:"last_seen"`
	Events    int64          `json:"events"`
	Refs      []timeline.Ref `json:"refs"`
}

// TamperRow is evidence that records were altered or removed.
type TamperRow struct {
	Kind      string         `json:"kind"` // missing-at-origin | timestomp | log-gap
	Host      string         `json:"host"`
	Path      string         `json:"path,omitempty"` // timestomp: the file
	Detail    string         `json:"detail"`
	FirstSeen string         `json:"first_seen"`
	LastSeen  string         `json:"last_seen"`
	Events    int64          `json:"events"`
	Refs      []timeline.Ref `json:"refs"`
}

// SeenRow is a look-alike: something the rules looked at and left out of
// scope, with the rule and the reason, so an investigator sees why.
type SeenRow struct {
	Kind      string         `json:"kind"` // address | account | file | clients | login
	Value     string         `json:"value"`
	Host      string         `json:"host,omitempty"`
	Rule      string         `json:"rule"` // scanner | brute-force | ident-reply | baseline-destination | baseline-login | baseline-session | benign-upload | victim | unattributed-change | new-login
	Why       string         `json:"why"`
	FirstSeen string         `json:"first_seen"`
	LastSeen  string         `json:"last_seen"`
	Events    int64          `json:"events"`
	Refs      []timeline.Ref `json:"refs"`
}

// Affected counts the clients that fetched a file the intruder modified
// while it was modified: victims, not intruders (leaks' window mode counts
// what they sent).
type Affected struct {
	Count int            `json:"count"`
	Files []string       `json:"files"`
	From  string         `json:"from,omitempty"`
	To    string         `json:"to,omitempty"`
	Refs  []timeline.Ref `json:"refs"`
}

// ArtifactRow is a memory artifact that matches an indicator.
type ArtifactRow struct {
	Kind  string         `json:"kind"`
	Value string         `json:"value"`
	Seed  string         `json:"seed"`
	Count int64          `json:"count"`
	Refs  []timeline.Ref `json:"refs"`
}

// Pivot is how a seed entered the scope: the indicator itself, or the row
// (and its rule) that found it from an earlier seed.
type Pivot struct {
	Seed  string        `json:"seed"`
	Round int           `json:"round"`
	From  string        `json:"from,omitempty"` // the earlier seed
	Rule  string        `json:"rule"`
	Why   string        `json:"why"`
	Ref   *timeline.Ref `json:"ref,omitempty"`
}

// Result is the scope of an intrusion (contract: kiseki scope --json).
type Result struct {
	Seeds           []string          `json:"seeds"`
	Depth           int               `json:"depth"`
	Window          Window            `json:"window"`
	Hosts           []HostRow         `json:"hosts"`
	Accounts        []AccountRow      `json:"accounts"`
	Files           []FileRow         `json:"files"`
	RemoteAddresses []RemoteRow       `json:"remote_addresses"`
	Lateral         []LateralRow      `json:"lateral"`
	Tampering       []TamperRow       `json:"tampering"`
	SeenNotInScope  []SeenRow         `json:"seen_not_in_scope"`
	AffectedClients Affected          `json:"affected_clients"`
	Pivots          []Pivot           `json:"pivots"`
	HostIdentity    []vocab.Identity  `json:"host_identity"` // which host has which address, and where that comes from
	Category        taxonomy.Decision `json:"category"`      // the incident category (national CSIRT statistics), with its reason
	Artifacts       []ArtifactRow     `json:"artifacts"`
	Notes           []string          `json:"notes,omitempty"`
}

func newResult(seeds Seeds, depth int) *Result {
	return &Result{Seeds: seeds.Strings(), Depth: depth, Hosts: []HostRow{}, Accounts: []AccountRow{}, Files: []FileRow{},
		RemoteAddresses: []RemoteRow{}, Lateral: []LateralRow{}, Tampering: []TamperRow{}, SeenNotInScope: []SeenRow{},
		AffectedClients: Affected{Files: []string{}, Refs: []timeline.Ref{}}, Pivots: []Pivot{}, HostIdentity: []vocab.Identity{}, Artifacts: []ArtifactRow{}}
}

// spanTimes renders a span's first and last times.
func spanTimes(s *vocab.Span) (string, string) {
	return vocab.FormatTime(s.First), vocab.FormatTime(s.Last)
}

func refsOf(s *vocab.Span) []timeline.Ref {
	if s.Refs == nil {
		return []timeline.Ref{}
	}
	return s.Refs
}

func sortRows(res *Result) {
	sort.Slice(res.Hosts, func(i, j int) bool {
		a, b := res.Hosts[i], res.Hosts[j]
		return a.FirstSeen < b.FirstSeen || a.FirstSeen == b.FirstSeen && a.Name < b.Name
	})
	sort.Slice(res.Accounts, func(i, j int) bool {
		a, b := res.Accounts[i], res.Accounts[j]
		return a.FirstSeen < b.FirstSeen || a.FirstSeen == b.FirstSeen && a.Name+a.Host < b.Name+b.Host
	})
	sort.Slice(res.Files, func(i, j int) bool {
		a, b := res.Files[i], res.Files[j]
		return a.FirstSeen < b.FirstSeen || a.FirstSeen == b.FirstSeen && a.Host+a.Path < b.Host+b.Path
	})
	sort.Slice(res.RemoteAddresses, func(i, j int) bool {
		a, b := res.RemoteAddresses[i], res.RemoteAddresses[j]
		return a.FirstSeen < b.FirstSeen || a.FirstSeen == b.FirstSeen && a.Address+a.Direction < b.Address+b.Direction
	})
	sort.Slice(res.Lateral, func(i, j int) bool {
		a, b := res.Lateral[i], res.Lateral[j]
		return a.FirstSeen < b.FirstSeen || a.FirstSeen == b.FirstSeen && a.Kind+a.From+a.To < b.Kind+b.From+b.To
	})
	sort.Slice(res.Tampering, func(i, j int) bool {
		a, b := res.Tampering[i], res.Tampering[j]
		return a.FirstSeen < b.FirstSeen || a.FirstSeen == b.FirstSeen && a.Kind+a.Host+a.Path < b.Kind+b.Host+b.Path
	})
	sort.Slice(res.SeenNotInScope, func(i, j int) bool {
		a, b := res.SeenNotInScope[i], res.SeenNotInScope[j]
		return a.Rule < b.Rule || a.Rule == b.Rule && (a.FirstSeen < b.FirstSeen || a.FirstSeen == b.FirstSeen && a.Value+a.Host < b.Value+b.Host)
	})
}

// category decides the incident category from the result's findings.
func category(res *Result) taxonomy.Decision {
	var f taxonomy.Findings
	for _, h := range res.Hosts {
		if h.Compromised != "" {
			f.CompromisedHosts++
		}
	}
	for _, fr := range res.Files {
		created := false
		for _, a := range fr.Actions {
			created = created || a == "created"
		}
		for _, a := range fr.Actions {
			if a == "modified" && fr.URL != "" && !created && !fr.Directory {
				f.ModifiedWebFiles++ // a public page or script the intruder changed
				break
			}
		}
	}
	targets := map[string]bool{}
	for _, l := range res.Lateral {
		if l.Kind == "scan" {
			f.ScanRows += l.Events
			for _, t := range l.Targets {
				targets[t] = true
			}
		}
	}
	f.ScanTargets = len(targets)
	return taxonomy.Category(f)
}
