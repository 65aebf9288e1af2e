package all_test

import (
	"testing"

	"github.com/kiseki-forensics/kiseki/parsers"
	_ "github.com/kiseki-forensics/kiseki/parsers/all"
)

// FuzzDetect: detection over any name and first bytes never panics (a
// detector's panic counts as 0, but none should panic), scores are 1-100
// and best first.
func FuzzDetect(f *testing.F) {
	f.Add("access.log", []byte(`10.0.0.1 - - [13/Jan/2016:19:31:16 +0000] "GET / HTTP/1.1" 200 1 "-" "ua"`+"\n"))
	f.Add("auth.log", []byte("Jan  1 00:00:00 web01 sshd[1]: Accepted password for deploy from 10.0.0.9 port 22 ssh2\n"))
	f.Add("u_ex260101.log", []byte("#Software: Microsoft IIS\n#Fields: date time cs-method\n"))
	f.Add("wtmp", make([]byte, 384))
	f.Add("$MFT", []byte("FILE0\x00\x03\x00"))
	f.Add("disk.E01", []byte("EVF\x09\x0d\x0a\xff\x00"))
	f.Add("", []byte{})
	f.Fuzz(func(t *testing.T, name string, head []byte) {
		cands := parsers.Detect(name, head)
		for i, c := range cands {
			if c.Score <= 0 || c.Score > 100 {
				t.Fatalf("%s scored %d", c.Format.Name, c.Score)
			}
			if i > 0 && c.Score > cands[i-1].Score {
				t.Fatalf("candidates not best first: %v", cands)
			}
		}
	})
}
