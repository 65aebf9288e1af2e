// Command serveload measures the web server under concurrent clients doing
// what analysts do: search pages and paging, histograms, counts, facets,
// jumps to a time, event details and now and then a report draft. The
// server runs in a child process (this program started with -serve) so
// that its peak memory (VmHWM) is the server's alone.
//
//	go run ./bench/bigcase -events 1600000 -case /tmp/b16   # the case
//	go run ./bench/serveload -case /tmp/b16/case -clients 50 -requests 5000
//
// It prints latency percentiles per kind of request and overall, and the
// server's peak resident memory; with -max-p99 and -max-rss it exits 1 when
// either is exceeded. It only reads the case.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/kiseki-forensics/kiseki/engine"
	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/server"
)

// queries are what the clients search for: words, fields, addresses and
// the breach's own terms (bench/bigcase plays the webshop breach).
var queries = []string{
	"", "ip:203.0.113.66", "status:404", "url:*/api/customers*", "checkout", "worker",
	"publickey", "action:deny", "host:web01", "POST", "ip:10.0.2.0/24", "path:*.php", "dbadmin",
}

// The mix: the weight of each kind of request, per mille. A report draft
// is rare (two in a thousand requests) and takes seconds of CPU: its
// latency is shown on its own line.
var mix = []struct {
	kind   string
	weight int
}{
	{"search", 250}, {"page", 150}, {"histogram", 150}, {"count", 100}, {"facets", 100},
	{"jump", 100}, {"detail", 138}, {"report", 2}, {"case", 10},
}

func main() {
	caseDir := flag.String("case", "", "case directory (bench/bigcase -case DIR builds DIR/case)")
	clients := flag.Int("clients", 50, "concurrent clients")
	requests := flag.Int("requests", 5000, "requests in all")
	seed := flag.Uint64("seed", 1, "random seed of the clients")
	maxP99 := flag.Duration("max-p99", 0, "exit 1 when the overall p99 is above this (0: no check)")
	maxRSS := flag.Int64("max-rss", 0, "exit 1 when the server's peak resident memory is above this many MiB (0: no check)")
	serve := flag.Bool("serve", false, "serve the case on -addr and print its address (the child process)")
	addr := flag.String("addr", "127.0.0.1:0", "listen address with -serve")
	weights := flag.String("mix", "", "override weights of the mix: kind=weight,... (e.g. report=0)")
	cpuprofile := flag.String("cpuprofile", "", "write the server's CPU profile of the run to this file")
	flag.Parse()
	if err := setMix(*weights); err != nil {
		fmt.Fprintln(os.Stderr, "serveload:", err)
		os.Exit(2)
	}
	if *caseDir == "" {
		fmt.Fprintln(os.Stderr, "serveload: -case is required")
		os.Exit(2)
	}
	if *serve {
		serveCase(*caseDir, *addr, *cpuprofile)
		return
	}
	child, base := startChild(*caseDir, *cpuprofile)
	defer func() { child.Process.Kill(); child.Wait() }()
	info := caseInfo(base)
	fmt.Printf("case %s: %d events, %s .. %s; %d clients, %d requests\n", info.Name, info.Events, info.First, info.Last, *clients, *requests)
	res := run(base, info, *clients, *requests, *seed)
	hwm := peakRSS(child.Process.Pid)
	child.Process.Signal(syscall.SIGTERM) // ends the profile
	child.Wait()
	ok := res.print(hwm)
	if *maxP99 > 0 && res.p99 > *maxP99 {
		fmt.Printf("FAIL: p99 %v is above %v\n", res.p99, *maxP99)
		ok = false
	}
	if *maxRSS > 0 && hwm > *maxRSS<<20 {
		fmt.Printf("FAIL: server peak RSS %d MiB is above %d MiB\n", hwm>>20, *maxRSS)
		ok = false
	}
	if !ok {
		child.Process.Kill()
		os.Exit(1)
	}
}

// serveCase is the child: it serves until killed.
func serveCase(dir, addr, cpuprofile string) {
	c, err := engine.OpenCase(dir)
	if err != nil {
		log.Fatal(err)
	}
	s, err := search.Open(c.TimelineStore(), c.IndexDir())
	if err != nil {
		log.Fatal(err)
	}
	srv, err := server.New(c, s, server.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		log.Fatal(err)
	}
	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	fmt.Println("ready", l.Addr().String())
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
		<-sig
		l.Close()
	}()
	if err := srv.ListenAndServe(l); err != nil && !strings.Contains(err.Error(), "closed") {
		log.Fatal(err)
	}
}

// startChild runs this program with -serve and waits for its address.
func startChild(dir, cpuprofile string) (*exec.Cmd, string) {
	self, err := os.Executable()
	if err != nil {
		log.Fatal(err)
	}
	cmd := exec.Command(self, "-serve", "-case", dir, "-cpuprofile", cpuprofile)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		log.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "ready ") {
		cmd.Process.Kill()
		log.Fatalf("server did not start: %q %v", line, err)
	}
	return cmd, "http://" + strings.TrimSpace(strings.TrimPrefix(line, "ready "))
}

type info struct {
	Name, First, Last string
	Events            int64
	first, last       time.Time
}

func caseInfo(base string) info {
	resp, err := http.Get(base + "/api/v1/case")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var i info
	if err := json.NewDecoder(resp.Body).Decode(&i); err != nil {
		log.Fatal(err)
	}
	i.first, _ = time.Parse(time.RFC3339Nano, i.First)
	i.last, _ = time.Parse(time.RFC3339Nano, i.Last)
	return i
}

// client is one analyst: the query and page it is on.
type client struct {
	rng    *rand.Rand
	http   *http.Client
	base   string
	info   info
	q      string
	cursor string
	rows   []int64
}

type sample struct {
	kind string
	d    time.Duration
	err  bool
}

type results struct {
	byKind map[string][]time.Duration
	all    []time.Duration
	errors int
	wall   time.Duration
	p99    time.Duration
}

func run(base string, inf info, clients, requests int, seed uint64) *results {
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	var left atomic.Int64
	left.Store(int64(requests))
	samples := make(chan sample, requests)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range clients {
		c := &client{rng: rand.New(rand.NewPCG(seed, uint64(i))), http: &http.Client{Transport: tr, Timeout: 5 * time.Minute}, base: base, info: inf}
		wg.Go(func() {
			for left.Add(-1) >= 0 {
				samples <- c.step()
			}
		})
	}
	wg.Wait()
	close(samples)
	r := &results{byKind: map[string][]time.Duration{}, wall: time.Since(start)}
	for s := range samples {
		r.byKind[s.kind] = append(r.byKind[s.kind], s.d)
		r.all = append(r.all, s.d)
		if s.err {
			r.errors++
		}
	}
	return r
}

// step makes one request of the mix.
func (c *client) step() sample {
	n := 0
	for _, m := range mix {
		n += m.weight
	}
	k := c.rng.IntN(n)
	kind := mix[len(mix)-1].kind
	for _, m := range mix {
		if k < m.weight {
			kind = m.kind
			break
		}
		k -= m.weight
	}
	if (kind == "page" && c.cursor == "") || (kind == "detail" && len(c.rows) == 0) {
		kind = "search"
	}
	v := url.Values{}
	path := "/api/v1/events"
	switch kind {
	case "search":
		c.q = queries[c.rng.IntN(len(queries))]
		v.Set("q", c.q)
		v.Set("limit", "100")
	case "page":
		v.Set("q", c.q)
		v.Set("after", c.cursor)
		v.Set("limit", "100")
	case "jump":
		span := c.info.last.Sub(c.info.first)
		at := c.info.first.Add(time.Duration(c.rng.Int64N(int64(span) + 1)))
		v.Set("q", c.q)
		v.Set("at", at.Format(time.RFC3339Nano))
		v.Set("limit", "100")
	case "histogram", "count", "facets":
		path = "/api/v1/" + kind
		v.Set("q", c.q)
	case "detail":
		path = "/api/v1/events/" + strconv.FormatInt(c.rows[c.rng.IntN(len(c.rows))], 10)
	case "report":
		path = "/api/v1/report"
		v.Set("format", "json")
		v.Set("ioc", "203.0.113.66")
	case "case":
		path = "/api/v1/case"
	}
	t0 := time.Now()
	resp, err := c.http.Get(c.base + path + "?" + v.Encode())
	if err != nil {
		return sample{kind, time.Since(t0), true}
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	d := time.Since(t0)
	bad := err != nil || resp.StatusCode != 200
	if bad {
		fmt.Fprintf(os.Stderr, "%s %s: %d %.200s\n", kind, path+"?"+v.Encode(), resp.StatusCode, b)
	}
	if !bad && (kind == "search" || kind == "page" || kind == "jump") {
		c.readPage(b)
	}
	return sample{kind, d, bad}
}

// readPage keeps the page's last cursor and its rows for paging and detail.
func (c *client) readPage(b []byte) {
	var p struct {
		Events []struct {
			Row    int64  `json:"row"`
			Cursor string `json:"cursor"`
		} `json:"events"`
	}
	if json.Unmarshal(b, &p) != nil || len(p.Events) == 0 {
		return
	}
	c.rows = c.rows[:0]
	for _, e := range p.Events {
		c.rows = append(c.rows, e.Row)
	}
	c.cursor = p.Events[len(p.Events)-1].Cursor
}

// setMix applies -mix.
func setMix(spec string) error {
	for _, kv := range strings.Split(spec, ",") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		w, err := strconv.Atoi(v)
		found := false
		for i := range mix {
			if mix[i].kind == k {
				mix[i].weight, found = w, true
			}
		}
		if err != nil || !found || w < 0 {
			return fmt.Errorf("-mix %q: want kind=weight with a kind of the mix", kv)
		}
	}
	return nil
}

func pct(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	i := int(float64(len(ds)-1) * p)
	return ds[i]
}

func (r *results) print(hwm int64) bool {
	fmt.Printf("%-10s %6s %9s %9s %9s %9s\n", "request", "n", "p50", "p90", "p99", "max")
	kinds := make([]string, 0, len(r.byKind))
	for k := range r.byKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	row := func(name string, ds []time.Duration) {
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		fmt.Printf("%-10s %6d %9s %9s %9s %9s\n", name, len(ds), pct(ds, .5).Round(time.Millisecond), pct(ds, .9).Round(time.Millisecond),
			pct(ds, .99).Round(time.Millisecond), pct(ds, 1).Round(time.Millisecond))
	}
	for _, k := range kinds {
		row(k, r.byKind[k])
	}
	row("all", r.all)
	r.p99 = pct(r.all, .99)
	fmt.Printf("%.0f requests/s; %d errors; server peak RSS %d MiB\n", float64(len(r.all))/r.wall.Seconds(), r.errors, hwm>>20)
	return r.errors == 0
}

// peakRSS is a process's peak resident memory in bytes (VmHWM, Linux).
func peakRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}
