package taxonomy

import (
	"github.com/kiseki-forensics/kiseki/parsers"
	_ "github.com/kiseki-forensics/kiseki/parsers/all" // the source classes are declared by the formats
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Rule is one row of a table: every condition set must hold. The zero
// value of a condition means "any".
type Rule struct {
	Name      string
	Actions   []string // the event's action column (timeline.Action*)
	Methods   []string // HTTP methods, case-insensitive
	Status    [2]int32 // inclusive status range
	DstPort   int32
	SrcPort   int32
	HasPort   bool     // the event has a destination port
	HasMethod bool     // the event has an HTTP method
	Protos    []string // NormProto values
	ICMPTypes []int32
	TimeDesc  string // MACB kind of the time description: mtime, atime, dtime...
	Label     Label
}

// Table is the rules of one kind of source, tried in order.
type Table struct {
	Name    string
	Sources []string // the sources it is for; none: any source, after the source's own table
	Rules   []Rule
}

// ICMP types (RFC 792, RFC 4443) that ask a host about itself: a probe
// whether or not anything answers.
var icmpQueries = []int32{8, 13, 15, 17, 128}

// firewall: sensors' permit/deny records. A denied connection attempt or
// ICMP query is one probe of one target; whether probes make a scan is a
// question over many events (kiseki stats), not one.
var firewall = Table{
	Name:    "firewall",
	Sources: FirewallSources,
	Rules: []Rule{
		{Name: "ident-to-113", DstPort: 113, Protos: []string{"tcp", ""}, Label: Label{Benign: IdentReply}},
		{Name: "ident-from-113", SrcPort: 113, Protos: []string{"tcp", ""}, Label: Label{Benign: IdentReply}},
		{Name: "denied-icmp-query", Actions: []string{timeline.ActionDeny}, Protos: []string{"icmp"}, ICMPTypes: icmpQueries, Label: Label{Action: Probe, Target: Computer}},
		{Name: "denied-port", Actions: []string{timeline.ActionDeny}, HasPort: true, Protos: []string{"tcp", "udp", ""}, Label: Label{Action: Probe, Target: Computer}},
		{Name: "scan-alarm", Actions: []string{timeline.ActionScan}, Label: Label{Action: Scan, Target: Network}},
	},
}

// FirewallSources are the sources of sensors whose deny records make scan
// statistics (kiseki stats): the firewall class of the parser registry.
var FirewallSources = parsers.SourcesOf(parsers.ClassFirewall)

// web: a request with a method and a status, from any web, proxy or CDN
// log; it comes before the files table. Only a success says the data was read or changed; a 404 says the
// client looked for something that is not there.
var web = Table{
	Name: "web",
	Rules: []Rule{
		{Name: "read", Methods: []string{"GET", "HEAD"}, Status: [2]int32{200, 299}, Label: Label{Action: Read, Target: Data}},
		{Name: "write", Methods: []string{"POST", "PUT", "PATCH"}, Status: [2]int32{200, 299}, Label: Label{Action: Modify, Target: Data}},
		{Name: "delete", Methods: []string{"DELETE"}, Status: [2]int32{200, 299}, Label: Label{Action: Delete, Target: Data}},
		{Name: "not-found", Methods: []string{"GET", "HEAD", "POST"}, Status: [2]int32{404, 404}, Label: Label{Action: Probe, Target: Data}},
		// Any other request (refused, redirected, failed) is labelled
		// nothing: the read or modify action its parser gave it from the
		// method alone must not reach the files table.
		{Name: "other", HasMethod: true},
	},
}

// accounts: logins and their failures, from any source that records them.
var accounts = Table{
	Name: "accounts",
	Rules: []Rule{
		{Name: "login", Actions: []string{timeline.ActionLoginSuccess, timeline.ActionLoginFailure, timeline.ActionAuthenticate}, Label: Label{Action: Authenticate, Target: Account}},
		{Name: "scan", Actions: []string{timeline.ActionScan}, Label: Label{Action: Scan, Target: Computer}},
	},
}

// files: what file systems and audit records say was done to a file.
// Sandia has no "create": creating a file changes the file system's data.
var files = Table{
	Name: "files",
	Rules: []Rule{
		{Name: "read", Actions: []string{timeline.ActionRead}, Label: Label{Action: Read, Target: Data}},
		{Name: "modify", Actions: []string{timeline.ActionModify, timeline.ActionCreate}, Label: Label{Action: Modify, Target: Data}},
		{Name: "delete", Actions: []string{timeline.ActionDelete}, Label: Label{Action: Delete, Target: Data}},
		{Name: "mtime", TimeDesc: timeline.TimeModified, Label: Label{Action: Modify, Target: Data}},
		{Name: "atime", TimeDesc: timeline.TimeAccessed, Label: Label{Action: Read, Target: Data}},
		{Name: "dtime", TimeDesc: timeline.TimeDeleted, Label: Label{Action: Delete, Target: Data}},
	},
}

// tables holds every table; generic the ones for any source, in order.
var (
	tables   = []*Table{&firewall, &web, &accounts, &files}
	generic  []*Table
	bySource = map[string]*Table{}
)

func init() {
	for _, t := range tables {
		for i := range t.Rules {
			r := &t.Rules[i]
			r.Label.Rule = t.Name + "/" + r.Name // once, not per classified event
		}
		if len(t.Sources) == 0 {
			generic = append(generic, t)
		}
		for _, s := range t.Sources {
			bySource[s] = t
		}
	}
}

// Tables returns the rule tables (for documentation and tests).
func Tables() []*Table { return tables }
