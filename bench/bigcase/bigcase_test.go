package main

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/engine"
	"github.com/kiseki-forensics/kiseki/internal/parsertest"
	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/search/leaks"
	"github.com/kiseki-forensics/kiseki/search/scope"
	"github.com/kiseki-forensics/kiseki/search/vocab"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// The benchmarks run on the case in $KISEKI_BIGCASE (built by
// `go run ./bench/bigcase -case DIR`; pass DIR/case), else on a 300,000-event
// case built once in a temporary directory.
var (
	smallOnce sync.Once
	smallDir  string
	smallErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if smallDir != "" {
		os.RemoveAll(filepath.Dir(filepath.Dir(smallDir)))
	}
	os.Exit(code)
}

func caseDir(tb testing.TB) string {
	if d := os.Getenv("KISEKI_BIGCASE"); d != "" {
		return d
	}
	smallOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kiseki-bigcase-")
		if err != nil {
			smallErr = err
			return
		}
		_, smallErr = Build(context.Background(), filepath.Join(dir, "b"), 300_000, 1)
		smallDir = filepath.Join(dir, "b", "case")
	})
	if smallErr != nil {
		tb.Fatal(smallErr)
	}
	return smallDir
}

func open(tb testing.TB) (*engine.Case, *scope.Env) {
	c, err := engine.OpenCase(caseDir(tb))
	if err != nil {
		tb.Fatal(err)
	}
	s, err := search.Open(c.TimelineStore(), c.IndexDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	env, err := vocab.LoadEnv(c, s)
	if err != nil {
		tb.Fatal(err)
	}
	return c, env
}

func attackerCount(tb testing.TB, env *scope.Env) *leaks.Result {
	res, err := leaks.Run(context.Background(), env, leaks.Options{
		Actors: []netip.Prefix{netip.MustParsePrefix(Attacker + "/32")}, Endpoint: "GET /api/customers*", Status: "2xx", Distinct: "param:id"})
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

func windowCount(tb testing.TB, env *scope.Env) *leaks.Result {
	res, err := leaks.Run(context.Background(), env, leaks.Options{
		WindowFile: "web01:" + Skimmed, Endpoint: "POST /checkout/pay*", Status: "2xx", Distinct: "param:order"})
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

func runScope(tb testing.TB, env *scope.Env) *scope.Result {
	seeds, _ := scope.ParseSeeds([]string{Attacker})
	res, err := scope.Run(context.Background(), env, seeds, scope.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

// TestBigcase checks that the answers on the generated case are the ones
// built into it.
func TestBigcase(t *testing.T) {
	_, env := open(t)
	if r := attackerCount(t, env); r.Records != Enumerated || r.Agreement != "agree" {
		t.Errorf("attacker count %d (%s): %s", r.Records, r.Agreement, r.Method)
	}
	if r := windowCount(t, env); r.Records == 0 || r.Window.First != vocab.FormatTime(Start.Add(skimFrom).UnixNano()) {
		t.Errorf("window count %d %+v", r.Records, r.Window)
	}
	res := runScope(t, env)
	found := map[string]bool{}
	for _, r := range res.RemoteAddresses {
		found[r.Address] = true
	}
	for _, l := range res.Lateral {
		found[l.Kind] = true
	}
	for _, f := range res.Files {
		found[f.Path] = true
	}
	for _, want := range []string{Attacker, C2, "login", "scan", "/var/www/shop/uploads/.cache/img.php", Skimmed} {
		if !found[want] {
			t.Errorf("scope lacks %s", want)
		}
	}
}

// cpuTime is the process's user+system CPU time: the machine is shared,
// so benchmarks report CPU time per operation next to wall time.
func cpuTime() time.Duration { return parsertest.ProcessCPU() }

func measure(b *testing.B, env *scope.Env, fn func()) {
	b.ReportAllocs()
	c0 := cpuTime()
	for b.Loop() {
		fn()
	}
	b.ReportMetric(float64((cpuTime()-c0).Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(env.Searcher.Manifest().Rows), "events")
}

func BenchmarkScope(b *testing.B) {
	_, env := open(b)
	measure(b, env, func() { runScope(b, env) })
}

func BenchmarkLeaksAttacker(b *testing.B) {
	_, env := open(b)
	measure(b, env, func() { attackerCount(b, env) })
}

func BenchmarkLeaksWindow(b *testing.B) {
	_, env := open(b)
	measure(b, env, func() { windowCount(b, env) })
}

// BenchmarkSearch runs a mix of queries (count + first page) and reports
// the median latency.
func BenchmarkSearch(b *testing.B) {
	_, env := open(b)
	s := env.Searcher
	queries := []string{
		"ip:" + Attacker,
		`status:404 url:"/api/*"`,
		`"finished job"`,
		"source:auth user:dbadmin",
		"ip:10.0.2.0/24 port:22",
	}
	var lat []time.Duration
	b.ReportAllocs()
	c0 := cpuTime()
	for b.Loop() {
		for _, q := range queries {
			t0 := time.Now()
			req := search.Request{Query: q, Limit: 50}
			if _, err := s.Count(context.Background(), search.Request{Query: q}); err != nil {
				b.Fatal(err)
			}
			if err := s.Each(context.Background(), req, func(int64, *timeline.Event) error { return nil }); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t0))
		}
	}
	b.ReportMetric(float64((cpuTime()-c0).Milliseconds())/float64(len(lat)), "cpu-ms/query")
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Milliseconds()), "p50-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Milliseconds()), "max-ms")
}

// BenchmarkIndexBuild builds the full-text index of the case's timeline
// from scratch and reports events per second.
func BenchmarkIndexBuild(b *testing.B) {
	c, _ := open(b)
	rows := float64(0)
	b.ReportAllocs()
	for b.Loop() {
		dir := b.TempDir()
		if err := search.BuildIndex(context.Background(), dir, c.TimelineStore(), nil); err != nil {
			b.Fatal(err)
		}
		_, m, _ := c.TimelineStore().Current()
		rows = float64(m.Rows)
	}
	b.ReportMetric(rows*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
