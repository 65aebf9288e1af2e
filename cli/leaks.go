package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kiseki-forensics/kiseki/search/leaks"
	"github.com/kiseki-forensics/kiseki/search/scope"
	"github.com/kiseki-forensics/kiseki/search/vocab"
)

func init() { register(newLeaksCmd) }

func newLeaksCmd() *cobra.Command {
	var (
		caseDir    string
		actors     []string
		scopeIOCs  []string
		o          leaks.Options
		from, to   string
		asJSON     bool
		list       string
		sourcesPII []string
	)
	cmd := &cobra.Command{
		Use:   "leaks --case CASEDIR [selectors]",
		Short: "How many distinct records left, with the evidence for the count",
		Long: `Leaks counts what left, three ways:

  attacker mode  requests from --actor addresses (or from the inbound addresses
                 of a scope: --actors-from-scope IOC) to --endpoint with --status,
                 counting --distinct values, e.g. customer ids enumerated
                 through an API (--distinct param:id)
  window mode    requests to --endpoint with --status during --from/--to, or
                 while a file was altered (--window-from-file HOST:PATH: from the
                 file's modification to its next change on the disk image),
                 e.g. every card payment sent while the payment page was skimmed
  content mode   --pii: distinct e-mail addresses, card numbers (Luhn-valid, in
                 a known issuer range) and phone numbers in memory artifacts and
                 event text, masked unless --reveal

--distinct: param:NAME (a URL parameter), path:N (the N-th path segment), ip
(client address), session (session cookie, else address + user agent); none
counts requests. A request logged by the CDN and the origin counts once; when
the two logs disagree the output says so and counts from the one with more.
--list FILE.csv writes every counted value with its references.`,
		Example: `  kiseki leaks --case case1 --actor 203.0.113.66 --endpoint 'GET /api/customers*' --status 2xx --distinct param:id
  kiseki leaks --case case1 --window-from-file web01:/var/www/shop/js/checkout.js --endpoint 'POST /checkout/pay*' --status 2xx --distinct param:order
  kiseki leaks --case case1 --pii --list annex.csv`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if caseDir == "" {
				return usageErrorf("--case is required")
			}
			if o.PII && (o.Endpoint != "" || o.Distinct != "" || o.Status != "") {
				return usageErrorf("--pii counts personal data in content; --endpoint, --status and --distinct select requests: use one or the other")
			}
			for _, a := range actors {
				p, err := parseActor(a)
				if err != nil {
					return err
				}
				o.Actors = append(o.Actors, p)
			}
			o.Sources = sourcesPII
			c, s, err := openSearcher(caseDir)
			if err != nil {
				return err
			}
			defer s.Close()
			if o.From, o.To, err = parseTimeRange(from, to, c.Location()); err != nil {
				return err
			}
			env, err := vocab.LoadEnv(c, s)
			if err != nil {
				return err
			}
			if len(scopeIOCs) > 0 {
				seeds, err := scope.ParseSeeds(scopeIOCs)
				if err != nil {
					return UsageError{err}
				}
				sr, err := scope.Run(cmd.Context(), env, seeds, scope.Options{})
				if err != nil {
					return err
				}
				for _, r := range sr.RemoteAddresses {
					if r.Direction == "inbound" {
						a := netip.MustParseAddr(r.Address)
						o.Actors = append(o.Actors, netip.PrefixFrom(a, a.BitLen()))
					}
				}
				if len(o.Actors) == 0 {
					return fmt.Errorf("the scope of %s has no inbound addresses to count", strings.Join(scopeIOCs, ", "))
				}
			}
			if !o.PII && o.Endpoint == "" && o.Distinct == "" && len(o.Actors) == 0 && o.WindowFile == "" && o.From == 0 && o.To == 0 {
				return usageErrorf("say what to count: --actor, --endpoint, --window-from-file, --from/--to or --pii")
			}
			res, err := leaks.Run(cmd.Context(), env, o)
			if err != nil {
				if strings.HasPrefix(err.Error(), "--") {
					return UsageError{err}
				}
				return err
			}
			if list != "" {
				f, err := os.Create(list)
				if err != nil {
					return err
				}
				if err := leaks.WriteCSV(f, res, o.Reveal); err != nil {
					f.Close()
					return err
				}
				if err := f.Close(); err != nil {
					return err
				}
			}
			auditArgs := os.Args
			if err := c.Audit("leaks", auditArgs, map[string]any{"records": res.Records, "method": res.Method, "window": res.Window, "list": list}, nil); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if !o.PII {
					res.ByKind = nil
				}
				return enc.Encode(res)
			}
			printLeaks(out, res, list)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&caseDir, "case", "", "case directory")
	f.StringArrayVar(&actors, "actor", nil, "client address or CIDR block (repeatable)")
	f.StringArrayVar(&scopeIOCs, "actors-from-scope", nil, "take the actors from the inbound addresses of the scope of this indicator (repeatable)")
	f.StringVar(&o.Endpoint, "endpoint", "", "'METHOD /path*' or '/path*'")
	f.StringVar(&o.Status, "status", "", "status or class: 200, 2xx, 200..299")
	f.StringVar(&o.Distinct, "distinct", "", "param:NAME, path:N, ip or session (none: count requests)")
	f.StringVar(&from, "from", "", "window start (inclusive)")
	f.StringVar(&to, "to", "", "window end (inclusive)")
	f.StringVar(&o.WindowFile, "window-from-file", "", "HOST:PATH: window from the file's modification to its restoration")
	f.BoolVar(&o.PII, "pii", false, "count personal data (e-mail, card, phone) in memory artifacts and event text")
	f.StringSliceVar(&sourcesPII, "source", nil, "with --pii: only these event sources (memory: only the artifacts)")
	f.BoolVar(&o.Reveal, "reveal", false, "print personal data unmasked")
	f.BoolVar(&asJSON, "json", false, "print the contract JSON")
	f.StringVar(&list, "list", "", "write every counted value with its references to this CSV file")
	return cmd
}

func parseActor(v string) (netip.Prefix, error) {
	if strings.Contains(v, "/") {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return p, usageErrorf("--actor %q: %v", v, err)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return netip.Prefix{}, usageErrorf("--actor %q: want an address or a CIDR block", v)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func printLeaks(w io.Writer, res *leaks.Result, list string) {
	fmt.Fprintf(w, "Records:     %d\n", res.Records)
	fmt.Fprintf(w, "Counted:     %s\n", res.DistinctBy)
	fmt.Fprintf(w, "Window:      %s .. %s\n", orDash(res.Window.First), orDash(res.Window.Last))
	if len(res.ByKind) > 0 {
		fmt.Fprintf(w, "By kind:     e-mail %d, card %d, phone %d\n", res.ByKind["email"], res.ByKind["card"], res.ByKind["phone"])
	}
	if len(res.BySource) > 0 {
		fmt.Fprintf(w, "By log:      CDN %d, origin %d (%s)\n", res.BySource["cdn"], res.BySource["origin"], res.Agreement)
	}
	sample := make([]string, len(res.Sample))
	for i, s := range res.Sample {
		sample[i] = sanitize(s)
	}
	fmt.Fprintf(w, "Sample:      %s\n", orDash(strings.Join(sample, ", ")))
	fmt.Fprintf(w, "Method:      %s\n", sanitize(res.Method))
	fmt.Fprintln(w, "Evidence:")
	for _, r := range res.Refs {
		fmt.Fprintf(w, "  %s\n", sanitize(r.String()))
	}
	if list != "" {
		fmt.Fprintf(w, "Every counted value with its references: %s\n", list)
	}
}
