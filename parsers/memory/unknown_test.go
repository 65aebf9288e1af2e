package memory_test

import (
	"bufio"
	"bytes"
	"context"
	"debug/elf"
	"fmt"
	"maps"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/parsers"
	_ "github.com/kiseki-forensics/kiseki/parsers/disk" // the disk-image format takes *.raw and *.img
	"github.com/kiseki-forensics/kiseki/parsers/memory"
	"github.com/kiseki-forensics/kiseki/timeline"
)

type collect struct {
	events []timeline.Event
	warns  []string
}

func (c *collect) Emit(ev *timeline.Event) error {
	e := *ev
	e.Raw = bytes.Clone(ev.Raw)
	e.Source, e.URL, e.Method, e.SrcIP = strings.Clone(ev.Source), strings.Clone(ev.URL), strings.Clone(ev.Method), strings.Clone(ev.SrcIP)
	e.Extra = nil
	c.events = append(c.events, e)
	return nil
}

// ingest detects the file's format as the engine does and parses it.
func ingest(t *testing.T, path, name string) (*parsers.Format, *collect) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	head := make([]byte, min(st.Size(), parsers.HeadSize))
	f.ReadAt(head, 0)
	cands := parsers.Detect(name, head)
	if len(cands) == 0 {
		t.Fatalf("%s: no format claims it", name)
	}
	c := &collect{}
	in := &parsers.Input{Name: name, Evidence: "E1", Host: "web01", ReaderAt: f, Size: st.Size(), ModTime: st.ModTime(),
		ZoneSource: "default", Warn: func(m string) { c.warns = append(c.warns, m) }}
	if err := parsers.SafeParse(context.Background(), cands[0].Format, in, c); err != nil {
		t.Fatalf("%s (%s): %v", name, cands[0].Format.Name, err)
	}
	return cands[0].Format, c
}

// rawDump runs fixtures/memory/make.sh (a live server dumped with gcore)
// and writes its PT_LOAD segments end to end: a raw dump with no header.
func rawDump(t *testing.T) (core, raw string, accessLog []string) {
	if _, err := exec.LookPath("gcore"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("gcore (gdb) is not installed")
		}
		t.Skip("gcore (gdb) is not installed")
	}
	dir := t.TempDir()
	if out, err := exec.Command("sh", filepath.Join(corpus.Root(t), "fixtures", "memory", "make.sh"), dir).CombinedOutput(); err != nil {
		t.Fatalf("make.sh: %v\n%s", err, out)
	}
	core = filepath.Join(dir, "server.core")
	ef, err := elf.Open(core)
	if err != nil {
		t.Fatal(err)
	}
	defer ef.Close()
	var b bytes.Buffer
	for _, p := range ef.Progs {
		if p.Type == elf.PT_LOAD && p.Filesz > 0 {
			seg := make([]byte, p.Filesz)
			p.ReadAt(seg, 0)
			b.Write(seg)
		}
	}
	raw = filepath.Join(dir, "dump")
	os.WriteFile(raw, b.Bytes(), 0o644)
	lb, _ := os.ReadFile(filepath.Join(dir, "access.log"))
	return core, raw, strings.Split(strings.TrimSpace(string(lb)), "\n")
}

// accessLines counts the carved request events by time, client, method,
// URL and status.
func accessLines(c *collect) map[string]int {
	out := map[string]int{}
	for _, ev := range c.events {
		if ev.Source == "access-log" {
			out[fmt.Sprint(ev.Time, " ", ev.SrcIP, " ", ev.Method, " ", ev.URL, " ", ev.Status)]++
		}
	}
	return out
}

// A raw memory dump gives its log lines whatever its name: as *.raw the
// disk-image format takes it, finds no partition table and carves it; under
// any other name the strings format claims it and carves it as memory.
func TestRawDumpOfAnyName(t *testing.T) {
	core, raw, logLines := rawDump(t)
	_, fromCore := ingest(t, core, "server.core")
	want := accessLines(fromCore)
	if len(want) == 0 || len(logLines) == 0 {
		t.Fatalf("the ELF core gives %d request events; the server wrote %d lines", len(want), len(logLines))
	}
	for _, name := range []string{"nginx-worker.raw", "worker.dmp", "pid1234", "capture.img"} {
		t.Run(name, func(t *testing.T) {
			f, c := ingest(t, raw, name)
			got := accessLines(c)
			if !maps.Equal(got, want) {
				t.Errorf("format %s: %d distinct request events, the core gives %d (warnings %v)", f.Name, len(got), len(want), c.warns)
			}
			if len(c.warns) == 0 || !strings.Contains(strings.Join(c.warns, " "), "carved") {
				t.Errorf("the summary does not say how the file was read: %v", c.warns)
			}
			for _, ev := range c.events {
				if ev.Source == memory.StringsFormat {
					t.Fatal("memory-like dump gave printable-string events")
				}
			}
		})
	}
}

// stringsOffsets runs GNU strings -a -t d and returns its offsets.
func stringsOffsets(t *testing.T, path string) []int64 {
	p, err := exec.LookPath("strings")
	if err != nil {
		t.Skip("GNU strings (binutils) is not installed")
	}
	out, err := exec.Command(p, "-a", "-t", "d", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	var offs []int64
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			t.Fatalf("strings line %q", sc.Text())
		}
		offs = append(offs, n)
	}
	return offs
}

// A binary no format knows gives its printable strings, as many and at the
// same offsets as GNU strings finds, and the summary says so.
func TestUnknownBinaryGivesStrings(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	b := make([]byte, 3<<20)
	for i := range b {
		switch v := rng.Intn(100); {
		case v < 55:
			b[i] = byte(rng.Intn(256))
		case v < 60:
			b[i] = 0
		default:
			b[i] = byte(0x20 + rng.Intn(95))
		}
	}
	copy(b[1<<20:], bytes.Repeat([]byte("long\tline "), 10000)) // one 100 000-byte run
	b[0] = 0
	p := filepath.Join(t.TempDir(), "blob.unknown")
	os.WriteFile(p, b, 0o644)
	want := stringsOffsets(t, p)
	f, c := ingest(t, p, "blob.unknown")
	if f.Name != memory.StringsFormat {
		t.Fatalf("claimed by %s", f.Name)
	}
	var got []int64
	truncated := 0
	for _, ev := range c.events {
		if ev.Source == memory.StringsFormat {
			got = append(got, ev.Offset)
			if strings.Contains(ev.Tags, "truncated") {
				truncated++
			}
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%d strings, GNU strings finds %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("string %d at offset %d, GNU strings says %d", i, got[i], want[i])
		}
	}
	if truncated != 1 || len(c.warns) != 1 || !strings.Contains(c.warns[0], strconv.Itoa(len(want))+" printable strings") {
		t.Errorf("truncated %d, warnings %v", truncated, c.warns)
	}
}

// Files with nothing to carve are not claimed: the engine reports them.
func TestDetectUnknown(t *testing.T) {
	for _, c := range []struct {
		head []byte
		want int
	}{
		{[]byte{0, 1, 2, 3, 0, 0, 0xff, 0, 7, 0}, 0}, // no printable run
		{[]byte("plain text\nno NUL\n"), 0},          // text: the engine keeps its lines
		{append([]byte("\x00\x01"), "abcd"...), 1},   // binary with a string
		{make([]byte, 8192), 1},                      // all zeros: a dump's head
		{make([]byte, 100), 0},                       // a few zeros mean nothing
	} {
		if got := memory.DetectUnknown("x", c.head); got != c.want {
			t.Errorf("DetectUnknown(%q) = %d, want %d", c.head[:min(len(c.head), 12)], got, c.want)
		}
	}
}

// A file the memory format claims by name (*.bin) in which carving finds
// no log line gives its printable strings: never zero events in silence.
func TestRawMemoryWithoutLogLines(t *testing.T) {
	p := filepath.Join(t.TempDir(), "dump.bin")
	os.WriteFile(p, []byte("\x00\x01binary header v2\x00\x00ok\x00\xffsecond string\n"), 0o644)
	want := stringsOffsets(t, p)
	f, c := ingest(t, p, "dump.bin")
	if f.Name != memory.FormatName || len(want) != 2 {
		t.Fatalf("format %s, strings finds %v", f.Name, want)
	}
	var got []int64
	for _, ev := range c.events {
		if ev.Source == memory.StringsFormat {
			got = append(got, ev.Offset)
		}
	}
	if !slices.Equal(got, want) || len(c.warns) != 1 {
		t.Fatalf("offsets %v, want %v; warnings %v", got, want, c.warns)
	}
}
