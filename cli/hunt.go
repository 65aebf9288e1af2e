package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/kiseki-forensics/kiseki/search/scope"
	"github.com/kiseki-forensics/kiseki/timeline"
)

func init() { register(newHuntCmd) }

// huntRefCap is the most references listed per indicator and case; every
// match is counted, and its hosts and first/last times are exact.
const huntRefCap = 1000

type huntRef struct {
	Time string `json:"time"`
	Host string `json:"host"`
	timeline.Ref
}

type huntCase struct {
	Case          string    `json:"case"`
	Dir           string    `json:"case_dir"`
	Bundle        string    `json:"bundle,omitempty"`
	Events        int64     `json:"events"`
	Hosts         []string  `json:"hosts"`
	First         string    `json:"first"`
	Last          string    `json:"last"`
	Refs          []huntRef `json:"refs"`
	RefsTruncated bool      `json:"refs_truncated,omitempty"`
}

type huntIndicator struct {
	Indicator string     `json:"indicator"`
	Kinds     []string   `json:"kinds"`
	Query     string     `json:"query"`
	Cases     []huntCase `json:"cases"` // only the cases that saw it
}

type huntResult struct {
	Cases      int             `json:"cases_searched"`
	Indicators []huntIndicator `json:"indicators"`
}

func newHuntCmd() *cobra.Command {
	var (
		casesDir string
		asJSON   bool
		from, to string
	)
	cmd := &cobra.Command{
		Use:   "hunt --cases CASES INDICATOR...",
		Short: "Which cases, hosts and times saw each indicator, across every case of a batch",
		Long: `Hunt searches every case under CASES (the cases "kiseki batch" made) for each
indicator and lists, per indicator, the cases that saw it with their hosts,
first and last times, the number of events and their references (the first
1000 per case; all are counted).

Indicators are classified as "kiseki scope" does: an address or CIDR block
(matched in src_ip/dst_ip and as a word in any text), a domain, a URL, a path
(file path or URL path), or a user name; ip:, cidr:, domain:, user:, file:,
url: force the kind.`,
		Example: `  kiseki hunt --cases cases/ 198.51.100.77 203.0.113.0/24
  kiseki hunt --cases cases/ /uploads/.cache/img.php user:deploy --json`,
		Args: minArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if casesDir == "" {
				return usageErrorf("--cases is required")
			}
			inds, err := huntQueries(args)
			if err != nil {
				return err
			}
			dirs, err := listCases(casesDir)
			if err != nil {
				return UsageError{err}
			}
			o := timelineOptions{from: from, to: to}
			res, err := hunt(cmd.Context(), dirs, inds, o)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			printHunt(out, res)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&casesDir, "cases", "", "directory of cases (one per bundle)")
	f.StringVar(&from, "from", "", "earliest time (inclusive), in each case's zone")
	f.StringVar(&to, "to", "", "latest time (inclusive)")
	f.BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}

// huntQueries classifies each indicator with scope.ParseSeeds and turns it
// into a query of the search language.
func huntQueries(args []string) ([]huntIndicator, error) {
	var out []huntIndicator
	for _, a := range args {
		s, err := scope.ParseSeeds([]string{a})
		if err != nil {
			return nil, UsageError{err}
		}
		if s.Empty() {
			return nil, usageErrorf("indicator %q is empty", a)
		}
		var terms, kinds []string
		add := func(kind string, t ...string) {
			kinds = append(kinds, kind)
			terms = append(terms, t...)
		}
		for _, x := range s.Addrs {
			add("ip", "ip:"+x.String(), `"`+x.String()+`"`)
		}
		for _, x := range s.Prefixes {
			add("cidr", "ip:"+x.String())
		}
		for _, x := range s.Domains {
			add("domain", `"`+x+`"`)
		}
		for _, x := range s.Users {
			add("user", "user:"+quoteValue(x))
		}
		for _, x := range s.Files {
			add("file", "path:"+quoteValue(x))
		}
		for _, x := range s.URLPaths {
			add("url", "url:"+quoteValue(x+"*"))
		}
		out = append(out, huntIndicator{Indicator: a, Kinds: uniqStrings(kinds), Query: strings.Join(terms, " OR ")})
	}
	return out, nil
}

func uniqStrings(v []string) []string {
	var out []string
	for i, x := range v {
		if i == 0 || x != v[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// listCases returns the case directories directly under dir, by name.
func listCases(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if _, err := os.Stat(filepath.Join(p, "case.json")); e.IsDir() && err == nil {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no case directories", dir)
	}
	return out, nil
}

// hunt searches the cases in parallel, one case per CPU at a time.
func hunt(ctx context.Context, dirs []string, inds []huntIndicator, o timelineOptions) (*huntResult, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	perCase := make([][]*huntCase, len(dirs)) // [case][indicator], nil: not seen
	errs := make([]error, len(dirs))
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(runtime.GOMAXPROCS(0), len(dirs)) {
		wg.Go(func() {
			for i := range next {
				perCase[i], errs[i] = huntCaseDir(ctx, dirs[i], inds, o)
			}
		})
	}
	for i := range dirs {
		next <- i
	}
	close(next)
	wg.Wait()
	res := &huntResult{Cases: len(dirs), Indicators: inds}
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("%s: %w", dirs[i], err)
		}
	}
	for k := range res.Indicators {
		res.Indicators[k].Cases = []huntCase{}
		for i := range dirs {
			if hc := perCase[i][k]; hc != nil {
				res.Indicators[k].Cases = append(res.Indicators[k].Cases, *hc)
			}
		}
	}
	return res, nil
}

func huntCaseDir(ctx context.Context, dir string, inds []huntIndicator, o timelineOptions) ([]*huntCase, error) {
	c, s, err := openSearcher(dir)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	out := make([]*huntCase, len(inds))
	for k, ind := range inds {
		o.query = ind.Query
		req, err := buildRequest(c, o)
		if err != nil {
			return nil, err
		}
		hc := &huntCase{Case: c.Meta.Name, Dir: c.Dir, Bundle: c.Meta.Bundle, Refs: []huntRef{}}
		hosts := map[string]bool{}
		var first, last int64
		err = s.Each(ctx, req, func(_ int64, ev *timeline.Event) error {
			if hc.Events == 0 {
				first = ev.Time
			}
			last = ev.Time
			hc.Events++
			if !hosts[ev.Host] {
				hosts[strings.Clone(ev.Host)] = true
			}
			if len(hc.Refs) < huntRefCap {
				r := ev.Ref()
				r.Evidence, r.Path = strings.Clone(r.Evidence), strings.Clone(r.Path)
				hc.Refs = append(hc.Refs, huntRef{Time: ev.UTC().Format(time.RFC3339Nano), Host: strings.Clone(ev.Host), Ref: r})
			} else {
				hc.RefsTruncated = true
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if hc.Events == 0 {
			continue
		}
		for h := range hosts {
			hc.Hosts = append(hc.Hosts, h)
		}
		sort.Strings(hc.Hosts)
		hc.First = time.Unix(0, first).UTC().Format(time.RFC3339Nano)
		hc.Last = time.Unix(0, last).UTC().Format(time.RFC3339Nano)
		out[k] = hc
	}
	if err := c.Audit("hunt", nil, map[string]int{"indicators": len(inds)}, nil); err != nil {
		return nil, err
	}
	return out, nil
}

func printHunt(w io.Writer, res *huntResult) {
	for _, ind := range res.Indicators {
		fmt.Fprintf(w, "%s (%s): seen in %d of %d cases\n", sanitize(ind.Indicator), strings.Join(ind.Kinds, ","), len(ind.Cases), res.Cases)
		if len(ind.Cases) == 0 {
			continue
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  CASE\tHOSTS\tEVENTS\tFIRST\tLAST\tFIRST REFERENCES")
		for _, hc := range ind.Cases {
			var refs []string
			for _, r := range hc.Refs[:min(len(hc.Refs), 3)] {
				refs = append(refs, r.Ref.String())
			}
			fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\t%s\t%s\n", sanitize(hc.Case), sanitize(strings.Join(hc.Hosts, ",")), hc.Events, hc.First, hc.Last, sanitize(strings.Join(refs, " ")))
		}
		tw.Flush()
	}
}
