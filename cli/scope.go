package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kiseki-forensics/kiseki/search/scope"
	"github.com/kiseki-forensics/kiseki/search/vocab"
	"github.com/kiseki-forensics/kiseki/timeline"
)

func init() { register(newScopeCmd) }

func newScopeCmd() *cobra.Command {
	var (
		caseDir  string
		iocs     []string
		depth    int
		from, to string
		asJSON   bool
		explain  bool
		refs     int
	)
	cmd := &cobra.Command{
		Use:   "scope --case CASEDIR --ioc VALUE...",
		Short: "What the indicators touched: hosts, accounts, files, addresses, lateral movement, window",
		Long: `Scope starts from indicators of compromise and expands, round by round (--depth,
default 2), to what the intruder did, and lists separately what only looks like
it ("seen, not in scope", each with its rule and reason).

A host is compromised at the intruder's first successful action on it: an
upload whose file is then requested, a request of a file created after the
intrusion began, or a login from a seed or a compromised host whose
source/user/method the host's baseline (what it did before the first seed
activity) lacks. Never a GET of a public page, never a baseline login.
After the compromise only what is new against the baseline enters scope:
new outbound destinations (C2, exfiltration), new internal connections,
logins and scans (lateral movement), and the file changes tied to the
intruder (their uploads, their web shell's commands, their sessions).
Resolvers, time servers, mirrors, payment providers, ident replies,
scanners, brute force, deployments and other clients' uploads are seen,
not in scope; clients that fetched a file the intruder modified are counted
as affected clients (victims). The window runs from the intruder's first to
last action, never from a time contradicted by timestomp evidence.
Tampering: requests the CDN logged but the origin's own log lacks,
timestomped files, and log gaps where the log's other days had lines at the
same hours.

Indicators: an IP address, a CIDR block, a domain, a URL, a file or URL path
(starting with /), or a user name; force a kind with ip:, cidr:, domain:,
user:, file:, url:. Host addresses come from bundle.yaml's top-level "hosts:"
map, which CDN fronts which origin from the CDN item's "origin:" option.
--explain prints the rule and reason of every row and how each seed was
found (seed -> evidence row -> new seed); the JSON always carries them
("rule", "why", "pivots").

Every row carries references to its evidence (the first --refs, all counted).`,
		Example: `  kiseki scope --case case1 --ioc 203.0.113.66
  kiseki scope --case case1 --ioc 203.0.113.66 --ioc /uploads/.cache/img.php --depth 3 --json`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if caseDir == "" {
				return usageErrorf("--case is required")
			}
			if len(iocs) == 0 {
				return usageErrorf("at least one --ioc is required")
			}
			if depth < 1 || depth > 10 {
				return usageErrorf("--depth %d: want 1 to 10", depth)
			}
			seeds, err := scope.ParseSeeds(iocs)
			if err != nil {
				return UsageError{err}
			}
			c, s, err := openSearcher(caseDir)
			if err != nil {
				return err
			}
			defer s.Close()
			opt := scope.Options{Depth: depth, RefCap: refs}
			if opt.From, opt.To, err = parseTimeRange(from, to, c.Location()); err != nil {
				return err
			}
			env, err := vocab.LoadEnv(c, s)
			if err != nil {
				return err
			}
			res, err := scope.Run(cmd.Context(), env, seeds, opt)
			if err != nil {
				return err
			}
			if err := c.Audit("scope", append([]string{"--depth", fmt.Sprint(depth)}, iocs...), map[string]any{
				"window": res.Window, "hosts": len(res.Hosts), "accounts": len(res.Accounts), "files": len(res.Files),
				"remote_addresses": len(res.RemoteAddresses), "lateral": len(res.Lateral), "tampering": len(res.Tampering),
				"seen_not_in_scope": len(res.SeenNotInScope), "affected_clients": res.AffectedClients.Count}, nil); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			printScope(out, res, explain)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&caseDir, "case", "", "case directory")
	f.StringArrayVar(&iocs, "ioc", nil, "indicator (repeatable): address, CIDR, domain, URL, path, user")
	f.IntVar(&depth, "depth", 2, "expansion rounds")
	f.StringVar(&from, "from", "", "earliest time considered (inclusive)")
	f.StringVar(&to, "to", "", "latest time considered (inclusive)")
	f.BoolVar(&asJSON, "json", false, "print the contract JSON")
	f.BoolVar(&explain, "explain", false, "print every row's rule and reason, and the pivot chain")
	f.IntVar(&refs, "refs", 20, "references kept per row (every event is counted)")
	return cmd
}

func firstRef(refs []timeline.Ref) string {
	if len(refs) == 0 {
		return "-"
	}
	s := refs[0].String()
	if len(refs) > 1 {
		s += fmt.Sprintf(" (+%d)", len(refs)-1)
	}
	return sanitize(s)
}

func printScope(w io.Writer, res *scope.Result, explain bool) {
	fmt.Fprintf(w, "Scope of %s (depth %d)\n", strings.Join(res.Seeds, ", "), res.Depth)
	fmt.Fprintf(w, "Window: %s .. %s\n", orDash(res.Window.First), orDash(res.Window.Last))
	if explain && res.Window.First != "" {
		fmt.Fprintf(w, "  first: %s\n  last:  %s\n", sanitize(res.Window.FirstWhy), sanitize(res.Window.LastWhy))
	}
	for _, n := range res.Notes {
		fmt.Fprintf(w, "Note: %s\n", n)
	}
	section := func(title string, n int, header string, rows func(tw *tabwriter.Writer)) {
		fmt.Fprintf(w, "\n%s (%d)\n", title, n)
		if n == 0 {
			return
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, header)
		rows(tw)
		tw.Flush()
	}
	// why prints a row's reason under it with --explain.
	why := func(tw *tabwriter.Writer, rule, text string) {
		if explain && text != "" {
			fmt.Fprintf(tw, "  \u2514 %s: %s\n", rule, sanitize(text))
		}
	}
	section("Hosts", len(res.Hosts), "HOST\tCOMPROMISED\tRULE\tFIRST\tLAST\tEVENTS\tREF", func(tw *tabwriter.Writer) {
		for _, h := range res.Hosts {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", sanitize(h.Name), orDash(h.Compromised), orDash(h.Rule), h.FirstSeen, h.LastSeen, h.Events, firstRef(h.Refs))
			why(tw, h.Rule, h.Why)
		}
	})
	section("Accounts", len(res.Accounts), "ACCOUNT\tHOST\tRULE\tFIRST\tLAST\tEVENTS\tREF", func(tw *tabwriter.Writer) {
		for _, a := range res.Accounts {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", sanitize(a.Name), sanitize(a.Host), a.Rule, a.FirstSeen, a.LastSeen, a.Events, firstRef(a.Refs))
			why(tw, a.Rule, a.Why)
		}
	})
	section("Files", len(res.Files), "HOST\tPATH\tURL\tACTIONS\tRULE\tFIRST\tREF", func(tw *tabwriter.Writer) {
		for _, f := range res.Files {
			p := f.Path
			if f.Directory {
				p += "/"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", sanitize(f.Host), sanitize(p), orDash(sanitize(f.URL)), strings.Join(f.Actions, ","), f.Rule, f.FirstSeen, firstRef(f.Refs))
			why(tw, f.Rule, f.Why)
		}
	})
	section("Remote addresses", len(res.RemoteAddresses), "ADDRESS\tDIRECTION\tRULE\tFIRST\tLAST\tEVENTS\tWHY\tREF", func(tw *tabwriter.Writer) {
		for _, r := range res.RemoteAddresses {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", r.Address, r.Direction, r.Rule, r.FirstSeen, r.LastSeen, r.Events, sanitize(r.Why), firstRef(r.Refs))
		}
	})
	section("Lateral movement", len(res.Lateral), "KIND\tFROM\tTO\tUSER\tPORTS\tFIRST\tEVENTS\tREF", func(tw *tabwriter.Writer) {
		for _, l := range res.Lateral {
			ports := make([]string, len(l.Ports))
			for k, p := range l.Ports {
				ports[k] = fmt.Sprint(p)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", l.Kind, sanitize(l.From), sanitize(l.To), orDash(sanitize(l.User)), orDash(strings.Join(ports, ",")), l.FirstSeen, l.Events, firstRef(l.Refs))
			why(tw, l.Rule, l.Why)
		}
	})
	section("Tampering", len(res.Tampering), "KIND\tHOST\tFIRST\tLAST\tDETAIL\tREF", func(tw *tabwriter.Writer) {
		for _, t := range res.Tampering {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.Kind, sanitize(t.Host), t.FirstSeen, t.LastSeen, sanitize(t.Detail), firstRef(t.Refs))
		}
	})
	if a := res.AffectedClients; a.Count > 0 {
		fmt.Fprintf(w, "\nAffected clients: %d fetched %s while it was modified (%s .. %s)\n", a.Count, sanitize(strings.Join(a.Files, ", ")), a.From, a.To)
	}
	section("Seen, not in scope", len(res.SeenNotInScope), "RULE\tKIND\tVALUE\tHOST\tFIRST\tEVENTS\tWHY", func(tw *tabwriter.Writer) {
		for _, r := range res.SeenNotInScope {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", r.Rule, r.Kind, sanitize(r.Value), orDash(sanitize(r.Host)), r.FirstSeen, r.Events, sanitize(r.Why))
		}
	})
	learned := 0
	for _, id := range res.HostIdentity {
		if id.Source != vocab.IdentityManifest {
			learned++
		}
	}
	if learned > 0 || explain {
		section("Host identity", len(res.HostIdentity), "HOST\tADDRESS\tSOURCE\tREF\tCONFLICT", func(tw *tabwriter.Writer) {
			for _, id := range res.HostIdentity {
				ref := "-"
				if id.Ref != nil {
					ref = sanitize(id.Ref.String())
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", sanitize(id.Host), id.Address, id.Source, ref, orDash(sanitize(id.Conflict)))
			}
		})
	}
	section("Memory artifacts", len(res.Artifacts), "KIND\tVALUE\tSEED\tCOUNT\tREF", func(tw *tabwriter.Writer) {
		for _, a := range res.Artifacts {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", a.Kind, sanitize(a.Value), sanitize(a.Seed), a.Count, firstRef(a.Refs))
		}
	})
	if explain {
		printPivots(w, res.Pivots)
	}
}

// printPivots prints how each seed entered the scope: the chain from an
// indicator through the rows that found the next seeds.
func printPivots(w io.Writer, pivots []scope.Pivot) {
	fmt.Fprintf(w, "\nPivot chain (%d seeds)\n", len(pivots))
	for _, p := range pivots {
		ref := ""
		if p.Ref != nil {
			ref = " [" + sanitize(p.Ref.String()) + "]"
		}
		from := ""
		if p.From != "" {
			from = sanitize(p.From) + " \u2192 "
		}
		fmt.Fprintf(w, "  round %d: %s%s  (%s: %s)%s\n", p.Round, from, sanitize(p.Seed), p.Rule, sanitize(p.Why), ref)
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
