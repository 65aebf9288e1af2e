package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/kiseki-forensics/kiseki/engine"
	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// The breach inside the big case (same story as fixtures/webshop).
const (
	Attacker   = "203.0.113.66"
	C2         = "192.0.2.99"
	WebAddr    = "10.0.1.10"
	DBAddr     = "10.0.2.20"
	Enumerated = 5000 // ids fetched with 200
	Skimmed    = "/var/www/shop/js/checkout.js"
)

// Start is the first event's time; the case spans a week.
var Start = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

const span = 7 * 24 * time.Hour

// Attack times, relative to Start.
var (
	attackAt  = 3*24*time.Hour + 14*time.Hour
	skimFrom  = attackAt + time.Hour
	skimUntil = attackAt + 19*time.Hour
)

// Stats are the build's timings.
type Stats struct {
	Events                 int64
	Distinct               int64
	Generate, Merge, Index time.Duration
}

const bundleYAML = `case: bigcase
timezone: UTC
hosts:
  web01: [10.0.1.10]
  db01: [10.0.2.20]
evidence:
  - path: web01.img
    host: web01
    mount: /var/www
    docroot: /var/www/shop
  - path: cdn/
    host: cdn
    origin: web01
`

// Build writes a case of n events into dir.
func Build(ctx context.Context, dir string, n int, seed uint64) (*Stats, error) {
	st := &Stats{}
	bundle := filepath.Join(dir, "bundle")
	if err := os.MkdirAll(bundle, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(bundle, "bundle.yaml"), []byte(bundleYAML), 0o644); err != nil {
		return nil, err
	}
	abs, _ := filepath.Abs(bundle)
	c, err := engine.CreateOrOpenCase(filepath.Join(dir, "case"), engine.CaseMeta{Name: "bigcase", Timezone: "UTC", Bundle: abs})
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	run := filepath.Join(dir, "runs", "E0001")
	if err := os.MkdirAll(run, 0o755); err != nil {
		return nil, err
	}
	w := timeline.NewRunWriter(run)
	g := &gen{rng: rand.New(rand.NewPCG(seed, 99)), w: w}
	if err := g.all(n); err != nil {
		return nil, err
	}
	rows, err := w.Close()
	if err != nil {
		return nil, err
	}
	st.Events = rows
	st.Generate = time.Since(t0)
	t0 = time.Now()
	if _, err := c.TimelineStore().Merge([]string{run}, []string{"E0001"}, nil); err != nil {
		return nil, err
	}
	st.Merge = time.Since(t0)
	os.RemoveAll(filepath.Join(dir, "runs"))
	t0 = time.Now()
	if err := search.BuildIndex(ctx, c.IndexDir(), c.TimelineStore(), nil); err != nil {
		return nil, err
	}
	st.Index = time.Since(t0)
	if fi, err := os.Stat(filepath.Join(c.IndexDir(), "seen.bin")); err == nil {
		st.Distinct = fi.Size() / 8
	}
	return st, nil
}

type gen struct {
	rng  *rand.Rand
	w    *timeline.RunWriter
	rows int
	ev   timeline.Event
	line [8]int64
}

var evidence = [...]struct{ id, path, host, source string }{
	{"E0001", "cdn/E1BIG.log", "cdn", "cloudfront"},
	{"E0002", "web01/nginx/access.log", "web01", "access-log"},
	{"E0003", "fw01/asa.log", "fw01", "cisco-asa"},
	{"E0004", "db01/auth.log", "db01", "auth"},
	{"E0005", "app/syslog", "app01", "syslog"},
	{"E0006", "web01.img", "web01", "ext4"},
}

func (g *gen) base(t int64, k int) *timeline.Event {
	ev := &g.ev
	ev.Reset()
	e := evidence[k]
	ev.Time, ev.Evidence, ev.RefPath, ev.Host, ev.Source = t, e.id, e.path, e.host, e.source
	ev.TimeDesc = timeline.TimeLog
	g.line[k]++
	g.rows++
	if k == 5 {
		ev.Inode, ev.Offset = g.line[k], g.line[k]*256
	} else {
		ev.Line = g.line[k]
	}
	return ev
}

var paths = []string{"/", "/products", "/cart", "/checkout/pay", "/api/customers", "/js/checkout.js", "/js/app.js", "/css/site.css", "/search", "/login"}

// web emits one request at the CDN and, unless a cache hit, at the origin.
func (g *gen) web(t int64, client, method, url string, status int32, hit bool) error {
	for k := 0; k < 2; k++ {
		if k == 1 && hit {
			break
		}
		ev := g.base(t+int64(k)*int64(300*time.Millisecond), k)
		ev.TimeDesc = timeline.TimeRequest
		ev.SrcIP, ev.Method, ev.URL, ev.Status, ev.Bytes = client, method, url, status, 1000
		ev.UserAgent = "Mozilla/5.0"
		if k == 0 {
			res := "Miss"
			if hit {
				res = "Hit"
			}
			ev.AddExtra("x-edge-result-type", res)
		}
		if err := g.w.Emit(ev); err != nil {
			return err
		}
	}
	return nil
}

func (g *gen) conn(t int64, src, dst string, port int32, action string) error {
	ev := g.base(t, 2)
	ev.SrcIP, ev.DstIP, ev.DstPort, ev.SrcPort, ev.Action = src, dst, port, int32(30000+g.rng.IntN(30000)), action
	ev.Message = "Built connection"
	return g.w.Emit(ev)
}

func (g *gen) all(n int) error {
	rng := g.rng
	step := int64(span) / int64(n)
	start := Start.UnixNano()
	at := func(d time.Duration) int64 { return start + int64(d) }
	// The breach, emitted at its times among the background (the run writer sorts).
	for id := 1; id <= Enumerated+200; id++ {
		st := int32(200)
		if id > Enumerated {
			st = 404
		}
		if err := g.web(at(attackAt+time.Duration(id)*time.Second), Attacker, "GET", fmt.Sprintf("/api/customers?id=%d", id), st, false); err != nil {
			return err
		}
	}
	g.web(at(attackAt-time.Hour), Attacker, "POST", "/uploads/upload.php", 200, false)
	g.web(at(attackAt-time.Hour+time.Minute), Attacker, "GET", "/uploads/.cache/img.php?cmd=id", 200, false)
	// The skimmer is put in and taken out through the web shell.
	g.web(at(skimFrom-time.Second), Attacker, "POST", "/uploads/.cache/img.php", 200, false)
	g.web(at(skimUntil-time.Second), Attacker, "POST", "/uploads/.cache/img.php?cmd=restore", 200, false)
	for h := 0; h < 18; h++ {
		g.conn(at(attackAt+time.Duration(h)*time.Hour), WebAddr, C2, 443, timeline.ActionPermit)
	}
	for k := 0; k < 60; k++ {
		g.conn(at(attackAt+20*time.Minute+time.Duration(k)*time.Second), WebAddr, fmt.Sprintf("10.0.2.%d", 20+k%10), int32([]int{22, 80, 443, 3306, 5432, 6379}[k%6]), timeline.ActionDeny)
	}
	login := g.base(at(attackAt+40*time.Minute), 3)
	login.User, login.SrcIP, login.Action, login.Message = "dbadmin", WebAddr, timeline.ActionLoginSuccess, "Accepted password for dbadmin"
	g.w.Emit(login)
	fs := func(t int64, p, desc string) {
		ev := g.base(t, 5)
		ev.Path, ev.TimeDesc = p, desc
		ev.MarkFS(true)
		ev.FS.Mode = "r/rrw-r--r--"
		g.w.Emit(ev)
	}
	fs(at(attackAt-time.Hour+time.Second), "/var/www/shop/uploads/.cache/img.php", timeline.TimeBorn)
	fs(at(attackAt-time.Hour+time.Second), "/var/www/shop/uploads/.cache/img.php", timeline.TimeModified)
	fs(at(-30*24*time.Hour), Skimmed, timeline.TimeBorn)
	fs(at(skimFrom), Skimmed, timeline.TimeModified)
	fs(at(skimUntil), Skimmed, timeline.TimeChanged)

	// Background.
	order := 100000
	for g.rows < n {
		t := start + int64(g.rows)*step
		r := rng.IntN(100)
		var err error
		switch {
		case r < 70:
			client := fmt.Sprintf("198.%d.%d.%d", 18+rng.IntN(2), rng.IntN(256), 1+rng.IntN(254))
			p := paths[rng.IntN(len(paths))]
			method, url, hit := "GET", p, false
			switch p {
			case "/checkout/pay":
				order++
				method, url = "POST", fmt.Sprintf("/checkout/pay?order=%d", order)
			case "/api/customers":
				url = fmt.Sprintf("/api/customers?id=%d", 1+rng.IntN(200000))
			case "/products":
				url = fmt.Sprintf("/products/%d", rng.IntN(5000))
			case "/js/checkout.js", "/js/app.js", "/css/site.css":
				hit = rng.IntN(10) != 0
			}
			err = g.web(t, client, method, url, 200, hit)
		case r < 85:
			src := fmt.Sprintf("10.0.%d.%d", 1+rng.IntN(3), 11+rng.IntN(39)) // web01 (10.0.1.10) opens no background connections
			dst := fmt.Sprintf("%d.%d.%d.%d", 1+rng.IntN(223), rng.IntN(256), rng.IntN(256), 1+rng.IntN(254))
			if rng.IntN(5) == 0 {
				dst = fmt.Sprintf("10.0.%d.%d", 1+rng.IntN(3), 10+rng.IntN(40))
			}
			err = g.conn(t, src, dst, int32([]int{80, 443, 53, 3306, 22}[rng.IntN(5)]), timeline.ActionPermit)
		case r < 90:
			ev := g.base(t, 3)
			ev.User, ev.SrcIP, ev.Action = fmt.Sprintf("user%d", rng.IntN(50)), fmt.Sprintf("10.0.9.%d", 1+rng.IntN(50)), timeline.ActionLoginSuccess
			ev.Message = "Accepted publickey"
			err = g.w.Emit(ev)
		case r < 98:
			ev := g.base(t, 4)
			ev.Message = fmt.Sprintf("worker %d finished job %d in %d ms", rng.IntN(64), rng.IntN(1_000_000), rng.IntN(5000))
			err = g.w.Emit(ev)
		default:
			ev := g.base(t-int64(30*24*time.Hour), 5)
			ev.Path = fmt.Sprintf("/var/www/shop/media/%d/%d.jpg", rng.IntN(500), rng.IntN(100))
			ev.TimeDesc = []string{timeline.TimeModified, timeline.TimeAccessed, timeline.TimeChanged, timeline.TimeBorn}[rng.IntN(4)]
			ev.MarkFS(true)
			ev.FS.Mode = "r/rrw-r--r--"
			err = g.w.Emit(ev)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
