package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kiseki-forensics/kiseki/search/stats"
)

func init() { register(newStatsCmd) }

type statsOptions struct {
	by, proto, host, from, to string
	top                       int
	json, csv                 bool
	png, svg, geoip           string
}

func newStatsCmd() *cobra.Command {
	var (
		caseDir string
		o       statsOptions
	)
	cmd := &cobra.Command{
		Use:   "stats --case CASEDIR",
		Short: "Count the firewalls' denied packets per hour: by port, source block, country or sensor",
		Long: `Stats counts the deny records of the case's firewall sensors (Cisco ASA/IOS,
Juniper, iptables/UFW/nftables, pfSense/OPNsense, FortiGate, MikroTik, Palo
Alto, CEF) per hour (UTC) and sensor, as scan statistics are published:

  --by port     per protocol and destination port (ICMP: per type), with the
                number of distinct sources (the default)
  --by src24    per source block: /24 for IPv4, /48 for IPv6
  --by country  per source country, from a MaxMind-format database you give
                with --geoip FILE.mmdb (GeoLite2-Country, for one)
  --by sensor   per sensor, with the number of distinct sources

--top N keeps the N ports, blocks, countries or sensors with the most denials
over the whole range. --png FILE and --svg FILE draw the hourly stacked bars
of the top ports (--by port; the top 10 unless --top says otherwise).
Counts are exact. Times in --from/--to are as for "kiseki timeline".`,
		Example: `  kiseki stats --case case1 --top 10
  kiseki stats --case case1 --by src24 --host fw01 --json
  kiseki stats --case case1 --by country --geoip GeoLite2-Country.mmdb --csv
  kiseki stats --case case1 --proto icmp --from 2026-03-01 --to 2026-03-02
  kiseki stats --case case1 --svg ports.svg`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if caseDir == "" {
				return usageErrorf("--case is required")
			}
			return runStats(cmd, caseDir, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&caseDir, "case", "", "case directory")
	f.StringVar(&o.by, "by", stats.ByPort, "count by: "+strings.Join(stats.Views, ", "))
	f.StringVar(&o.proto, "proto", "", "only this protocol: tcp, udp or icmp")
	f.StringVar(&o.host, "host", "", "only this sensor (host name; wildcards allowed)")
	f.StringVar(&o.from, "from", "", "earliest time (inclusive)")
	f.StringVar(&o.to, "to", "", "latest time (inclusive)")
	f.IntVar(&o.top, "top", 0, "keep the N keys with most denials (0: all)")
	f.BoolVar(&o.json, "json", false, "print JSON")
	f.BoolVar(&o.csv, "csv", false, "print CSV")
	f.StringVar(&o.png, "png", "", "draw the top ports' hourly bars into this PNG file")
	f.StringVar(&o.svg, "svg", "", "draw the top ports' hourly bars into this SVG file")
	f.StringVar(&o.geoip, "geoip", "", "MaxMind-format database (.mmdb) for --by country")
	return cmd
}

func runStats(cmd *cobra.Command, caseDir string, o statsOptions) error {
	outputs := 0
	for _, set := range []bool{o.json, o.csv, o.png != "", o.svg != ""} {
		if set {
			outputs++
		}
	}
	switch {
	case outputs > 1:
		return usageErrorf("stats: give one of --json, --csv, --png, --svg")
	case (o.png != "" || o.svg != "") && o.by != stats.ByPort:
		return usageErrorf("stats: charts show the ports (--by port), not --by %s", o.by)
	case o.by == stats.ByCountry && o.geoip == "":
		return UsageError{stats.ErrNoGeoIP}
	case o.top < 0:
		return usageErrorf("stats: --top must not be negative")
	}
	c, s, err := openSearcher(caseDir)
	if err != nil {
		return err
	}
	defer s.Close()
	loc := c.Location()
	opts := stats.Options{By: o.by, Proto: o.proto, Host: o.host, Top: o.top}
	if opts.From, opts.To, err = parseTimeRange(o.from, o.to, loc); err != nil {
		return err
	}
	if o.geoip != "" {
		g, err := stats.OpenGeoIP(o.geoip)
		if err != nil {
			return UsageError{err}
		}
		defer g.Close()
		opts.GeoIP = g
	}
	chart := o.png != "" || o.svg != ""
	if chart {
		opts.Top = 0 // the chart stacks the rest as "other"
	}
	res, err := stats.Compute(cmd.Context(), s, opts)
	if err != nil {
		if errors.Is(err, stats.ErrOption) || errors.Is(err, stats.ErrNoGeoIP) {
			return UsageError{err}
		}
		return err
	}
	w := cmd.OutOrStdout()
	switch {
	case chart:
		return writeChart(res, o)
	case o.json:
		b, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	case o.csv:
		return res.WriteCSV(w)
	}
	return writeStatsTable(w, res)
}

func writeChart(res *stats.Result, o statsOptions) error {
	ch, err := stats.NewChart(res, o.top)
	if err != nil {
		return UsageError{err}
	}
	path, draw := o.svg, ch.SVG
	if o.png != "" {
		path, draw = o.png, ch.PNG
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := draw(f); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}

func writeStatsTable(w io.Writer, res *stats.Result) error {
	bw := bufio.NewWriter(w)
	tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.ToUpper(strings.Join(res.Header(), "\t")))
	for i := range res.Rows {
		rec := res.Record(i)
		for k := range rec {
			rec[k] = sanitize(rec[k])
		}
		fmt.Fprintln(tw, strings.Join(rec, "\t"))
	}
	if len(res.Rows) == 0 {
		fmt.Fprintln(tw, "(no denied packets or connections)")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return bw.Flush()
}
