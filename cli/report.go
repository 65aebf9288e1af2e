package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kiseki-forensics/kiseki/report"
)

func init() { register(newReportCmd) }

func newReportCmd() *cobra.Command {
	var (
		caseDir, out, lang, tz string
		o                      report.Options
		actors                 []string
		from, to               string
		leaksFile, paper       string
	)
	cmd := &cobra.Command{
		Use:   "report --case CASEDIR --out FILE [--lang en|ja]",
		Short: "Write the investigation report (HTML, Markdown, PDF, JSON, IODEF, STIX)",
		Long: `Report writes the investigation report of a case. The format follows the file
name: .html (self-contained: inline CSS and SVG, no scripts), .md, .pdf (printed
by headless Chromium), .json, .iodef.xml (IODEF 2.0, RFC 7970) or .stix.json
(a STIX 2.1 bundle). HTML, Markdown and PDF get FILE.annex.csv beside them:
every counted record with its evidence references.

The scope starts from --ioc (repeatable); without it, from the source
addresses of the events starred in the web timeline. The leak count takes the
selectors of "kiseki leaks"; without any, it counts the successful (2xx)
requests of the scope's inbound addresses. --leaks FILE.yaml makes several
counts, each with its name, the kinds of personal data it concerns and its
method:

  leaks:
    - name: customer records enumerated through the API
      data: [name, e-mail address]
      actors-from-scope: true
      endpoint: GET /api/customers*
      status: 2xx
      distinct: param:id
    - name: payments sent while checkout.js was altered
      data: [payment card number]
      window-from-file: web01:/var/www/shop/js/checkout.js
      endpoint: POST /checkout/pay*
      status: 2xx
      distinct: param:order

(keys: the flags of kiseki leaks by name, plus name, data and
actors-from-scope). Every number is listed with the kiseki command that
answers it. Evidence is re-hashed for the report. The table of changes
gets a new version only when the report's content changed since the last
report (the same evidence, scope and counts keep their version).`,
		Example: `  kiseki report --case case1 --out report.html
  kiseki report --case case1 --out report.pdf --lang ja --ioc 203.0.113.66
  kiseki report --case case1 --out incident.iodef.xml`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if caseDir == "" || out == "" {
				return usageErrorf("--case and --out are required")
			}
			if lang != "en" && lang != "ja" {
				return usageErrorf("--lang %q: want en or ja", lang)
			}
			ok := false
			for _, f := range report.Formats {
				if strings.HasSuffix(strings.ToLower(out), f) {
					ok = true
				}
			}
			if !ok {
				return usageErrorf("--out %s: the name must end in one of %s", out, strings.Join(report.Formats, " "))
			}
			c, s, err := openSearcher(caseDir)
			if err != nil {
				return err
			}
			defer s.Close()
			if err := c.CheckOutput(out); err != nil {
				return err
			}
			if o.Zone, err = displayZone(tz, c.Location()); err != nil {
				return err
			}
			for _, a := range actors {
				p, err := parseActor(a)
				if err != nil {
					return err
				}
				o.Leak.Actors = append(o.Leak.Actors, p)
				o.LeakArgs = append(o.LeakArgs, "--actor", a)
			}
			if o.Leak.From, o.Leak.To, err = parseTimeRange(from, to, c.Location()); err != nil {
				return err
			}
			for _, kv := range [][2]string{{"--endpoint", o.Leak.Endpoint}, {"--status", o.Leak.Status}, {"--distinct", o.Leak.Distinct}, {"--from", from}, {"--to", to}, {"--window-from-file", o.Leak.WindowFile}} {
				if kv[1] != "" {
					o.LeakArgs = append(o.LeakArgs, kv[0], kv[1])
				}
			}
			if o.Leak.PII {
				o.LeakArgs = append(o.LeakArgs, "--pii")
			}
			if leaksFile != "" {
				if o.LeakSets, err = loadLeakSets(leaksFile, c.Location()); err != nil {
					return err
				}
			}
			if paper != "a4" && paper != "letter" {
				return usageErrorf("--paper %q: want a4 or letter", paper)
			}
			o.Lang, o.Paper = lang, paper
			r, err := report.Build(cmd.Context(), c, s, o)
			if err != nil {
				return err
			}
			if err := r.Write(cmd.Context(), out); err != nil {
				return err
			}
			if err := c.Audit("report", []string{out, "--lang", lang}, r.AuditResult(), nil); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (version %d)\n", out, r.Version)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&caseDir, "case", "", "case directory")
	f.StringVar(&out, "out", "", "report file; the format follows the name ("+strings.Join(report.Formats, " ")+")")
	f.StringVar(&lang, "lang", "en", "label language: en or ja")
	f.StringVar(&tz, "tz", "case", `display zone: UTC, "case" or an IANA name`)
	f.StringArrayVar(&o.IOCs, "ioc", nil, "indicator the scope starts from (repeatable)")
	f.StringArrayVar(&actors, "actor", nil, "leak count: client address or CIDR block (repeatable)")
	f.StringVar(&o.Leak.Endpoint, "endpoint", "", "leak count: 'METHOD /path*'")
	f.StringVar(&o.Leak.Status, "status", "", "leak count: status or class")
	f.StringVar(&o.Leak.Distinct, "distinct", "", "leak count: param:NAME, path:N, ip or session")
	f.StringVar(&from, "from", "", "leak count: window start")
	f.StringVar(&to, "to", "", "leak count: window end")
	f.StringVar(&o.Leak.WindowFile, "window-from-file", "", "leak count: HOST:PATH window")
	f.BoolVar(&o.Leak.PII, "pii", false, "leak count: personal data in content")
	f.StringVar(&leaksFile, "leaks", "", "several leak counts: a YAML file listing selector sets (see kiseki help report)")
	f.StringVar(&o.Discovered, "discovered", "", "when and how the incident was discovered (summary)")
	f.StringVar(&o.Description, "description", "", "what happened, in the writer's words (summary)")
	f.StringVar(&o.Reporter, "reporter", "", "the reporting organisation")
	f.StringVar(&paper, "paper", "a4", "PDF paper: a4 or letter")
	return cmd
}
