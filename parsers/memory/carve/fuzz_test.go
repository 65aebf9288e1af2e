package carve

import "testing"

// One fuzz target per feature scanner: each runs its scanner alone at every
// position where Scan would trigger it, and checks the match bounds.

func fuzzOne(f *testing.F, seeds []string, trigger func(t []byte, i int) bool, run func(s *Scanner, i int)) {
	for _, sd := range seeds {
		f.Add([]byte(sd))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var s Scanner
		s.text = b
		s.emit = func(m *Match) {
			if m.Start < 0 || m.End > len(b) || m.Start > m.End || m.Anchor > m.Start || len(m.Value) > MaxMatch {
				t.Fatalf("bad match %+v in %d bytes", m, len(b))
			}
			_ = s.Context(nil, m)
		}
		for i := range b {
			if trigger(b, i) {
				run(&s, i)
			}
		}
	})
}

func digitStart(t []byte, i int) bool { return isDigit(t[i]) && (i == 0 || !isDigit(t[i-1])) }

func FuzzIPv4(f *testing.F) {
	fuzzOne(f, []string{"10.0.0.1", "1.2.3.4.5", "256.0.0.1"}, digitStart, func(s *Scanner, i int) { s.ipv4(i) })
}

func FuzzCard(f *testing.F) {
	fuzzOne(f, []string{"4242 4242 4242 4242", "378282246310005", "1234-5678"}, digitStart, func(s *Scanner, i int) { s.card(i) })
}

func FuzzPhoneJP(f *testing.F) {
	fuzzOne(f, []string{"090-1234-5678", "0120-123-456", "03-1234-5678"}, digitStart, func(s *Scanner, i int) { s.phoneJP(i) })
}

func FuzzE164(f *testing.F) {
	fuzzOne(f, []string{"+81-90-1234-5678", "+1 415 555 0100"}, func(t []byte, i int) bool { return t[i] == '+' }, func(s *Scanner, i int) { s.e164(i) })
}

func FuzzEmail(f *testing.F) {
	fuzzOne(f, []string{"taro@example.jp", "a..b@x.com"}, func(t []byte, i int) bool { return t[i] == '@' }, func(s *Scanner, i int) { s.email(i) })
}

func FuzzDomain(f *testing.F) {
	fuzzOne(f, []string{"www.example.com", "libc.so.6"}, func(t []byte, i int) bool { return t[i] == '.' }, func(s *Scanner, i int) {
		if i >= s.domDone {
			s.domain(i)
		}
	})
}

func FuzzURL(f *testing.F) {
	fuzzOne(f, []string{"http://example.com/a?b=c", "https://x/y)."}, func(t []byte, i int) bool {
		return t[i] == ':' && i+2 < len(t) && t[i+1] == '/' && t[i+2] == '/'
	}, func(s *Scanner, i int) { s.url(i) })
}

func FuzzIPv6(f *testing.F) {
	fuzzOne(f, []string{"2001:db8::1", "::ffff:10.0.0.1", "std::map"}, func(t []byte, i int) bool { return t[i] == ':' }, func(s *Scanner, i int) {
		if i >= s.v6Done {
			s.ipv6(i)
		}
	})
}

func lineStart(t []byte, i int) bool { return i == 0 || t[i-1] == '\n' }

func FuzzLines(f *testing.F) {
	// HTTP blocks, prompts, bash history and log line candidates.
	fuzzOne(f, []string{"GET / HTTP/1.1\r\nCookie: a=b\r\n\r\n", "#1700000000\nls\n", "root@h:~# id\n", "HTTP/1.1 200 OK\r\nSet-Cookie: x\r\n"},
		lineStart, func(s *Scanner, i int) {
			end, _ := s.lineEnd(i)
			s.line(i, end, true)
		})
}
