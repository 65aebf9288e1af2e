package scope

import (
	"net/netip"
	"sort"
	"strconv"

	"github.com/kiseki-forensics/kiseki/search/vocab"
	"github.com/kiseki-forensics/kiseki/timeline"
)

func keys[M ~map[K]V, K comparable, V any](m M) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// assemble turns the last round's findings into the contract's rows.
func (st *state) assemble(seeds Seeds) *Result {
	res := newResult(seeds, st.opt.Depth)
	res.Pivots = append(res.Pivots, st.pivots...)
	f := st.out
	if f == nil {
		return res
	}
	for _, from := range keys(f.scans) { // first: scans are intruder actions too
		res.Lateral = append(res.Lateral, st.scanRows(f, from, f.scans[from])...)
	}
	for h, s := range f.hosts {
		row := HostRow{Name: h, Events: s.Events, Refs: refsOf(s)}
		row.FirstSeen, row.LastSeen = spanTimes(s)
		if c, ok := st.comp[h]; ok {
			row.Compromised, row.Rule, row.Why = vocab.FormatTime(c.t), c.rule, c.why
		}
		res.Hosts = append(res.Hosts, row)
	}
	for k, a := range f.accounts {
		row := AccountRow{Name: k[0], Host: k[1], Rule: a.rule, Why: a.why, Events: a.Events, Refs: refsOf(&a.Span)}
		row.FirstSeen, row.LastSeen = spanTimes(&a.Span)
		res.Accounts = append(res.Accounts, row)
	}
	for k, fa := range f.files {
		res.Files = append(res.Files, fileRow(k, fa))
	}
	for k, r := range f.remotes {
		row := RemoteRow{Address: k.addr.String(), Direction: k.dir, Rule: r.rule, Why: r.why, Events: r.Events, Refs: refsOf(&r.Span)}
		row.FirstSeen, row.LastSeen = spanTimes(&r.Span)
		res.RemoteAddresses = append(res.RemoteAddresses, row)
	}
	for k, l := range f.lateral {
		row := LateralRow{From: k.from, To: k.to, Kind: k.kind, User: k.user, Rule: l.rule, Why: l.why, Events: l.Events, Refs: refsOf(&l.Span)}
		row.FirstSeen, row.LastSeen = spanTimes(&l.Span)
		for p := range l.ports {
			row.Ports = append(row.Ports, int(p))
		}
		sort.Ints(row.Ports)
		res.Lateral = append(res.Lateral, row)
	}
	for k, s := range f.stomps {
		if _, in := f.files[k]; !in && !st.duringIntrusion(f, s.trusted) {
			continue // extracted, renamed or chmod'ed long before: see docs/ext4.md on false positives
		}
		row := TamperRow{Kind: "timestomp", Host: k.host, Path: k.path, Detail: k.path + ": " + s.rules + " (its contradicted times are not used)", Events: s.Events, Refs: refsOf(&s.Span)}
		row.FirstSeen, row.LastSeen = spanTimes(&s.Span)
		res.Tampering = append(res.Tampering, row)
	}
	for k, s := range f.seen {
		row := SeenRow{Kind: k.kind, Value: k.value, Host: k.host, Rule: s.rule, Why: s.why, Events: s.Events, Refs: refsOf(&s.Span)}
		row.FirstSeen, row.LastSeen = spanTimes(&s.Span)
		res.SeenNotInScope = append(res.SeenNotInScope, row)
	}
	res.Window = Window{Window: vocab.Window{First: vocab.FormatTime(f.first.t), Last: vocab.FormatTime(f.last.t)}, FirstWhy: f.first.why, LastWhy: f.last.why}
	return res
}

// duringIntrusion reports whether any of the times falls in the window
// (± Slack): a timestomped file whose trusted times say it was changed
// during the intrusion is a finding even when no rule ties it to the
// intruder.
func (st *state) duringIntrusion(f *findings, ts []int64) bool {
	slack := int64(st.opt.Slack)
	for _, t := range ts {
		if f.first.t != 0 && t >= f.first.t-slack && t <= f.last.t+slack {
			return true
		}
	}
	return false
}

func fileRow(k fileKey, fa *fileAgg) FileRow {
	row := FileRow{Host: k.host, Path: k.path, URL: fa.url, Directory: fa.dir, Times: map[string]string{}, Rule: fa.rule, Why: fa.why,
		Events: fa.Events, Refs: refsOf(&fa.Span)}
	row.FirstSeen, row.LastSeen = spanTimes(&fa.Span)
	for _, a := range []string{"created", "modified", "changed", "read", "deleted", "requested"} {
		if t, ok := fa.actions[a]; ok {
			row.Actions = append(row.Actions, a)
			row.Times[a] = vocab.FormatTime(t)
		}
	}
	return row
}

// scanRows finds the bursts of one host's probes of internal addresses:
// fixed ScanBucket intervals with at least ScanPorts distinct ports or
// ScanHosts distinct hosts, consecutive ones merged into one row.
func (st *state) scanRows(f *findings, from string, probes []probe) []LateralRow {
	sort.SliceStable(probes, func(i, j int) bool { return probes[i].t < probes[j].t })
	bucket := int64(ScanBucket)
	var rows []LateralRow
	var cur *LateralRow
	var curHosts map[netip.Addr]bool
	var curPorts map[int32]bool
	lastBucket := int64(-1 << 62)
	flush := func() {
		if cur != nil {
			rows = append(rows, st.scanRow(cur, curHosts, curPorts))
			cur = nil
		}
	}
	for i := 0; i < len(probes); {
		b := probes[i].t - ((probes[i].t%bucket)+bucket)%bucket
		j := i
		hosts, ports := map[netip.Addr]bool{}, map[int32]bool{}
		for j < len(probes) && probes[j].t < b+bucket {
			hosts[probes[j].dst], ports[probes[j].port] = true, true
			j++
		}
		if len(hosts) >= st.opt.ScanHosts || len(ports) >= st.opt.ScanPorts {
			if cur == nil || b != lastBucket+bucket {
				flush()
				cur = &LateralRow{From: from, Kind: "scan", Rule: "scan", FirstSeen: vocab.FormatTime(probes[i].t), Refs: []timeline.Ref{}}
				curHosts, curPorts = map[netip.Addr]bool{}, map[int32]bool{}
			}
			for k := i; k < j; k++ {
				p := probes[k]
				curHosts[p.dst], curPorts[p.port] = true, true
				cur.Events++
				cur.LastSeen = vocab.FormatTime(p.t)
				if len(cur.Refs) < st.opt.RefCap {
					cur.Refs = append(cur.Refs, p.ref.Ref())
				}
				f.action(from, p.t, p.ref, "scan from "+from)
			}
			lastBucket = b
		} else {
			flush()
		}
		i = j
	}
	flush()
	return rows
}

func (st *state) scanRow(cur *LateralRow, hosts map[netip.Addr]bool, ports map[int32]bool) LateralRow {
	targets := keys(hosts)
	sort.Slice(targets, func(i, j int) bool { return targets[i].Less(targets[j]) })
	for _, a := range targets {
		if len(cur.Targets) < 20 {
			cur.Targets = append(cur.Targets, st.name(a))
		}
	}
	if len(targets) == 1 {
		cur.To = st.name(targets[0])
	} else {
		cur.To = strconv.Itoa(len(targets)) + " hosts"
	}
	for p := range ports {
		if p != 0 {
			cur.Ports = append(cur.Ports, int(p))
		}
	}
	sort.Ints(cur.Ports)
	cur.Why = cur.To + " probed on " + strconv.Itoa(len(cur.Ports)) + " ports within " + ScanBucket.String() + " intervals"
	return *cur
}
