package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/timeline"
)

func init() { register(newSearchCmd) }

const queryHelp = `Query language:
  word                 a word in any message, URL, path, user agent or raw line
  "two words"          a phrase
  field:value          a field; values are exact (case-insensitive) unless they
                       hold * or ?, which match any run / one character
  ip:203.0.113.7       src_ip or dst_ip; also CIDR (ip:10.0.0.0/8)
  status:404 status:4xx status:>=500 bytes:>1000000 port:22
  path:*.php           a file path pattern; url: ua: message: raw: likewise,
                       and url:login (no wildcard) matches the word "login"
  tag:timestomp*       one of the event's tags
  a b                  both (AND is the default); a OR b; NOT a; -a; ( ... )
Fields: ` + "%s"

func newSearchCmd() *cobra.Command {
	var (
		caseDir   string
		o         timelineOptions
		asJSON    bool
		countOnly bool
		histogram string
	)
	cmd := &cobra.Command{
		Use:   "search --case CASEDIR QUERY",
		Short: "Find events by words, fields, addresses and time range",
		Long: "Search finds events matching a query, in time order, with their evidence\nreferences. Counts and histograms are computed over every match.\n\n" +
			fmt.Sprintf(queryHelp, search.FieldNames()),
		Example: `  kiseki search --case case1 'ip:203.0.113.7 AND path:*.php'
  kiseki search --case case1 --from 2026-03-01 'status:5xx' --histogram hour
  kiseki search --case case1 '"Failed password" user:root' --json`,
		Args: minArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if caseDir == "" {
				return usageErrorf("--case is required")
			}
			o.query = strings.Join(args, " ")
			c, s, err := openSearcher(caseDir)
			if err != nil {
				return err
			}
			defer s.Close()
			req, err := buildRequest(c, o)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			loc, err := displayZone(o.tz, c.Location()) // of the events and the histogram's buckets
			if err != nil {
				return err
			}
			countReq := req
			countReq.Limit, countReq.Offset = 0, 0
			total, err := s.Count(ctx, countReq)
			if err != nil {
				return err
			}
			var buckets []search.Bucket
			if histogram != "" {
				d, err := histogramInterval(histogram)
				if err != nil {
					return err
				}
				if buckets, err = s.HistogramIn(ctx, countReq, d, loc); err != nil { // buckets of the display zone
					return err
				}
			}
			arts, err := search.SearchArtifacts(c.ArtifactsDir(), req.Query)
			if err != nil {
				return err
			}
			if err := c.Audit("search", []string{o.query}, map[string]int64{"matches": total, "artifacts": int64(len(arts))}, nil); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				res := struct {
					Query     string               `json:"query"`
					Total     int64                `json:"total"`
					Indexed   bool                 `json:"indexed"`
					Events    []any                `json:"events"`
					Histogram []search.Bucket      `json:"histogram,omitempty"`
					Artifacts []search.ArtifactHit `json:"artifacts,omitempty"`
				}{Query: o.query, Total: total, Indexed: s.HasIndex(), Events: []any{}, Histogram: buckets, Artifacts: arts}
				if !countOnly {
					err = s.Each(ctx, req, func(row int64, ev *timeline.Event) error {
						res.Events = append(res.Events, toJSONEvent(row, ev))
						return nil
					})
					if err != nil {
						return err
					}
				}
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			fmt.Fprintf(out, "%d matching events\n", total)
			if len(arts) > 0 {
				fmt.Fprintf(out, "%d distinct values found in memory artifacts:\n", len(arts))
				for _, a := range arts {
					ref := a.Refs[0]
					fmt.Fprintf(out, "  %-12s %-40s x%d  first at %s:%s@%d\n", a.Kind, sanitize(a.Value), a.Count, ref.Evidence, sanitize(ref.Path), ref.Offset)
				}
			}
			for _, b := range buckets {
				if b.Count == 0 {
					continue // the JSON output keeps empty buckets for charts
				}
				fmt.Fprintf(out, "%s  %8d  %s\n", b.Start.In(loc).Format(time.RFC3339), b.Count, bar(b.Count, buckets))
			}
			if countOnly || total == 0 {
				return nil
			}
			ew, _ := newEventWriter("table", out, loc)
			err = s.Each(ctx, req, func(row int64, ev *timeline.Event) error { return ew.write(row, ev) })
			if cerr := ew.close(); err == nil {
				err = cerr
			}
			if err == nil && req.Limit > 0 && total > int64(req.Offset+req.Limit) {
				fmt.Fprintf(out, "... %d more (use --limit/--offset)\n", total-int64(req.Offset+req.Limit))
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&caseDir, "case", "", "case directory")
	f.StringVar(&o.from, "from", "", "earliest time (inclusive)")
	f.StringVar(&o.to, "to", "", "latest time (inclusive)")
	f.StringSliceVar(&o.hosts, "host", nil, "only these hosts")
	f.StringSliceVar(&o.sources, "source", nil, "only these sources/formats")
	f.IntVar(&o.limit, "limit", 50, "print at most N events")
	f.IntVar(&o.offset, "offset", 0, "skip the first N matching events")
	f.StringVar(&o.tz, "tz", "UTC", `display zone: UTC, "case" or an IANA name`)
	f.BoolVar(&asJSON, "json", false, "print the result as JSON")
	f.BoolVar(&countOnly, "count", false, "print only the number of matches (and the histogram)")
	f.StringVar(&histogram, "histogram", "", "also count matches per minute, hour or day (or a Go duration like 15m)")
	return cmd
}

func histogramInterval(v string) (time.Duration, error) {
	switch v {
	case "minute":
		return time.Minute, nil
	case "hour":
		return time.Hour, nil
	case "day":
		return 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, usageErrorf("--histogram %q: want minute, hour, day or a duration like 15m", v)
	}
	return d, nil
}

func bar(n int64, all []search.Bucket) string {
	var most int64
	for _, b := range all {
		most = max(most, b.Count)
	}
	if most == 0 {
		return ""
	}
	return strings.Repeat("#", int((n*40+most-1)/most))
}
