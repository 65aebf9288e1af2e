package cli

import (
	"fmt"
	"net"

	"github.com/spf13/cobra"

	"github.com/kiseki-forensics/kiseki/server"
)

func init() { register(newServeCmd) }

func newServeCmd() *cobra.Command {
	var (
		caseDir, addr string
		cacheSegs     int
	)
	cmd := &cobra.Command{
		Use:   "serve --case CASEDIR [--addr 127.0.0.1:8080]",
		Short: "Serve the web timeline and the HTTP JSON API of a case",
		Long: `Serve opens a case and serves the web timeline (search, histogram, facets,
event detail, annotations) and the JSON API under /api/v1 on one address.

It listens on loopback by default. Binding any other address requires a token:
one is generated, printed once, and checked on every request (open the printed
address, or send "Authorization: Bearer TOKEN"). Evidence is never written;
annotations go to CASEDIR/annotations.jsonl and the audit log.`,
		Example: `  kiseki serve --case case1
  kiseki serve --case case1 --addr 0.0.0.0:8443`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if caseDir == "" {
				return usageErrorf("--case is required")
			}
			needToken, err := server.NeedsToken(addr)
			if err != nil {
				return usageErrorf("--addr: %v", err)
			}
			c, s, err := openSearcher(caseDir)
			if err != nil {
				return err
			}
			opt := server.Options{Addr: addr, CacheSegments: cacheSegs}
			if needToken {
				opt.Token = server.NewToken()
			}
			srv, err := server.New(c, s, opt) // the server owns s from here
			if err != nil {
				return err
			}
			defer srv.Close()
			l, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			url := "http://" + l.Addr().String() + "/"
			if needToken {
				url += "?token=" + opt.Token
				fmt.Fprintf(cmd.OutOrStdout(), "Serving %s on a non-loopback address; the token is shown once:\n", c.Meta.Name)
			} else {
				fmt.Fprintf(cmd.OutOrStdout(), "Serving %s\n", c.Meta.Name)
			}
			fmt.Fprintln(cmd.OutOrStdout(), url)
			if err := c.Audit("serve", []string{addr}, map[string]bool{"token": needToken}, nil); err != nil {
				return err
			}
			return srv.ListenAndServe(l)
		},
	}
	cmd.Flags().StringVar(&caseDir, "case", "", "case directory")
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "listen address (non-loopback requires the printed token)")
	cmd.Flags().IntVar(&cacheSegs, "cache-segments", 8, "timeline segments (2^18 events each) kept loaded between requests")
	return cmd
}
