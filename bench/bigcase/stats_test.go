package main

import (
	"context"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/search/stats"
)

// The big case's firewall: the 60 connections denied during the scan from
// the web server (gen.go), and the background of permitted connections.
const (
	scanDenied  = 60
	firewallSrc = "source:cisco-asa"
)

// TestBigcaseStats: the deny statistics find the scan, all of it, in its
// hour.
func TestBigcaseStats(t *testing.T) {
	_, env := open(t)
	res, err := stats.Compute(context.Background(), env.Searcher, stats.Options{By: stats.BySensor})
	if err != nil {
		t.Fatal(err)
	}
	hour := Start.Add(attackAt + 20*time.Minute).Truncate(time.Hour)
	if len(res.Rows) != 1 || res.Rows[0].Count != scanDenied || !res.Rows[0].Hour.Equal(hour) || res.Rows[0].Sources != 1 {
		t.Errorf("stats by sensor: %+v, want %d denials from 1 source at %s", res.Rows, scanDenied, hour)
	}
}

// BenchmarkStats: kiseki stats --by port (the deny records), and the same
// view over every firewall record of the case (about 15% of its events),
// which is the cost when a case's firewall logs are mostly denials.
func BenchmarkStats(b *testing.B) {
	_, env := open(b)
	for _, c := range []struct{ name, query string }{{"deny", ""}, {"all-firewall", firewallSrc}} {
		b.Run(c.name, func(b *testing.B) {
			measure(b, env, func() {
				if _, err := stats.Compute(context.Background(), env.Searcher, stats.Options{By: stats.ByPort, Query: c.query}); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}
