package report

import (
	"context"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/kiseki-forensics/kiseki/internal/eventview"
	"github.com/kiseki-forensics/kiseki/search/leaks"
	"github.com/kiseki-forensics/kiseki/search/vocab"
)

// LeakSet is one leak count the report makes: a name, the kinds of
// personal data the counted records hold, and the selectors of kiseki
// leaks (Args: the same selectors as flags, for the command beside the
// number). FromScope takes the actors from the scope's inbound addresses
// (kiseki leaks --actors-from-scope).
type LeakSet struct {
	Name      string
	Data      []string
	Opt       leaks.Options
	Args      []string
	FromScope bool
}

// LeakCount is one count in the report.
type LeakCount struct {
	Name    string        `json:"name"`
	Data    []string      `json:"personal_data,omitempty"`
	Records int64         `json:"records"`
	Method  string        `json:"method"`
	Command []string      `json:"command"`
	Result  *leaks.Result `json:"result"`
}

// empty reports whether a count has no selector at all.
func empty(o leaks.Options) bool {
	return !o.PII && o.Endpoint == "" && o.Distinct == "" && len(o.Actors) == 0 && o.WindowFile == "" && o.From == 0 && o.To == 0
}

// countLeaks makes every leak count: the sets of --leaks, else the one the
// flags select, else the successful requests of the scope's inbound
// addresses. Each count's command is the kiseki leaks call that answers it.
func (r *Report) countLeaks(ctx context.Context, env *vocab.Env, opt Options, iocs, caseArg []string) error {
	sets := opt.LeakSets
	if len(sets) == 0 {
		set := LeakSet{Name: r.labels["leak"], Opt: opt.Leak, Args: opt.LeakArgs}
		if empty(set.Opt) {
			set.FromScope, set.Opt.Status, set.Args = true, "2xx", []string{"--status", "2xx"}
		}
		sets = []LeakSet{set}
	}
	dataKinds := map[string]bool{}
	for _, set := range sets {
		lo := set.Opt
		args := append([]string{"leaks"}, caseArg...)
		if set.FromScope {
			if r.Scope == nil {
				continue
			}
			for _, ra := range r.Scope.RemoteAddresses {
				if ra.Direction == "inbound" {
					a := netip.MustParseAddr(ra.Address)
					lo.Actors = append(lo.Actors, netip.PrefixFrom(a, a.BitLen()))
				}
			}
			for _, i := range iocs {
				args = append(args, "--actors-from-scope", i)
			}
			if len(lo.Actors) == 0 {
				continue
			}
		}
		if empty(lo) {
			continue
		}
		args = append(append(args, set.Args...), "--json")
		lr, err := leaks.Run(ctx, env, lo)
		if err != nil {
			return err
		}
		lc := LeakCount{Name: set.Name, Data: set.Data, Records: lr.Records, Method: r.methodText(lo, lr), Command: args, Result: lr}
		r.Leaks = append(r.Leaks, lc)
		for _, d := range set.Data {
			dataKinds[d] = true
		}
		for k := range lr.ByKind {
			dataKinds[r.L("pii_"+k)] = true
		}
		r.Queries = append(r.Queries, Query{What: r.labels["q_leak"] + ": " + set.Name, Value: lr.Records, Command: args, JSONKey: "records"})
		if lr.Window.First != "" {
			r.Windows = append(r.Windows, Window{Name: r.labels["w_risk"] + ": " + set.Name, First: lr.Window.First, Last: lr.Window.Last, Basis: "kiseki " + strings.Join(args, " ")})
		}
		r.addAnnex(set.Name, lr)
	}
	for k := range dataKinds {
		r.DataKinds = append(r.DataKinds, k)
	}
	sort.Strings(r.DataKinds)
	if len(r.Leaks) == 0 {
		r.Summary.LeakMethod = r.labels["leak_none"]
		return nil
	}
	r.Leak = r.Leaks[0].Result
	r.Summary.LeakRecords, r.Summary.LeakMethod = r.Leaks[0].Records, r.Leaks[0].Method
	return nil
}

// addAnnex lists every value a count counted, with its references.
func (r *Report) addAnnex(set string, lr *leaks.Result) {
	for _, v := range lr.Values {
		var refs []string
		for _, rf := range v.Refs {
			refs = append(refs, rf.String())
		}
		row := AnnexRow{Set: set, Kind: v.Kind, Value: short(eventview.Sanitize(v.Value)), Count: v.Count, Refs: eventview.Sanitize(strings.Join(refs, " "))}
		if v.First != 0 {
			row.First = time.Unix(0, v.First).UTC().Format(time.RFC3339Nano)
		}
		r.Annex = append(r.Annex, row)
	}
}
