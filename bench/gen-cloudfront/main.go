// Command gen-cloudfront writes realistic AWS CloudFront standard log files,
// gzip'd as CloudFront delivers them, for end-to-end ingest benchmarks.
//
//	go run ./bench/gen-cloudfront -lines 10000000 -files 20 -out /tmp/cf
//
// writes /tmp/cf/E2EXAMPLE.2026-03-01-00.0000.gz ... each with the
// "#Version" and "#Fields" header and the 33 fields of today's format
// (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logs-reference.html),
// times increasing over the period, tab-separated, user agents and referers
// URL-encoded. The output is deterministic for a given -seed.
package main

import (
	"bufio"
	"encoding/base64"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/klauspost/compress/gzip"
)

const fields = "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end"

var (
	edges  = []string{"NRT57-P1", "NRT20-C4", "KIX56-P2", "ICN54-C1", "SIN2-P5", "LAX50-C3", "IAD89-C3", "FRA56-P8", "CDG50-P2", "LHR61-C2"}
	agents = []string{
		"Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/124.0.0.0%20Safari/537.36",
		"Mozilla/5.0%20(iPhone;%20CPU%20iPhone%20OS%2017_4%20like%20Mac%20OS%20X)%20AppleWebKit/605.1.15%20(KHTML,%20like%20Gecko)%20Version/17.4%20Mobile/15E148%20Safari/604.1",
		"Mozilla/5.0%20(Macintosh;%20Intel%20Mac%20OS%20X%2010_15_7)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/123.0.0.0%20Safari/537.36",
		"Mozilla/5.0%20(compatible;%20Googlebot/2.1;%20+http://www.google.com/bot.html)",
		"curl/8.5.0",
		"python-requests/2.31.0",
		"Mozilla/5.0%20(X11;%20Linux%20x86_64;%20rv:125.0)%20Gecko/20100101%20Firefox/125.0",
	}
	paths = []string{"/", "/index.html", "/products", "/products/item", "/cart", "/checkout", "/api/v1/orders", "/api/v1/customers",
		"/static/app.js", "/static/app.css", "/images/logo.png", "/images/banner.jpg", "/login", "/account/profile", "/search", "/wp-login.php", "/.env"}
	referers = []string{"-", "-", "-", "https://www.example.com/", "https://www.google.com/", "https://www.example.com/products", "https://t.co/abc123"}
	types    = []string{"Hit", "Hit", "Hit", "Miss", "Miss", "RefreshHit", "Error", "Redirect"}
	ctypes   = []string{"text/html", "application/json", "image/png", "image/jpeg", "application/javascript", "text/css"}
)

func main() {
	lines := flag.Int("lines", 10_000_000, "number of log lines in all")
	files := flag.Int("files", 10, "number of .gz files to spread them over")
	out := flag.String("out", "cloudfront-bench", "output directory")
	start := flag.String("start", "2026-03-01T00:00:00Z", "time of the first request (RFC 3339)")
	span := flag.Duration("span", 24*time.Hour, "period the requests cover")
	seed := flag.Uint64("seed", 1, "random seed")
	level := flag.Int("level", gzip.BestSpeed, "gzip level")
	flag.Parse()
	t0, err := time.Parse(time.RFC3339, *start)
	if err != nil || *lines <= 0 || *files <= 0 {
		fmt.Fprintln(os.Stderr, "gen-cloudfront: bad -start, -lines or -files")
		os.Exit(2)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	rng := rand.New(rand.NewPCG(*seed, 0x9e3779b97f4a7c15))
	step := span.Nanoseconds() / int64(*lines)
	perFile := (*lines + *files - 1) / *files
	var written int64
	for f := 0; f < *files; f++ {
		first := f * perFile
		n := min(perFile, *lines-first)
		if n <= 0 {
			break
		}
		ft := t0.Add(time.Duration(int64(first) * step))
		name := filepath.Join(*out, fmt.Sprintf("E2EXAMPLE.%s.%04d.gz", ft.Format("2006-01-02-15"), f))
		size, err := writeFile(name, rng, t0, step, first, n, *level)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		written += size
	}
	fmt.Printf("gen-cloudfront: %d lines in %d files under %s (%d bytes gzip'd)\n", *lines, *files, *out, written)
}

func writeFile(name string, rng *rand.Rand, t0 time.Time, step int64, first, n, level int) (int64, error) {
	fh, err := os.Create(name)
	if err != nil {
		return 0, err
	}
	zw, err := gzip.NewWriterLevel(fh, level)
	if err != nil {
		return 0, err
	}
	w := bufio.NewWriterSize(zw, 1<<20)
	w.WriteString("#Version: 1.0\n#Fields: " + fields + "\n")
	var b []byte
	id := make([]byte, 42)
	for i := first; i < first+n; i++ {
		ts := t0.Add(time.Duration(int64(i) * step)).UTC()
		b = b[:0]
		b = ts.AppendFormat(b, "2006-01-02\t15:04:05")
		b = append(b, '\t')
		b = append(b, edges[rng.IntN(len(edges))]...)
		status, bytes := 200, 300+rng.IntN(60000)
		switch r := rng.IntN(100); {
		case r < 8:
			status, bytes = 304, 250+rng.IntN(100)
		case r < 13:
			status, bytes = 404, 500+rng.IntN(300)
		case r < 15:
			status, bytes = 403, 400+rng.IntN(200)
		case r < 16:
			status = 500
		case r < 19:
			status = 302
		}
		b = append(b, '\t')
		b = strconv.AppendInt(b, int64(bytes), 10)
		b = append(b, '\t')
		if rng.IntN(20) == 0 {
			b = fmt.Appendf(b, "2001:db8:%x:%x::%x", rng.IntN(65536), rng.IntN(65536), rng.IntN(65536))
		} else {
			b = fmt.Appendf(b, "%d.%d.%d.%d", 1+rng.IntN(223), rng.IntN(256), rng.IntN(256), 1+rng.IntN(254))
		}
		method := "GET"
		switch r := rng.IntN(100); {
		case r < 6:
			method = "POST"
		case r < 8:
			method = "HEAD"
		case r < 9:
			method = "PUT"
		case r == 9:
			method = "DELETE"
		}
		path := paths[rng.IntN(len(paths))]
		b = append(b, '\t')
		b = append(b, method...)
		b = append(b, "\td111111abcdef8.cloudfront.net\t"...)
		b = append(b, path...)
		if path == "/products/item" || path == "/api/v1/orders" || path == "/api/v1/customers" {
			b = strconv.AppendInt(append(b, '/'), int64(rng.IntN(100000)), 10)
		}
		b = append(b, '\t')
		b = strconv.AppendInt(b, int64(status), 10)
		b = append(b, '\t')
		b = append(b, referers[rng.IntN(len(referers))]...)
		b = append(b, '\t')
		b = append(b, agents[rng.IntN(len(agents))]...)
		b = append(b, '\t')
		if path == "/search" || rng.IntN(5) == 0 {
			b = strconv.AppendInt(append(b, "q=item%20"...), int64(rng.IntN(1000)), 10)
			b = append(b, "&page="...)
			b = strconv.AppendInt(b, int64(1+rng.IntN(9)), 10)
		} else {
			b = append(b, '-')
		}
		b = append(b, "\t-\t"...)
		rt := types[rng.IntN(len(types))]
		b = append(b, rt...)
		b = append(b, '\t')
		for k := range id {
			id[k] = byte(rng.Uint32())
		}
		b = base64.URLEncoding.AppendEncode(b, id)
		b = append(b, "\twww.example.com\thttps\t"...)
		b = strconv.AppendInt(b, int64(80+rng.IntN(900)), 10)
		b = append(b, '\t')
		b = strconv.AppendFloat(b, float64(rng.IntN(900)+1)/1000, 'f', 3, 64)
		b = append(b, '\t')
		if rng.IntN(25) == 0 {
			b = fmt.Appendf(b, "203.0.113.%d,%%20198.51.100.%d", rng.IntN(256), rng.IntN(256))
		} else {
			b = append(b, '-')
		}
		b = append(b, "\tTLSv1.3\tTLS_AES_128_GCM_SHA256\t"...)
		b = append(b, rt...)
		b = append(b, "\tHTTP/2.0\t-\t-\t"...)
		b = strconv.AppendInt(b, int64(1024+rng.IntN(64000)), 10)
		b = append(b, '\t')
		b = strconv.AppendFloat(b, float64(rng.IntN(500)+1)/1000, 'f', 3, 64)
		b = append(b, '\t')
		b = append(b, rt...)
		b = append(b, '\t')
		b = append(b, ctypes[rng.IntN(len(ctypes))]...)
		b = append(b, '\t')
		b = strconv.AppendInt(b, int64(bytes-200), 10)
		b = append(b, "\t-\t-\n"...)
		if _, err := w.Write(b); err != nil {
			return 0, err
		}
	}
	if err := w.Flush(); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	st, err := fh.Stat()
	if err != nil {
		return 0, err
	}
	return st.Size(), fh.Close()
}
