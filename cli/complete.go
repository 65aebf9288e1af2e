package cli

import (
	"archive/zip"
	"bufio"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kiseki-forensics/kiseki/engine"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/search"
)

// completeValues registers shell completion of flag values on every
// command that has the flag, once all commands are added: output formats,
// time zones, and the hosts and sources of the case named by --case.
// A flag that already has a completion (a command's own) is left alone.
func completeValues(root *cobra.Command) {
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		for name, fn := range flagCompletions(c) {
			if c.Flags().Lookup(name) == nil {
				continue
			}
			if _, ok := c.GetFlagCompletionFunc(name); ok {
				continue
			}
			c.RegisterFlagCompletionFunc(name, fn)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

type completionFunc = func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective)

// flagCompletions gives the completions of c's flags by flag name.
func flagCompletions(c *cobra.Command) map[string]completionFunc {
	m := map[string]completionFunc{
		"tz":     completeZones,
		"host":   fromCase("host"),
		"source": fromCase("source"),
	}
	if c.Name() == "timeline" {
		m["format"] = fixed(outputFormats)
	}
	if c.Name() == "report" {
		m["lang"] = fixed([]string{"en", "ja"})
	}
	return m
}

// completeZones offers UTC, case and the zoneinfo names, read only when a
// shell asks.
func completeZones(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return append([]string{"UTC", "case"}, zoneNames()...), cobra.ShellCompDirectiveNoFileComp
}

func fixed(values []string) completionFunc {
	return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}

// completionTop bounds the values offered from a case: a shell menu of more
// is no help, and the most frequent come first.
const completionTop = 200

// fromCase completes a field's values from the case given by --case; with
// no case open, sources are the registered format names.
func fromCase(field string) completionFunc {
	return func(cmd *cobra.Command, _ []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		var out []string
		if dir, _ := cmd.Flags().GetString("case"); dir != "" {
			out = caseValues(cmd.Context(), dir, field)
		}
		if out == nil && field == "source" {
			for _, f := range parsers.Formats() {
				out = append(out, f.Name)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// caseValues lists the values of field in a case's timeline, most frequent
// first; nil when the case cannot be read (completion never fails loudly).
func caseValues(ctx context.Context, dir, field string) []string {
	c, err := engine.OpenCase(dir)
	if err != nil {
		return nil
	}
	s, err := search.Open(c.TimelineStore(), c.IndexDir())
	if err != nil {
		return nil
	}
	defer s.Close()
	if ctx == nil {
		ctx = context.Background()
	}
	facets, err := s.Facets(ctx, search.Request{}, []string{field}, completionTop)
	if err != nil {
		return nil
	}
	var out []string
	for _, v := range facets[field] {
		if v.Value != "" {
			out = append(out, v.Value)
		}
	}
	return out
}

// zoneNames lists the IANA zone names of the zoneinfo database: the system's
// (tzdata.zi, as Debian and macOS ship it), else the zip that $ZONEINFO
// names (Go's own variable for time.LoadLocation). Go has no API that lists
// zones; on a machine with neither (Windows) only UTC and case are offered,
// and any IANA name is still accepted.
func zoneNames() []string {
	if names := tzdataZones(filepath.Join(zoneinfoDir, "tzdata.zi")); len(names) > 0 {
		return names
	}
	if z := os.Getenv("ZONEINFO"); z != "" {
		return zipZones(z)
	}
	return nil
}

// zoneinfoDir is where Unix systems keep the zoneinfo database.
const zoneinfoDir = "/usr/share/zoneinfo"

// tzdataZones reads the zone ("Z NAME ...") and link ("L TARGET NAME")
// lines of a tzdata.zi file.
func tzdataZones(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var names []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		switch {
		case len(fields) >= 2 && fields[0] == "Z":
			names = append(names, fields[1])
		case len(fields) >= 3 && fields[0] == "L":
			names = append(names, fields[2])
		}
	}
	sort.Strings(names)
	return names
}

func zipZones(path string) []string {
	z, err := zip.OpenReader(path)
	if err != nil {
		return nil
	}
	defer z.Close()
	var names []string
	for _, f := range z.File {
		if !strings.HasSuffix(f.Name, "/") {
			names = append(names, f.Name)
		}
	}
	sort.Strings(names)
	return names
}
