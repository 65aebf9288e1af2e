// Package fsbody compares the file system events of a Kiseki parser with
// the Sleuth Kit's `fls -r -m` bodyfile of the same image, for the tests of
// the file system parsers: which (name, mtime) pairs both list, and which
// only one does.
package fsbody

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Collect keeps copies of the events it is given.
type Collect struct{ Events []timeline.Event }

// Emit copies ev (its strings may point into a parser's buffer).
func (c *Collect) Emit(ev *timeline.Event) error {
	e := *ev
	e.TimeDesc, e.TimeOrig, e.Path, e.Message, e.Tags, e.Zone = strings.Clone(ev.TimeDesc), strings.Clone(ev.TimeOrig),
		strings.Clone(ev.Path), strings.Clone(ev.Message), strings.Clone(ev.Tags), strings.Clone(ev.Zone)
	e.FS.Mode, e.FS.AttrName = strings.Clone(ev.FS.Mode), strings.Clone(ev.FS.AttrName)
	e.Extra = make([]timeline.KV, len(ev.Extra))
	for i, kv := range ev.Extra {
		e.Extra[i] = timeline.KV{Key: strings.Clone(kv.Key), Value: strings.Clone(kv.Value)}
	}
	c.Events = append(c.Events, e)
	return nil
}

// Extra returns the value of an event's extra field, or "" (the file-system
// fields under their names: meta, name, mode, size...).
func Extra(ev *timeline.Event, key string) string {
	for _, kv := range ev.AllExtra() {
		if kv.Key == key {
			return kv.Value
		}
	}
	return ""
}

// Line is one file of a bodyfile: its name and mtime in whole seconds.
type Line struct {
	Name  string
	Mtime int64
}

// Ours folds file system events into bodyfile lines, as `kiseki timeline
// --format bodyfile` does: one line per (meta, name), the mtime from the
// event whose TimeDesc ends in "mtime" (0 when none).
func Ours(evs []timeline.Event) map[Line]int {
	type key struct{ meta, name string }
	m := map[key]int64{}
	for i := range evs {
		ev := &evs[i]
		k := key{Extra(ev, "meta"), Extra(ev, "name")}
		if k.meta == "" {
			continue
		}
		if _, ok := m[k]; !ok {
			m[k] = 0
		}
		if strings.HasSuffix(ev.TimeDesc, "mtime") {
			m[k] = ev.Time / 1e9
		}
	}
	out := map[Line]int{}
	for k, t := range m {
		out[Line{k.name, t}]++
	}
	return out
}

// Need returns the path of a tool, skipping the test when it is missing
// (failing under CI=true, where scripts/apt-packages.txt installs it).
func Need(t testing.TB, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed (scripts/apt-packages.txt names its package)", tool)
		}
		t.Skipf("%s is not installed: test skipped", tool)
	}
	return p
}

// FLS runs `fls -r -m / -z UTC` (plus args, e.g. "-o", sector offset) on
// image and returns its lines, less the Sleuth Kit's virtual files ($MBR,
// $FAT1, $FAT2, $OrphanFiles, exFAT's $ALLOC_BITMAP and $UPCASE_TABLE) and
// volume label entries without times (exFAT's), which are not files.
func FLS(t testing.TB, image string, args ...string) map[Line]int {
	t.Helper()
	fls := Need(t, "fls")
	a := append([]string{"-r", "-m", "/", "-z", "UTC"}, args...)
	out, err := exec.Command(fls, append(a, image)...).Output()
	if err != nil {
		t.Fatalf("fls %v %s: %v", a, image, err)
	}
	return Parse(out)
}

// ReadBody reads a bodyfile (a corpus reference) as FLS returns it.
func ReadBody(t testing.TB, path string) map[Line]int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return Parse(b)
}

// Parse reads bodyfile lines, less the Sleuth Kit's virtual files and
// volume label entries (see FLS).
func Parse(body []byte) map[Line]int {
	lines := map[Line]int{}
	for _, l := range bytes.Split(body, []byte("\n")) {
		f := strings.Split(string(l), "|")
		if len(f) != 11 {
			continue
		}
		name := f[1]
		mt, _ := strconv.ParseInt(f[8], 10, 64)
		if strings.HasPrefix(f[3], "v/") || strings.HasPrefix(f[3], "V/") || strings.HasSuffix(name, "(Volume Label Entry)") && mt == 0 ||
			name == "/$ALLOC_BITMAP" || name == "/$UPCASE_TABLE" {
			continue
		}
		lines[Line{name, mt}]++
	}
	return lines
}

// Compare returns the share of lines both list (over the larger of the two
// counts) and the lines only one lists, sorted, for a failure message.
func Compare(ours, tsk map[Line]int) (ratio float64, onlyOurs, onlyTSK []string) {
	both, nOurs, nTSK := 0, 0, 0
	for l, n := range ours {
		nOurs += n
		k := min(n, tsk[l])
		both += k
		for i := k; i < n; i++ {
			onlyOurs = append(onlyOurs, fmt.Sprintf("%s %d", l.Name, l.Mtime))
		}
	}
	for l, n := range tsk {
		nTSK += n
		for i := ours[l]; i < n; i++ {
			onlyTSK = append(onlyTSK, fmt.Sprintf("%s %d", l.Name, l.Mtime))
		}
	}
	sort.Strings(onlyOurs)
	sort.Strings(onlyTSK)
	if max(nOurs, nTSK) == 0 {
		return 1, nil, nil
	}
	return float64(both) / float64(max(nOurs, nTSK)), onlyOurs, onlyTSK
}

// ParseVolume runs file system fs on the bare volume in file path and
// returns its events and warnings.
func ParseVolume(t testing.TB, fs *parsers.FileSystem, path string, in *parsers.Input) ([]timeline.Event, []string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	var warns []string
	if in == nil {
		in = &parsers.Input{}
	}
	in.Name = path
	in.Warn = func(m string) { warns = append(warns, m) }
	var c Collect
	vol := &parsers.Volume{R: f, Size: st.Size(), RefPath: path, Input: in}
	if err := fs.Parse(context.Background(), vol, &c); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return c.Events, warns
}

// Check fails t when fewer than min of the lines agree, listing the
// differences; it logs the ratio either way.
func Check(t testing.TB, what string, ours, tsk map[Line]int, min float64) {
	t.Helper()
	r, a, b := Compare(ours, tsk)
	t.Logf("%s: %.4f of %d (ours) / %d (reference) bodyfile lines agree on (name, mtime)", what, r, total(ours), total(tsk))
	if r < min {
		t.Errorf("%s: only %.4f agree (want >= %.2f)\nonly ours: %s\nonly in the reference: %s", what, r, min, trim(a), trim(b))
	}
}

func total(m map[Line]int) int {
	n := 0
	for _, c := range m {
		n += c
	}
	return n
}

func trim(s []string) string {
	if len(s) > 40 {
		s = append(s[:40:40], fmt.Sprintf("... %d more", len(s)-40))
	}
	return strings.Join(s, "\n  ")
}
