package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kiseki-forensics/kiseki/engine"
	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/timeline"
)

func init() { register(newTimelineCmd) }

type timelineOptions struct {
	from, to       string
	hosts, sources []string
	query          string
	format         string
	limit, offset  int
	tz             string
	all            bool // bodyfile: every event, not only file system rows
}

func newTimelineCmd() *cobra.Command {
	var (
		caseDir string
		o       timelineOptions
	)
	cmd := &cobra.Command{
		Use:   "timeline --case CASEDIR",
		Short: "Print the case's events in time order",
		Long: `Timeline prints events in time order, optionally narrowed to a time range,
hosts, sources (formats) and a query (the same language as "kiseki search").

Formats: table (for people), csv, jsonl (one JSON event per line: the
contract's fields), l2tcsv (plaso's log2timeline CSV) and bodyfile (the Sleuth
Kit's format: "mactime -b FILE" reads it; file system records are folded into
one line per file as fls -m prints them; only file system rows unless --all;
names are HOST:/mount/path when the case has several images).

Times in --from/--to are RFC 3339 or YYYY-MM-DD[ HH:MM[:SS]] in the case zone.`,
		Example: `  kiseki timeline --case case1 --from "2026-03-01" --to "2026-03-02 12:00"
  kiseki timeline --case case1 --host web01 --source access-log --format jsonl
  kiseki timeline --case case1 --format bodyfile > body.txt && mactime -b body.txt`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if caseDir == "" {
				return usageErrorf("--case is required")
			}
			return printTimeline(cmd.Context(), cmd.OutOrStdout(), caseDir, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&caseDir, "case", "", "case directory")
	f.StringVar(&o.from, "from", "", "earliest time (inclusive)")
	f.StringVar(&o.to, "to", "", "latest time (inclusive)")
	f.StringSliceVar(&o.hosts, "host", nil, "only these hosts (repeatable; wildcards allowed)")
	f.StringSliceVar(&o.sources, "source", nil, "only these sources/formats (repeatable)")
	f.StringVar(&o.query, "query", "", "only events matching this query (see kiseki search --help)")
	f.StringVar(&o.format, "format", "table", "output format: "+strings.Join(outputFormats, ", "))
	f.IntVar(&o.limit, "limit", 0, "print at most N events (0: all)")
	f.IntVar(&o.offset, "offset", 0, "skip the first N matching events")
	f.BoolVar(&o.all, "all", false, "bodyfile: add every other event as a row of its own (mactime then shows them with placeholder mode, owner and size)")
	f.StringVar(&o.tz, "tz", "UTC", `display zone: UTC, "case" (the case's zone) or an IANA name`)
	return cmd
}

// openSearcher opens a case for reading.
func openSearcher(caseDir string) (*engine.Case, *search.Searcher, error) {
	c, err := engine.OpenCase(caseDir)
	if err != nil {
		return nil, nil, UsageError{err}
	}
	s, err := search.Open(c.TimelineStore(), c.IndexDir())
	if err != nil {
		return nil, nil, err
	}
	return c, s, nil
}

// buildRequest turns the common flags into a search request.
func buildRequest(c *engine.Case, o timelineOptions) (search.Request, error) {
	loc := c.Location()
	from, to, err := parseTimeRange(o.from, o.to, loc)
	if err != nil {
		return search.Request{}, err
	}
	var parts []string
	if strings.TrimSpace(o.query) != "" {
		parts = append(parts, "("+o.query+")")
	}
	for _, group := range []struct {
		field string
		vals  []string
	}{{"host", o.hosts}, {"source", o.sources}} {
		if len(group.vals) == 0 {
			continue
		}
		var terms []string
		for _, v := range group.vals {
			terms = append(terms, group.field+":"+quoteValue(v))
		}
		parts = append(parts, "("+strings.Join(terms, " OR ")+")")
	}
	req := search.Request{Query: strings.Join(parts, " AND "), From: from, To: to, Limit: o.limit, Offset: o.offset}
	if _, err := search.Parse(req.Query); err != nil {
		return req, UsageError{err}
	}
	return req, nil
}

func quoteValue(v string) string {
	if strings.ContainsAny(v, " ()\"") {
		return `"` + strings.ReplaceAll(v, `"`, `\"`) + `"`
	}
	return v
}

func printTimeline(ctx context.Context, w io.Writer, caseDir string, o timelineOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	c, s, err := openSearcher(caseDir)
	if err != nil {
		return err
	}
	defer s.Close()
	req, err := buildRequest(c, o)
	if err != nil {
		return err
	}
	loc, err := displayZone(o.tz, c.Location())
	if err != nil {
		return err
	}
	ew, err := newEventWriter(o.format, w, loc)
	if err != nil {
		return err
	}
	if bw, ok := ew.(*bodyWriter); ok {
		bw.all = o.all
	}
	err = s.Each(ctx, req, func(row int64, ev *timeline.Event) error { return ew.write(row, ev) })
	if cerr := ew.close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("timeline: %w", err)
	}
	return nil
}
