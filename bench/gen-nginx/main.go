// Command gen-nginx writes realistic nginx combined access logs for the
// ingest benchmark: -lines lines spread over -files files (as logrotate
// leaves them), deterministic for a given -seed. Addresses, URLs and sizes
// vary per line (about 0.29 distinct URLs per line).
//
//	go run ./bench/gen-nginx -out /tmp/nginx10m -lines 10000000 -files 10
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

var (
	paths = []string{"/", "/products", "/cart", "/checkout", "/static/app.js", "/static/site.css", "/images/logo.png",
		"/api/cart", "/api/customer", "/search", "/login", "/favicon.ico", "/robots.txt"}
	agents = []string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
		"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
		"curl/8.5.0", "python-requests/2.31.0",
	}
	// methods: mostly GET, as in real traffic.
	methods  = []string{"GET", "GET", "GET", "GET", "GET", "GET", "GET", "POST", "POST", "HEAD"}
	statuses = []int{200, 200, 200, 200, 200, 200, 304, 301, 404, 500}
)

func main() {
	out := flag.String("out", "nginx-bench", "directory to write")
	lines := flag.Int("lines", 1_000_000, "total lines")
	files := flag.Int("files", 1, "number of files")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	r := rand.New(rand.NewPCG(*seed, 42))
	jst := time.FixedZone("", 9*3600)
	t := time.Date(2026, 1, 1, 0, 0, 0, 0, jst)
	per := *lines / *files
	// idRange makes about 0.29 distinct URLs per line (565k in 2 M lines):
	// the index is measured on values that do not repeat.
	idRange := max(1, *lines*3/100)
	var buf []byte
	for f := range *files {
		fh, err := os.Create(filepath.Join(*out, fmt.Sprintf("access.log.%d", *files-f)))
		if err != nil {
			log.Fatal(err)
		}
		w := bufio.NewWriterSize(fh, 1<<20)
		n := per
		if f == *files-1 {
			n = *lines - per*(*files-1)
		}
		for range n {
			t = t.Add(time.Duration(r.IntN(40)) * time.Millisecond)
			buf = buf[:0]
			buf = fmt.Appendf(buf, "%d.%d.%d.%d - - [", 1+r.IntN(223), r.IntN(256), r.IntN(256), 1+r.IntN(254))
			buf = t.AppendFormat(buf, "02/Jan/2006:15:04:05 -0700")
			p := paths[r.IntN(len(paths))]
			buf = append(buf, `] "`...)
			buf = append(buf, methods[r.IntN(len(methods))]...)
			buf = append(buf, ' ')
			buf = append(buf, p...)
			if r.IntN(2) == 0 {
				// Half the requests name an object among idRange: as many
				// distinct URLs as a real shop's catalogue and sessions.
				buf = append(buf, "?id="...)
				buf = strconv.AppendInt(buf, int64(r.IntN(idRange)), 10)
			}
			buf = append(buf, ` HTTP/1.1" `...)
			buf = strconv.AppendInt(buf, int64(statuses[r.IntN(len(statuses))]), 10)
			buf = append(buf, ' ')
			buf = strconv.AppendInt(buf, int64(r.IntN(60000)), 10)
			buf = append(buf, ` "https://shop.example/" "`...)
			buf = append(buf, agents[r.IntN(len(agents))]...)
			buf = append(buf, "\"\n"...)
			w.Write(buf)
		}
		if err := w.Flush(); err != nil {
			log.Fatal(err)
		}
		fh.Close()
	}
}
