// Command webbench measures the web server on a large case: the first page,
// jumps to arbitrary times (server time as the API reports it, and client
// latency), the first histogram, and API latency under concurrent clients on
// loopback with a bounded number of requests. It only reads the case.
//
//	go run ./bench/bigcase -case /tmp/big        # a 10-million-event case
//	go run ./bench/webbench -case /tmp/big/case -clients 50 -requests 2000
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"sort"
	"sync"
	"time"

	"github.com/kiseki-forensics/kiseki/engine"
	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/server"
)

func main() {
	caseDir := flag.String("case", "", "case directory")
	clients := flag.Int("clients", 50, "concurrent clients")
	requests := flag.Int("requests", 2000, "requests in the concurrent run (all clients together)")
	jumps := flag.Int("jumps", 20, "jumps to random times")
	cacheSegs := flag.Int("cache-segments", 8, "segments the server keeps loaded")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the concurrent run")
	flag.Parse()
	c, err := engine.OpenCase(*caseDir)
	if err != nil {
		log.Fatal(err)
	}
	s, err := search.Open(c.TimelineStore(), c.IndexDir())
	if err != nil {
		log.Fatal(err)
	}
	srv, err := server.New(c, s, server.Options{CacheSegments: *cacheSegs}) // owns s
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go srv.ListenAndServe(l)
	base := "http://" + l.Addr().String()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *clients * 2}}
	get := func(path string) (time.Duration, float64) {
		t0 := time.Now()
		resp, err := client.Get(base + path)
		if err != nil {
			log.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		d := time.Since(t0)
		if resp.StatusCode != 200 {
			log.Fatalf("%s: %d %s", path, resp.StatusCode, b)
		}
		var p struct {
			ServerMS float64 `json:"server_ms"`
		}
		json.Unmarshal(b, &p)
		return d, p.ServerMS
	}
	first, last := s.Span()
	fmt.Printf("case %s: %d events in %d segments, %s .. %s\n", c.Meta.Name, s.Manifest().Rows, len(s.Manifest().Segments),
		time.Unix(0, first).UTC().Format(time.RFC3339), time.Unix(0, last).UTC().Format(time.RFC3339))

	d, sm := get("/api/v1/events?limit=100")
	fmt.Printf("first page (cold): client %.1f ms, server %.1f ms\n", ms(d), sm)
	d, sm = get("/api/v1/events?limit=100")
	fmt.Printf("first page (warm): client %.1f ms, server %.1f ms\n", ms(d), sm)
	r := rand.New(rand.NewPCG(1, 2))
	var jc, js []float64
	for range *jumps {
		t := first + r.Int64N(last-first)
		d, sm := get(fmt.Sprintf("/api/v1/events?limit=100&at=%d", t))
		jc, js = append(jc, ms(d)), append(js, sm)
	}
	fmt.Printf("jump to a random time (%d jumps, mostly cold segments): server p50 %.1f ms p95 %.1f ms max %.1f ms; client p50 %.1f ms max %.1f ms\n",
		len(js), pct(js, 50), pct(js, 95), pct(js, 100), pct(jc, 50), pct(jc, 100))
	d, _ = get("/api/v1/histogram")
	fmt.Printf("histogram of the whole case (first, full scan): %.0f ms\n", ms(d))
	d, _ = get("/api/v1/histogram")
	fmt.Printf("histogram again (cached answer): %.1f ms\n", ms(d))
	d, _ = get("/api/v1/count?q=status:5xx")
	fmt.Printf("count status:5xx (full scan): %.0f ms\n", ms(d))

	// Concurrent clients: pages around random times, next pages by cursor,
	// counts and histograms of a few queries (answers cached after the first).
	paths := make(chan string, *requests)
	for i := range *requests {
		switch i % 4 {
		case 0, 1:
			paths <- fmt.Sprintf("/api/v1/events?limit=100&at=%d", first+r.Int64N(last-first))
		case 2:
			paths <- "/api/v1/count?q=status:404"
		default:
			paths <- "/api/v1/histogram?q=status:404"
		}
	}
	close(paths)
	var mu sync.Mutex
	var lat []float64
	var wg sync.WaitGroup
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	t0 := time.Now()
	for range *clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range paths {
				d, _ := get(p)
				mu.Lock()
				lat = append(lat, ms(d))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	wall := time.Since(t0)
	fmt.Printf("%d clients, %d requests (half event pages at random times): %.0f req/s; latency p50 %.1f ms p95 %.1f ms p99 %.1f ms max %.1f ms\n",
		*clients, len(lat), float64(len(lat))/wall.Seconds(), pct(lat, 50), pct(lat, 95), pct(lat, 99), pct(lat, 100))
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Printf("load average: %s", b)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func pct(v []float64, p float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	i := int(float64(len(s)-1) * p / 100)
	return s[i]
}
