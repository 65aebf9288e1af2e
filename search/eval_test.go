package search_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/search/internal/testcase"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// TestEvaluatorAgainstBruteForce checks the column evaluator (dictionary
// scans, ORs merged per column, ANDs narrowed by the rows still in, empty
// values) against the same predicates applied to each event.
func TestEvaluatorAgainstBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	hosts := []string{"web01", "db01", "fw01", ""}
	sources := []string{"cloudfront", "access-log", "cisco-asa", "auth"}
	var evs []timeline.Event
	for i := range 3000 {
		ev := testcase.Ev(int64(i)*1e9, hosts[r.IntN(len(hosts))], sources[r.IntN(len(sources))])
		if r.IntN(3) > 0 {
			ev.SrcIP = fmt.Sprintf("10.0.%d.%d", r.IntN(2), r.IntN(4))
		}
		if r.IntN(2) == 0 {
			ev.DstIP = fmt.Sprintf("192.0.2.%d", r.IntN(3))
		}
		if r.IntN(4) == 0 {
			ev.User = []string{"root", "alice"}[r.IntN(2)]
		}
		ev.Status = int32([]int{0, 200, 404, 500}[r.IntN(4)])
		evs = append(evs, ev)
	}
	cases := []struct {
		q    string
		want func(e *timeline.Event) bool
	}{
		{"host:web01", func(e *timeline.Event) bool { return e.Host == "web01" }},
		{"source:cloudfront OR source:access-log", func(e *timeline.Event) bool { return e.Source == "cloudfront" || e.Source == "access-log" }},
		{"(source:cloudfront OR source:auth) AND host:web01 AND status:2xx", func(e *timeline.Event) bool {
			return (e.Source == "cloudfront" || e.Source == "auth") && e.Host == "web01" && e.Status >= 200 && e.Status < 300
		}},
		{"ip:10.0.1.2 OR ip:192.0.2.1", func(e *timeline.Event) bool {
			return e.SrcIP == "10.0.1.2" || e.DstIP == "10.0.1.2" || e.SrcIP == "192.0.2.1" || e.DstIP == "192.0.2.1"
		}},
		{"ip:10.0.1.0/24 user:root", func(e *timeline.Event) bool {
			return (strings.HasPrefix(e.SrcIP, "10.0.1.") || strings.HasPrefix(e.DstIP, "10.0.1.")) && e.User == "root"
		}},
		{"NOT user:root host:db01", func(e *timeline.Event) bool { return e.User != "root" && e.Host == "db01" }},
		{"user:\"\" OR host:fw01", func(e *timeline.Event) bool { return e.User == "" || e.Host == "fw01" }},
		{"src_ip:10.0.0.1/32 OR status:404", func(e *timeline.Event) bool { return e.SrcIP == "10.0.0.1" || e.Status == 404 }},
		{"host:nope AND user:root", func(e *timeline.Event) bool { return false }},
		{"source:auth AND (ip:10.0.1.2 OR ip:192.0.2.1)", func(e *timeline.Event) bool {
			return e.Source == "auth" && (e.SrcIP == "10.0.1.2" || e.DstIP == "10.0.1.2" || e.SrcIP == "192.0.2.1" || e.DstIP == "192.0.2.1")
		}},
		{"NOT source:cloudfront AND (user:root OR user:alice) AND host:web01", func(e *timeline.Event) bool {
			return e.Source != "cloudfront" && (e.User == "root" || e.User == "alice") && e.Host == "web01"
		}},
		{`host:db01 AND user:""`, func(e *timeline.Event) bool { return e.Host == "db01" && e.User == "" }},
	}
	s := testcase.Build(t, evs)
	for _, c := range cases {
		var want int64
		for i := range evs {
			if c.want(&evs[i]) {
				want++
			}
		}
		got, err := s.Count(context.Background(), search.Request{Query: c.q})
		if err != nil || got != want {
			t.Errorf("%s: %d (%v), want %d", c.q, got, err, want)
		}
	}
}
