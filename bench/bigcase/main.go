// Command bigcase builds a large synthetic case for the scope, leak-count
// and search benchmarks: N events (default 10 million) over a week across a
// CDN and its origin, a firewall, auth logs, syslog and a web server's file
// system, with the webshop breach of fixtures/webshop played inside it at
// scale (an attacker enumerating 5000 customer ids, a web shell, a C2
// channel, a scan, an SSH login to the database server, a skimmed payment
// script). Events go straight into the timeline's run writer (no parsing),
// then the timeline is merged and the full-text index built, with timings.
//
//	go run ./bench/bigcase -events 10000000 -case /tmp/bigcase
//	KISEKI_BIGCASE=/tmp/bigcase go test ./bench/bigcase -bench . -benchtime 3x
//
// The output is deterministic for a given -seed.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	n := flag.Int("events", 10_000_000, "number of events")
	dir := flag.String("case", "bigcase", "case directory to create (must not exist)")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if _, err := os.Stat(*dir); err == nil {
		fmt.Fprintf(os.Stderr, "bigcase: %s exists\n", *dir)
		os.Exit(2)
	}
	st, err := Build(context.Background(), *dir, *n, *seed)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bigcase:", err)
		os.Exit(1)
	}
	fmt.Printf("bigcase: %d events in %s\n", st.Events, *dir)
	fmt.Printf("  generate+runs %v, merge %v, index %v (%.0f events/s, %d distinct text values)\n",
		st.Generate.Round(time.Millisecond), st.Merge.Round(time.Millisecond), st.Index.Round(time.Millisecond),
		float64(st.Events)/st.Index.Seconds(), st.Distinct)
}
