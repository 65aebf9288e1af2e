package taxonomy

import (
	"strings"

	"github.com/kiseki-forensics/kiseki/timeline"
)

// Sandia actions.
const (
	Probe        = "probe"
	Scan         = "scan"
	Flood        = "flood"
	Authenticate = "authenticate"
	Bypass       = "bypass"
	Spoof        = "spoof"
	Read         = "read"
	Copy         = "copy"
	Steal        = "steal"
	Modify       = "modify"
	Delete       = "delete"
)

// Sandia targets.
const (
	Account      = "account"
	Process      = "process"
	Data         = "data"
	Component    = "component"
	Computer     = "computer"
	Network      = "network"
	Internetwork = "internetwork"
)

// Benign labels: traffic that looks like an attack but is not.
const (
	// IdentReply is ident (113/tcp) traffic: a server the host connected
	// to (mail, IRC, FTP) asking the host's identd who opened the
	// connection, or the answer. It follows the host's own connection.
	IdentReply = "ident-reply"
)

// Event is what the rules look at: columns of the timeline, plus the
// protocol and ICMP type that firewall parsers keep in the extras (Proto).
type Event struct {
	Source, Action, Method, TimeDesc string
	Status, SrcPort, DstPort         int32
	Proto                            string // tcp, udp, icmp, or "" when unknown (NormProto)
	ICMPType                         int32  // NoICMPType when unknown
}

// NoICMPType is Event.ICMPType when the event has none.
const NoICMPType = -1

// Label is what an event's evidence supports. The zero Label means none.
type Label struct {
	Action string `json:"sandia,omitempty"`
	Target string `json:"target,omitempty"`
	Benign string `json:"benign,omitempty"`
	Rule   string `json:"rule,omitempty"` // table/rule that decided: the reason
}

// IsZero reports whether no rule matched.
func (l Label) IsZero() bool { return l.Action == "" && l.Benign == "" }

// String is "probe/computer", "benign:ident-reply" or "".
func (l Label) String() string {
	switch {
	case l.Benign != "":
		return "benign:" + l.Benign
	case l.Action != "":
		return l.Action + "/" + l.Target
	}
	return ""
}

// Classify returns the label of the first rule that matches ev: the table
// of ev's source first, then the tables that apply to any source.
func Classify(ev *Event) Label {
	if t := bySource[ev.Source]; t != nil {
		if l, ok := t.classify(ev); ok {
			return l
		}
	}
	for _, t := range generic {
		if l, ok := t.classify(ev); ok {
			return l
		}
	}
	return Label{}
}

func (t *Table) classify(ev *Event) (Label, bool) {
	for i := range t.Rules {
		r := &t.Rules[i]
		if r.matches(ev) {
			l := r.Label
			if l.Rule == "" { // a table not set up by init
				l.Rule = t.Name + "/" + r.Name
			}
			return l, true
		}
	}
	return Label{}, false
}

func (r *Rule) matches(ev *Event) bool {
	if len(r.Actions) > 0 && !has(r.Actions, ev.Action) {
		return false
	}
	if len(r.Methods) > 0 && !hasFold(r.Methods, ev.Method) {
		return false
	}
	if r.Status[1] != 0 && (ev.Status < r.Status[0] || ev.Status > r.Status[1]) {
		return false
	}
	if r.DstPort != 0 && ev.DstPort != r.DstPort {
		return false
	}
	if r.SrcPort != 0 && ev.SrcPort != r.SrcPort {
		return false
	}
	if r.HasPort && ev.DstPort <= 0 {
		return false
	}
	if r.HasMethod && ev.Method == "" {
		return false
	}
	if len(r.Protos) > 0 && !has(r.Protos, ev.Proto) {
		return false
	}
	if len(r.ICMPTypes) > 0 && !hasInt(r.ICMPTypes, ev.ICMPType) {
		return false
	}
	if r.TimeDesc != "" && timeKind(ev.TimeDesc) != r.TimeDesc {
		return false
	}
	return true
}

// timeKind is the MACB part of a time description ("$SI_mtime" → "mtime").
func timeKind(desc string) string {
	if i := strings.LastIndexByte(desc, '_'); i >= 0 {
		return desc[i+1:]
	}
	return desc
}

func has(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

func hasFold(list []string, v string) bool {
	for _, s := range list {
		if strings.EqualFold(s, v) {
			return true
		}
	}
	return false
}

func hasInt(list []int32, v int32) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// Values lists what the query fields can match: the Sandia actions and
// targets, and the benign labels the tables use.
func Values() (actions, targets, benign []string) {
	actions = []string{Probe, Scan, Flood, Authenticate, Bypass, Spoof, Read, Copy, Steal, Modify, Delete}
	targets = []string{Account, Process, Data, Component, Computer, Network, Internetwork}
	seen := map[string]bool{}
	for _, t := range tables {
		for _, r := range t.Rules {
			if b := r.Label.Benign; b != "" && !seen[b] {
				seen[b] = true
				benign = append(benign, b)
			}
		}
	}
	return actions, targets, benign
}

// HasTable reports whether source has a table of its own. The tables for
// any source read only the event's action, method, time description and
// status (GenericInputs), so callers may decide their labels once per
// combination of those.
func HasTable(source string) bool { return bySource[source] != nil }

// GenericInputs is the promise HasTable's callers rely on, checked by the
// tests: no rule of a table for any source reads the source, ports,
// protocol or ICMP type.
const GenericInputs = "action, method, time_desc, status"

// NeedsProto reports whether the rules for source look at the protocol, so
// that callers read the extras only for those events.
func NeedsProto(source string) bool { return bySource[source] == &firewall }

// Of labels a materialised event (what the timeline and the web view
// show); search.RowLabel labels a row of a segment the same way.
func Of(e *timeline.Event) Label {
	ev := Event{Source: e.Source, Action: e.Action, Method: e.Method, TimeDesc: e.TimeDesc,
		Status: e.Status, SrcPort: e.SrcPort, DstPort: e.DstPort, ICMPType: NoICMPType}
	if NeedsProto(e.Source) {
		ev.Proto, ev.ICMPType = FromKV(e.Extra)
	}
	return Classify(&ev)
}
