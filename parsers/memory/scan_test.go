package memory

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/kiseki-forensics/kiseki/parsers/memory/carve"
	"github.com/kiseki-forensics/kiseki/parsers/memory/testimage"
)

func u16(s string) []byte {
	b := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		b = append(b, s[i], 0)
	}
	return b
}

// noise fills b with random bytes that hold no text run: every fourth byte
// is a control byte.
func noise(b []byte, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 1))
	for i := range b {
		if i%4 == 3 {
			b[i] = byte(r.IntN(8)) + 1 // 0x01..0x08
		} else {
			b[i] = byte(r.IntN(256))
		}
	}
}

func scanBytes(t testing.TB, data []byte, chunk int) []got {
	t.Helper()
	lay, err := Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out []got
	_, err = Scan(context.Background(), bytes.NewReader(data), lay, Options{ChunkSize: chunk, LineFormats: LineFormats()}, func(f *Finding) error {
		g := got{f.Kind, f.Offset, f.Phys, f.Virt, f.Encoding, string(f.Value), string(f.Context), ""}
		if f.Format != nil {
			g.Format = f.Format.Name
		}
		out = append(out, g)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestBoundaryStraddling(t *testing.T) {
	const chunk = 64 << 10
	data := make([]byte, 8*chunk)
	noise(data, 7)
	put := func(at int, b []byte) { copy(data[at:], b) }
	// Each value starts a few bytes before a chunk boundary and ends after it.
	card := "4242424242424242"
	email := "straddle.user@example.co.jp"
	logLine := `203.0.113.50 - - [10/Oct/2026:13:55:36 +0900] "GET /wp-login.php HTTP/1.1" 404 162 "-" "curl/8.0"`
	http := "\x00POST /pay HTTP/1.1\r\nHost: shop.example.com\r\nCookie: sid=4111111111111111\r\n\r\n"
	put(1*chunk-8, []byte("\x00card "+card+" \x00"))
	put(2*chunk-5, []byte("\x00mail "+email+"\x00"))
	put(3*chunk-9, u16("\x00user "+email+"\x00"))
	put(4*chunk-40, []byte("\x00"+logLine+"\n\x00"))
	put(5*chunk-25, []byte(http))
	put(6*chunk-3, u16(" "+card+" "))
	put(7*chunk-1, []byte("\x01+81-90-1234-5678\x01"))

	whole := scanBytes(t, data, len(data))
	for _, c := range []int{chunk, chunk / 2, 4096 + 17} {
		if got := scanBytes(t, data, c); fmt.Sprint(got) != fmt.Sprint(whole) {
			t.Errorf("chunk size %d: findings differ from a whole scan:\n%v\nwhole:\n%v", c, got, whole)
		}
	}
	count := func(kind carve.Kind, enc, value string) int {
		n := 0
		for _, g := range whole {
			if g.Kind == kind && g.Encoding == enc && g.Value == value {
				n++
			}
		}
		return n
	}
	for _, tc := range []struct {
		kind       carve.Kind
		enc, value string
	}{
		{carve.KindCard, EncASCII, card},
		{carve.KindCard, EncUTF16LE, card},
		{carve.KindEmail, EncASCII, email},
		{carve.KindEmail, EncUTF16LE, email},
		{carve.KindLogLine, EncASCII, logLine},
		{carve.KindHTTPRequest, EncASCII, "POST /pay HTTP/1.1"},
		{carve.KindHTTPHeader, EncASCII, "Cookie: [masked 20 bytes]"},
		{carve.KindPhone, EncASCII, "+81-90-1234-5678"},
	} {
		if n := count(tc.kind, tc.enc, tc.value); n != 1 {
			t.Errorf("%s %q (%s) found %d times, want exactly once", tc.kind, tc.value, tc.enc, n)
		}
	}
	if n := count(carve.KindCard, EncASCII, "4111111111111111"); n != 0 {
		t.Errorf("card inside a masked Cookie found %d times", n)
	}
	checkBytes(t, data, whole)
}

func TestHistoryEntryAtBoundary(t *testing.T) {
	const chunk = 4096
	data := make([]byte, 12*chunk)
	noise(data, 9)
	entry := "\x00#1764284400\x00rm -rf /var/log/nginx\x00"
	// The NUL after the stamp falls one byte before, on, and one byte after
	// a chunk boundary, and so does the command's first byte.
	for k, d := range []int{-2, -1, 0, 1, 2} {
		at := (2+2*k)*chunk + d - 12
		copy(data[at:], entry)
	}
	whole := scanBytes(t, data, len(data))
	n := 0
	for _, g := range whole {
		if g.Kind == carve.KindCommand && g.Value == "rm -rf /var/log/nginx" {
			n++
		}
	}
	if n != 5 {
		t.Errorf("%d history commands found, want 5", n)
	}
	if got := scanBytes(t, data, chunk); fmt.Sprint(got) != fmt.Sprint(whole) {
		t.Errorf("chunked scan differs:\n%v\nwhole:\n%v", got, whole)
	}
	checkBytes(t, data, whole)
}

func checkBytes(t *testing.T, data []byte, finds []got) {
	t.Helper()
	for _, g := range finds {
		want := encode(g)
		if i := bytes.Index(want, []byte("[masked ")); i >= 0 {
			want = want[:i]
		}
		if g.Offset < 0 || g.Offset+int64(len(want)) > int64(len(data)) || !bytes.Equal(data[g.Offset:g.Offset+int64(len(want))], want) {
			t.Errorf("%s %q (%s) not at offset %d", g.Kind, g.Value, g.Encoding, g.Offset)
		}
	}
}

func TestUTF16(t *testing.T) {
	data := make([]byte, 1<<16)
	noise(data, 3)
	// Both parities, and a run too short to count.
	copy(data[1000:], u16("\x00url http://evil.example.com/x.php?a=1\x00"))
	copy(data[3001:], u16("\x00ip 198.51.100.77 and mail ops@example.jp\x00"))
	copy(data[5000:], u16("\x00a@b.c\x00"))
	finds := scanBytes(t, data, 4096)
	want := map[string]bool{
		"url|http://evil.example.com/x.php?a=1": true, "domain|evil.example.com": true,
		"ipv4|198.51.100.77": true, "email|ops@example.jp": true,
	}
	for _, g := range finds {
		if g.Encoding != EncUTF16LE {
			continue
		}
		k := g.Kind.String() + "|" + g.Value
		if !want[k] {
			t.Errorf("unexpected UTF-16 finding %s", k)
		}
		delete(want, k)
	}
	for k := range want {
		t.Errorf("UTF-16 %s not found", k)
	}
	checkBytes(t, data, finds)
}

func TestFindRuns(t *testing.T) {
	// The word-at-a-time run finder against a byte-at-a-time one.
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 2000; trial++ {
		b := make([]byte, r.IntN(200))
		for i := range b {
			switch r.IntN(4) {
			case 0:
				b[i] = byte(r.IntN(256))
			case 1:
				b[i] = 0
			default:
				b[i] = byte(0x20 + r.IntN(95))
			}
			if r.IntN(3) == 0 && i%2 == 1 {
				b[i] = 0
			}
		}
		var fast, slow, fast16, slow16 [][2]int
		findRuns(b, func(s, e int) { fast = append(fast, [2]int{s, e}) }, func(s, e int) { fast16 = append(fast16, [2]int{s, e}) })
		s := -1
		for i := 0; i <= len(b); i++ {
			if i < len(b) && isText(b[i]) {
				if s < 0 {
					s = i
				}
				continue
			}
			if s >= 0 && i-s >= minRun {
				slow = append(slow, [2]int{s, i})
			}
			s = -1
		}
		for par := 0; par < 2; par++ {
			s := -1
			for i := par; i <= len(b); i += 2 {
				if i+1 < len(b) && isText(b[i]) && b[i+1] == 0 {
					if s < 0 {
						s = i
					}
					continue
				}
				if s >= 0 && (i-s)/2 >= minU16 {
					slow16 = append(slow16, [2]int{s, i})
				}
				s = -1
			}
		}
		if fmt.Sprint(fast) != fmt.Sprint(slow) {
			t.Fatalf("ASCII runs of %q:\nfast %v\nslow %v", b, fast, slow)
		}
		if !sameSet(fast16, slow16) {
			t.Fatalf("UTF-16 runs of %q:\nfast %v\nslow %v", b, fast16, slow16)
		}
	}
}

func sameSet(a, b [][2]int) bool {
	m := map[[2]int]int{}
	for _, x := range a {
		m[x]++
	}
	for _, x := range b {
		m[x]--
	}
	for _, v := range m {
		if v != 0 {
			return false
		}
	}
	return true
}

func TestCorruptContainers(t *testing.T) {
	ranges := []testimage.Range{{Phys: 0x1000, Data: bytes.Repeat([]byte("GET /a HTTP/1.1\nuser@example.com\n"), 5000)}}
	var avml bytes.Buffer
	if err := testimage.WriteAVML(&avml, ranges); err != nil {
		t.Fatal(err)
	}
	b := avml.Bytes()
	// Flip a byte inside the compressed data: the chunk's checksum fails,
	// which is reported, and the scan goes on.
	b[200] ^= 0xff
	lay, err := Open(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var warns []string
	_, err = Scan(context.Background(), bytes.NewReader(b), lay, Options{Warn: func(m string) { warns = append(warns, m) }}, func(*Finding) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) == 0 || !strings.Contains(warns[0], "AVML chunk at offset") {
		t.Errorf("warnings %q: want the corrupt chunk named", warns)
	}
	// A LiME range longer than the file is cut to the file, with a warning.
	var lime bytes.Buffer
	if _, err := testimage.WriteLiME(&lime, ranges); err != nil {
		t.Fatal(err)
	}
	cut := lime.Bytes()[:lime.Len()/2]
	lay, err = Open(bytes.NewReader(cut), int64(len(cut)))
	if err != nil || len(lay.Warnings) != 1 || lay.Ranges[0].Len != int64(len(cut)-32) {
		t.Errorf("truncated LiME: %v %+v", err, lay)
	}
}

func FuzzScanChunks(f *testing.F) {
	f.Add([]byte("\x00GET /x HTTP/1.1\r\nHost: a.example.com\r\n\r\n4242424242424242 a@example.com"), uint16(7))
	f.Add(u16("user@example.com +81-90-1234-5678 http://x.example.com/"), uint16(3))
	f.Add([]byte("\x00#1764284400\x00rm -rf /var/log/nginx\x00#1764284401\nid\n"), uint16(13))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint16) {
		if chunk == 0 {
			return
		}
		whole := scanBytes(t, data, len(data)+1)
		if got := scanBytes(t, data, int(chunk)); fmt.Sprint(got) != fmt.Sprint(whole) {
			t.Fatalf("chunk %d: %v\nwhole %v", chunk, got, whole)
		}
	})
}

func FuzzOpen(f *testing.F) {
	var lime, avml bytes.Buffer
	rs := []testimage.Range{{Phys: 0x2000, Data: []byte("root@web01:~# wget http://203.0.113.9/x\n")}}
	testimage.WriteLiME(&lime, rs)
	testimage.WriteAVML(&avml, rs)
	f.Add(lime.Bytes())
	f.Add(avml.Bytes())
	f.Add([]byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04\x00\x3e\x00"))
	f.Add(elfCore([]struct {
		paddr, vaddr uint64
		data         []byte
	}{{0x1000, 0, []byte("\x00mail admin@example.org\x00")}, {0, 0x7f0000, []byte("GET / HTTP/1.1\r\n\r\n")}}))
	f.Add(fullDump64(dumpTypeFull))
	bmp := fullDump64(dumpTypeBitmap)
	copy(bmp[dump64Data:], "SDMPDUMP")
	bmp[dump64Data+bmpFirstPage+1] = 0x30 // first page at 0x3000
	bmp[dump64Data+bmpPages] = 8
	bmp[dump64Data+bmpBitmap] = 0b101
	f.Add(bmp)
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		Detect("x.mem", data)
		lay, err := Open(r, int64(len(data)))
		if err != nil {
			return
		}
		for _, rg := range lay.Ranges {
			if rg.Len < 0 || (rg.Frames == nil && rg.FileOff+rg.Len > int64(len(data))) {
				t.Fatalf("range %+v outside %d bytes", rg, len(data))
			}
		}
		Scan(context.Background(), r, lay, Options{ChunkSize: 4096}, func(*Finding) error { return nil })
	})
}

// BenchmarkScan measures the scanner on a dump-like image: a quarter zero
// pages, a half random pages, a quarter text pages (log lines, HTTP
// requests, prose with addresses).
//
//	go test ./parsers/memory -run XXX -bench Scan -benchtime 3x
func BenchmarkScan(b *testing.B) {
	data := dumpLike(64<<20, 1)
	lay, _ := Open(bytes.NewReader(data), int64(len(data)))
	opt := Options{LineFormats: LineFormats()}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Scan(context.Background(), bytes.NewReader(data), lay, opt, func(*Finding) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

func dumpLike(size int, seed uint64) []byte {
	data := make([]byte, size)
	r := rand.New(rand.NewPCG(seed, 9))
	text := []byte(strings.Repeat(
		"203.0.113.7 - - [10/Oct/2026:13:55:36 +0900] \"GET /index.php?id=42 HTTP/1.1\" 200 2326 \"http://www.example.com/\" \"Mozilla/5.0\"\n"+
			"The quick brown fox jumps over the lazy dog; write to support@example.com or call 03-1234-5678.\n"+
			"GET /api/v1/items HTTP/1.1\r\nHost: shop.example.jp\r\nUser-Agent: curl/8.0\r\n\r\n"+
			"version 1.2.3 build 20240115 checksum 0x1f2e3d4c path /usr/lib/x86_64-linux-gnu/libc.so.6\n", 64))
	for p := 0; p < size; p += 4096 {
		page := data[p:min(size, p+4096)]
		switch r.IntN(4) {
		case 0: // zero page
		case 1:
			copy(page, text[r.IntN(len(text)-4096):])
		default:
			for i := range page {
				page[i] = byte(r.Uint32())
			}
		}
	}
	return data
}

func TestCancel(t *testing.T) {
	data := dumpLike(4<<20, 5)
	lay, _ := Open(bytes.NewReader(data), int64(len(data)))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Scan(ctx, bytes.NewReader(data), lay, Options{ChunkSize: 64 << 10}, func(*Finding) error { return nil }); err != context.Canceled {
		t.Errorf("cancelled scan: %v", err)
	}
	// An error from the callback stops the scan and is returned.
	stop := fmt.Errorf("enough")
	n := 0
	_, err := Scan(context.Background(), bytes.NewReader(data), lay, Options{ChunkSize: 64 << 10}, func(*Finding) error { n++; return stop })
	if err != stop || n != 1 {
		t.Errorf("callback error: %v after %d findings", err, n)
	}
}
