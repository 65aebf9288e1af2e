package stats

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/engine"
	"github.com/kiseki-forensics/kiseki/search"
)

// A denied packet as the fixture's generator wrote it: the truth the
// statistics are checked against.
type denied struct {
	at    time.Time
	host  string
	proto string // tcp, udp, icmp
	port  int32  // destination port, or ICMP type
	src   string
}

// The fixture: two sensors, an ASA and an iptables (UFW) host, over six
// hours, with IPv4 and IPv6 sources, TCP, UDP and ICMP (by type), and
// permitted traffic that must not be counted.
const (
	fixtureRows  = 4000
	fixtureHours = 6
	asaHost      = "asa01"
	iptHost      = "ipt01"
)

var fixtureStart = time.Date(2026, 3, 11, 9, 0, 0, 0, time.UTC)

// Source pools: a few /24s and /48s, so that blocks hold several sources.
var (
	v4Blocks = []string{"198.51.100", "203.0.113", "192.0.2", "100.64.7"}
	v6Blocks = []string{"2001:db8:1", "2001:db8:2", "2001:db8:ffff"}
	tcpPorts = []int32{22, 23, 80, 113, 443, 445, 3389, 8080}
	udpPorts = []int32{53, 123, 1900}
	icmp4    = []int32{8, 0, 3, 13}
	icmp6    = []int32{128, 1}
)

// generate writes the two sensors' logs into a bundle and returns the
// denied packets it wrote.
func generate(t *testing.T, dir string) []denied {
	t.Helper()
	rng := rand.New(rand.NewPCG(15, 24))
	var asa, ipt strings.Builder
	var truth []denied
	pick := func(l []int32) int32 { return l[rng.IntN(len(l))] }
	for i := range fixtureRows {
		d := denied{at: fixtureStart.Add(time.Duration(rng.Int64N(int64(fixtureHours * time.Hour)))).Truncate(time.Second)}
		v6 := rng.IntN(4) == 0
		if v6 {
			d.src = fmt.Sprintf("%s:%x::%x", v6Blocks[rng.IntN(len(v6Blocks))], rng.IntN(3), 1+rng.IntN(40))
		} else {
			d.src = fmt.Sprintf("%s.%d", v4Blocks[rng.IntN(len(v4Blocks))], 1+rng.IntN(60))
		}
		switch r := rng.IntN(10); {
		case r < 6:
			d.proto, d.port = "tcp", pick(tcpPorts)
		case r < 8:
			d.proto, d.port = "udp", pick(udpPorts)
		default:
			d.proto, d.port = "icmp", pick(icmp4)
			if v6 {
				d.port = pick(icmp6)
			}
		}
		permit := rng.IntN(8) == 0
		sport := 1024 + rng.IntN(60000)
		dst := "10.0.0.5"
		if v6 {
			dst = "2001:db8:aaaa::5"
		}
		// The ASA logs IPv4 here; IPv6 goes through the iptables host.
		if !v6 && rng.IntN(2) == 0 {
			d.host = asaHost
			stamp := d.at.Format("Jan 02 2006 15:04:05")
			switch {
			case permit:
				fmt.Fprintf(&asa, "%s %s : %%ASA-6-302013: Built inbound TCP connection %d for outside:%s/%d (%s/%d) to inside:%s/%d (%s/%d)\n",
					stamp, asaHost, 100000+i, d.src, sport, d.src, sport, dst, d.port, dst, d.port)
			case d.proto == "icmp":
				fmt.Fprintf(&asa, "%s %s : %%ASA-4-106023: Deny icmp src outside:%s dst inside:%s (type %d, code 0) by access-group \"outside_in\" [0x0, 0x0]\n",
					stamp, asaHost, d.src, dst, d.port)
			default:
				fmt.Fprintf(&asa, "%s %s : %%ASA-4-106023: Deny %s src outside:%s/%d dst inside:%s/%d by access-group \"outside_in\" [0x0, 0x0]\n",
					stamp, asaHost, d.proto, d.src, sport, dst, d.port)
			}
		} else {
			d.host = iptHost
			verdict := "[UFW BLOCK]"
			if permit {
				verdict = "[UFW ALLOW]"
			}
			head := fmt.Sprintf("%s %s kernel: [%d.%06d] %s IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=%s DST=%s",
				d.at.Format("Jan _2 15:04:05"), iptHost, 1000+i, i, verdict, d.src, dst)
			ipHdr := " LEN=60 TOS=0x00 PREC=0x00 TTL=51 ID=4242 DF"
			if v6 {
				ipHdr = " LEN=80 TC=0 HOPLIMIT=57 FLOWLBL=0"
			}
			switch d.proto {
			case "icmp":
				name := "ICMP"
				if v6 {
					name = "ICMPv6"
				}
				fmt.Fprintf(&ipt, "%s%s PROTO=%s TYPE=%d CODE=0 ID=7 SEQ=1\n", head, ipHdr, name, d.port)
			case "udp":
				fmt.Fprintf(&ipt, "%s%s PROTO=UDP SPT=%d DPT=%d LEN=40\n", head, ipHdr, sport, d.port)
			default:
				fmt.Fprintf(&ipt, "%s%s PROTO=TCP SPT=%d DPT=%d WINDOW=1024 RES=0x00 SYN URGP=0\n", head, ipHdr, sport, d.port)
			}
		}
		if !permit {
			truth = append(truth, d)
		}
	}
	for name, body := range map[string]string{"asa01/asa.log": asa.String(), "ipt01/kern.log": ipt.String(), "bundle.yaml": `case: stats-fixture
timezone: UTC
year: 2026
evidence:
  - path: asa01/asa.log
    host: asa01
    format: cisco-asa
  - path: ipt01/kern.log
    host: ipt01
    format: iptables
`} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return truth
}

// fixtureCase ingests the generated bundle as kiseki ingest does.
func fixtureCase(t *testing.T) (*search.Searcher, []denied, string) {
	t.Helper()
	dir := t.TempDir()
	truth := generate(t, filepath.Join(dir, "bundle"))
	sum, err := engine.Ingest(context.Background(), filepath.Join(dir, "bundle"), filepath.Join(dir, "case"), engine.IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range sum.Items {
		if it.Unparsed > 0 || it.Errors > 0 {
			t.Fatalf("ingest %s: %d unparsed, %d errors %v", it.Path, it.Unparsed, it.Errors, it.Messages)
		}
	}
	c, err := engine.OpenCase(filepath.Join(dir, "case"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := search.Open(c.TimelineStore(), c.IndexDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s, truth, dir
}

// block24 is the test's own /24 or /48 of an address (package net, not
// the netip code under test).
func block24(ip string) string {
	a := net.ParseIP(ip)
	if v4 := a.To4(); v4 != nil {
		return (&net.IPNet{IP: v4.Mask(net.CIDRMask(24, 32)), Mask: net.CIDRMask(24, 32)}).String()
	}
	return (&net.IPNet{IP: a.Mask(net.CIDRMask(48, 128)), Mask: net.CIDRMask(48, 128)}).String()
}

type bruteCell struct {
	count int64
	srcs  map[string]bool
}

// brute counts the truth per key, row by row.
func brute(truth []denied, key func(d denied) string, keep func(d denied) bool) map[string]*bruteCell {
	out := map[string]*bruteCell{}
	for _, d := range truth {
		if keep != nil && !keep(d) {
			continue
		}
		k := key(d)
		c := out[k]
		if c == nil {
			c = &bruteCell{srcs: map[string]bool{}}
			out[k] = c
		}
		c.count++
		c.srcs[d.src] = true
	}
	return out
}

func hourKey(t time.Time) string { return t.UTC().Truncate(time.Hour).Format(time.RFC3339) }

// compare checks that the rows and the brute-force cells are the same set
// with the same counts (and distinct sources where the view has them).
func compare(t *testing.T, name string, res *Result, want map[string]*bruteCell, rowKey func(r Row) string, sources bool) {
	t.Helper()
	seen := map[string]bool{}
	for _, r := range res.Rows {
		k := rowKey(r)
		if seen[k] {
			t.Errorf("%s: cell %s twice", name, k)
		}
		seen[k] = true
		w := want[k]
		if w == nil {
			t.Errorf("%s: cell %s (count %d) not in the truth", name, k, r.Count)
			continue
		}
		if r.Count != w.count || (sources && r.Sources != int64(len(w.srcs))) {
			t.Errorf("%s: cell %s: count %d sources %d, truth %d and %d", name, k, r.Count, r.Sources, w.count, len(w.srcs))
		}
	}
	for k := range want {
		if !seen[k] {
			t.Errorf("%s: cell %s of the truth missing", name, k)
		}
	}
	if len(want) < 10 {
		t.Errorf("%s: only %d cells; the fixture should make more", name, len(want))
	}
}

func portRowKey(r Row) string {
	return fmt.Sprintf("%s %s %s/%d", hourString(r.Hour), r.Host, r.Proto, r.Port)
}

func portTruthKey(d denied) string {
	return fmt.Sprintf("%s %s %s/%d", hourKey(d.at), d.host, d.proto, d.port)
}

func TestStatsFixture(t *testing.T) {
	s, truth, dir := fixtureCase(t)
	ctx := context.Background()
	var v6, icmp6 int
	for _, d := range truth {
		if strings.Contains(d.src, ":") {
			v6++
			if d.proto == "icmp" {
				icmp6++
			}
		}
	}
	if v6 == 0 || icmp6 == 0 {
		t.Fatalf("fixture has %d IPv6 and %d ICMPv6 denials", v6, icmp6)
	}

	res, err := Compute(ctx, s, Options{By: ByPort})
	if err != nil {
		t.Fatal(err)
	}
	compare(t, "by port", res, brute(truth, portTruthKey, nil), portRowKey, true)

	res, err = Compute(ctx, s, Options{By: BySrc24})
	if err != nil {
		t.Fatal(err)
	}
	compare(t, "by src24", res, brute(truth, func(d denied) string {
		return fmt.Sprintf("%s %s %s", hourKey(d.at), d.host, block24(d.src))
	}, nil), func(r Row) string { return fmt.Sprintf("%s %s %s", hourString(r.Hour), r.Host, r.Block) }, false)

	res, err = Compute(ctx, s, Options{By: BySensor})
	if err != nil {
		t.Fatal(err)
	}
	compare(t, "by sensor", res, brute(truth, func(d denied) string { return hourKey(d.at) + " " + d.host }, nil),
		func(r Row) string { return hourString(r.Hour) + " " + r.Host }, true)

	// Filters: one protocol, one sensor, a time range.
	from, to := fixtureStart.Add(time.Hour), fixtureStart.Add(3*time.Hour-time.Nanosecond)
	res, err = Compute(ctx, s, Options{By: ByPort, Proto: "ICMP", Host: iptHost, From: from.UnixNano(), To: to.UnixNano()})
	if err != nil {
		t.Fatal(err)
	}
	compare(t, "icmp at ipt01, hours 2-3", res, brute(truth, portTruthKey, func(d denied) bool {
		return d.proto == "icmp" && d.host == iptHost && !d.at.Before(from) && !d.at.After(to)
	}), portRowKey, true)

	// Top 3 ports: only theirs, with the same counts.
	res, err = Compute(ctx, s, Options{By: ByPort, Top: 3})
	if err != nil {
		t.Fatal(err)
	}
	totals := map[string]int64{}
	for _, d := range truth {
		totals[fmt.Sprintf("%s/%d", d.proto, d.port)]++
	}
	top := rank(totals, 3)
	compare(t, "top 3 ports", res, brute(truth, portTruthKey, func(d denied) bool { return top[fmt.Sprintf("%s/%d", d.proto, d.port)] }), portRowKey, true)

	// Countries from a database the test writes.
	networks := map[string]string{"198.51.100.0/24": "JP", "203.0.113.0/25": "US", "203.0.113.128/25": "NL", "2001:db8:1::/48": "DE", "2001:db8:2::/47": "FR"}
	db := filepath.Join(dir, "test.mmdb")
	if err := os.WriteFile(db, writeMMDB(t, networks), 0o644); err != nil {
		t.Fatal(err)
	}
	g, err := OpenGeoIP(db)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	country := func(ip string) string {
		a := net.ParseIP(ip)
		for n, cc := range networks {
			_, nw, _ := net.ParseCIDR(n)
			if nw.Contains(a) {
				return cc
			}
		}
		return Unknown
	}
	res, err = Compute(ctx, s, Options{By: ByCountry, GeoIP: g})
	if err != nil {
		t.Fatal(err)
	}
	compare(t, "by country", res, brute(truth, func(d denied) string {
		return fmt.Sprintf("%s %s %s", hourKey(d.at), d.host, country(d.src))
	}, nil), func(r Row) string { return fmt.Sprintf("%s %s %s", hourString(r.Hour), r.Host, r.Country) }, false)
	if _, err := Compute(ctx, s, Options{By: ByCountry}); err != ErrNoGeoIP {
		t.Errorf("country without a database: %v", err)
	}
}
