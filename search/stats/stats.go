package stats

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/taxonomy"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// What a row is counted by (the --by of kiseki stats).
const (
	ByPort    = "port"
	BySrc24   = "src24"
	ByCountry = "country"
	BySensor  = "sensor"
)

// Views lists the --by values.
var Views = []string{ByPort, BySrc24, ByCountry, BySensor}

// Unknown is the block or country of a row whose source address is
// missing, unparsable or not in the database.
const Unknown = "unknown"

// NoPort is the port of an ICMP row whose type the sensor did not record.
const NoPort = -1

// Block prefix lengths: the source blocks the published statistics use.
const (
	blockBits4 = 24
	blockBits6 = 48
)

// CountryDB answers a source's country (ISO 3166 code; "" when unknown).
type CountryDB interface {
	Country(addr netip.Addr) (string, error)
}

// Options select and group the rows.
type Options struct {
	By       string
	Proto    string // tcp, udp or icmp; "" all
	Host     string // sensor (host) name or pattern; "" all
	From, To int64  // ns UTC, inclusive; 0 open
	Top      int    // keep the N ports, blocks, countries or sensors with most rows overall; 0 all
	GeoIP    CountryDB
	// Query replaces the selection of deny records (DenyQuery); for
	// benchmarks that need more rows than a case's denials.
	Query string
}

// DenyQuery selects what the statistics count: the deny records of the
// firewall sources (taxonomy.FirewallSources).
func DenyQuery() string {
	terms := make([]string, len(taxonomy.FirewallSources))
	for i, s := range taxonomy.FirewallSources {
		terms[i] = "source:" + s
	}
	return "action:" + timeline.ActionDeny + " AND (" + strings.Join(terms, " OR ") + ")"
}

// Row is one cell of the result. Which fields are set depends on the view;
// the JSON shapes are those of docs/usage.md.
type Row struct {
	Hour    time.Time
	Host    string
	Proto   string // port view
	Port    int32  // port view: destination port, or ICMP type
	Block   string // src24 view
	Country string // country view
	Count   int64
	Sources int64 // port and sensor views: distinct source addresses
}

// Result is the rows of one view, by hour, host, then count (largest first).
type Result struct {
	By   string
	Rows []Row
}

// Compute counts the rows of the case that opts select, in one pass.
func Compute(ctx context.Context, s *search.Searcher, opts Options) (*Result, error) {
	switch opts.By {
	case "":
		opts.By = ByPort
	case ByPort, BySrc24, BySensor:
	case ByCountry:
		if opts.GeoIP == nil {
			return nil, ErrNoGeoIP
		}
	default:
		return nil, fmt.Errorf("%w: unknown view %q (one of %s)", ErrOption, opts.By, strings.Join(Views, ", "))
	}
	proto := ""
	if opts.Proto != "" {
		proto = taxonomy.NormProto(opts.Proto)
		if proto != taxonomy.TCP && proto != taxonomy.UDP && proto != taxonomy.ICMP {
			return nil, fmt.Errorf("%w: protocol %q: one of tcp, udp, icmp", ErrOption, opts.Proto)
		}
	}
	q := opts.Query
	if q == "" {
		q = DenyQuery()
	}
	if opts.Host != "" {
		q = "(" + q + ") AND host:" + quote(opts.Host)
	}
	agg := newAggregator(opts.By, proto)
	agg.geo = opts.GeoIP
	req := search.Request{Query: q, From: opts.From, To: opts.To}
	err := search.ScanPrepared(s, ctx, req, nil, agg.segment, agg.merge)
	if err != nil {
		return nil, err
	}
	return agg.result(opts)
}

// ErrOption is wrapped by the errors of options Compute cannot take.
var ErrOption = errors.New("stats")

// ErrNoGeoIP: the country view needs a database; Kiseki does not guess.
var ErrNoGeoIP = fmt.Errorf("stats: --by country needs a MaxMind-format database (--geoip FILE.mmdb, e.g. GeoLite2-Country.mmdb); Kiseki does not guess countries")

func quote(v string) string {
	if strings.ContainsAny(v, " ()\"") {
		return `"` + strings.ReplaceAll(v, `"`, `\"`) + `"`
	}
	return v
}

// hourOf floors a time to its UTC hour.
func hourOf(t int64) int64 {
	const h = int64(time.Hour)
	return t - ((t%h)+h)%h
}

// portOf is the port view's key of a row: protocol and destination port,
// or ICMP type.
func portOf(proto string, icmpType int32, dstPort int64) int32 {
	if proto == taxonomy.ICMP {
		if icmpType == taxonomy.NoICMPType {
			return NoPort
		}
		return icmpType
	}
	return int32(dstPort)
}

// BlockOf is the source block of an address: its /24 (IPv4) or /48 (IPv6),
// or Unknown.
func BlockOf(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return Unknown
	}
	a = a.Unmap()
	bits := blockBits6
	if a.Is4() {
		bits = blockBits4
	}
	p, err := a.WithZone("").Prefix(bits)
	if err != nil {
		return Unknown
	}
	return p.String()
}

// rank orders keys by total count, largest first, then by name, and keeps
// the first top (all when top is 0).
func rank(totals map[string]int64, top int) map[string]bool {
	keys := make([]string, 0, len(totals))
	for k := range totals {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if totals[keys[i]] != totals[keys[j]] {
			return totals[keys[i]] > totals[keys[j]]
		}
		return keys[i] < keys[j]
	})
	if top > 0 && len(keys) > top {
		keys = keys[:top]
	}
	keep := make(map[string]bool, len(keys))
	for _, k := range keys {
		keep[k] = true
	}
	return keep
}

// PortKey names a protocol and port as the charts and the top-N ranking do:
// "tcp/22", "icmp/8".
func PortKey(proto string, port int32) string {
	if proto == "" {
		proto = Unknown
	}
	return proto + "/" + strconv.Itoa(int(port))
}
