package ntfs

import (
	"compress/bzip2"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

type collect struct{ evs []timeline.Event }

func (c *collect) Emit(ev *timeline.Event) error {
	e := *ev
	e.Extra = append([]timeline.KV(nil), ev.Extra...)
	e.Raw = append([]byte(nil), ev.Raw...)
	c.evs = append(c.evs, e)
	return nil
}

func extra(e *timeline.Event, k string) string {
	for _, kv := range e.AllExtra() {
		if kv.Key == k {
			return kv.Value
		}
	}
	return ""
}

// bodyLine is one bodyfile line rebuilt from events the way the lead's
// bodyfile writer does: events grouped by (RefPath, meta, name).
type bodyLine struct {
	name, meta, mode, uid, gid, size string
	a, m, c, cr                      int64
}

func (b bodyLine) String() string {
	return fmt.Sprintf("0|%s|%s|%s|%s|%s|%s|%d|%d|%d|%d", b.name, b.meta, b.mode, b.uid, b.gid, b.size, b.a, b.m, b.c, b.cr)
}

func bodyfile(evs []timeline.Event) map[string]*bodyLine {
	out := map[string]*bodyLine{}
	for i := range evs {
		e := &evs[i]
		if e.Source != Name {
			continue
		}
		k := e.RefPath + "\x00" + extra(e, "meta") + "\x00" + extra(e, "name")
		b := out[k]
		if b == nil {
			b = &bodyLine{name: extra(e, "name"), meta: extra(e, "meta"), mode: extra(e, "mode"),
				uid: extra(e, "uid"), gid: extra(e, "gid"), size: extra(e, "size")}
			out[k] = b
		}
		sec := e.Time / 1e9
		if e.Time < 0 && e.Time%1e9 != 0 {
			sec--
		}
		switch strings.TrimPrefix(strings.TrimPrefix(e.TimeDesc, "si_"), "fn_") {
		case "atime":
			b.a = sec
		case "mtime":
			b.m = sec
		case "ctime":
			b.c = sec
		case "crtime":
			b.cr = sec
		}
	}
	return out
}

// tskBody reads a TSK bodyfile, keyed by name and meta.
func tskBody(t *testing.T, path string) map[string]string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, l := range strings.Split(string(b), "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		f := strings.Split(l, "|")
		out[f[1]+"|"+f[2]] = l
	}
	return out
}

func ourBody(evs []timeline.Event) map[string]string {
	out := map[string]string{}
	for _, b := range bodyfile(evs) {
		out[b.name+"|"+b.meta] = b.String()
	}
	return out
}

// bunzip decompresses a corpus image into the test's temp directory.
func bunzip(t testing.TB, src string) string {
	t.Helper()
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dst := filepath.Join(t.TempDir(), strings.TrimSuffix(filepath.Base(src), ".bz2"))
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, bzip2.NewReader(f)); err != nil {
		t.Fatal(err)
	}
	out.Close()
	return dst
}

// parseImage parses a bare NTFS image file and returns its events and
// warnings.
func parseImage(t testing.TB, path string, opts map[string]string) ([]timeline.Event, []string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	var warns []string
	in := &parsers.Input{Name: filepath.Base(path), Evidence: "E1", Host: "h", Options: opts,
		Warn: func(m string) { warns = append(warns, m) }}
	vol := &parsers.Volume{R: f, Size: st.Size(), RefPath: in.Name, Input: in}
	if !Detect(f, st.Size()) {
		t.Fatalf("%s: not detected as NTFS", path)
	}
	var c collect
	if err := Parse(context.Background(), vol, &c); err != nil {
		t.Fatal(err)
	}
	return c.evs, warns
}

func timeFmt(ns int64) string {
	return time.Unix(0, ns).UTC().Format("2006-01-02T15:04:05.0000000")
}

func volumeFor(f *os.File, size int64, warns *[]string) *parsers.Volume {
	in := &parsers.Input{Name: filepath.Base(f.Name()), Evidence: "E1",
		Warn: func(m string) { *warns = append(*warns, m) }}
	return &parsers.Volume{R: f, Size: size, RefPath: in.Name, Input: in}
}
