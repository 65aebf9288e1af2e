package ext4

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// memSink keeps copies of every event.
type memSink struct{ events []timeline.Event }

func (s *memSink) Emit(ev *timeline.Event) error {
	c := *ev
	c.TimeDesc = strings.Clone(ev.TimeDesc)
	c.TimeOrig = strings.Clone(ev.TimeOrig)
	c.Path = strings.Clone(ev.Path)
	c.Message = strings.Clone(ev.Message)
	c.Tags = strings.Clone(ev.Tags)
	c.FS.Mode = strings.Clone(ev.FS.Mode)
	c.FS.AttrName = strings.Clone(ev.FS.AttrName)
	c.Extra = make([]timeline.KV, len(ev.Extra))
	for i, kv := range ev.Extra {
		c.Extra[i] = timeline.KV{Key: strings.Clone(kv.Key), Value: strings.Clone(kv.Value)}
	}
	s.events = append(s.events, c)
	return nil
}

func extra(ev *timeline.Event, key string) string {
	for _, kv := range ev.AllExtra() {
		if kv.Key == key {
			return kv.Value
		}
	}
	return ""
}

// bodyLine is one bodyfile line: MD5|name|inode|mode|uid|gid|size|atime|mtime|ctime|crtime.
type bodyLine struct {
	Name, Meta, Mode, UID, GID, Size string
	Atime, Mtime, Ctime, Crtime      int64
}

func (b bodyLine) String() string {
	return fmt.Sprintf("0|%s|%s|%s|%s|%s|%s|%d|%d|%d|%d", b.Name, b.Meta, b.Mode, b.UID, b.GID, b.Size, b.Atime, b.Mtime, b.Ctime, b.Crtime)
}

// toBody groups events by (meta, name) the way the bodyfile writer does and
// keeps whole seconds, as the Sleuth Kit prints them. Only events of source
// src are used.
func toBody(t *testing.T, events []timeline.Event, src string) map[string]bodyLine {
	out := map[string]bodyLine{}
	for i := range events {
		ev := &events[i]
		if ev.Source != src {
			continue
		}
		k := extra(ev, "meta") + "|" + extra(ev, "name")
		b, ok := out[k]
		if !ok {
			b = bodyLine{Name: extra(ev, "name"), Meta: extra(ev, "meta"), Mode: extra(ev, "mode"),
				UID: extra(ev, "uid"), GID: extra(ev, "gid"), Size: extra(ev, "size")}
		}
		sec := ev.Time / 1e9
		if ev.Time < 0 && ev.Time%1e9 != 0 {
			sec--
		}
		switch ev.TimeDesc {
		case timeline.TimeAccessed:
			b.Atime = sec
		case timeline.TimeModified:
			b.Mtime = sec
		case timeline.TimeChanged:
			b.Ctime = sec
		case timeline.TimeBorn:
			b.Crtime = sec
		case timeline.TimeDeleted, timeline.TimeUnknown:
		default:
			t.Errorf("unexpected time desc %q", ev.TimeDesc)
		}
		out[k] = b
	}
	return out
}

// readBodyfile reads a Sleuth Kit bodyfile, skipping comment lines.
func readBodyfile(t *testing.T, path string) map[string]bodyLine {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return parseBodyfile(t, data)
}

func parseBodyfile(t *testing.T, data []byte) map[string]bodyLine {
	out := map[string]bodyLine{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "|")
		if len(f) != 11 {
			t.Fatalf("bodyfile line with %d fields: %q", len(f), line)
		}
		n := func(s string) int64 {
			v, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				t.Fatalf("bodyfile line %q: %v", line, err)
			}
			return v
		}
		b := bodyLine{Name: f[1], Meta: f[2], Mode: f[3], UID: f[4], GID: f[5], Size: f[6],
			Atime: n(f[7]), Mtime: n(f[8]), Ctime: n(f[9]), Crtime: n(f[10])}
		out[b.Meta+"|"+b.Name] = b
	}
	return out
}

// parseImage runs the parser over an image file and returns its events and
// warnings.
func parseImage(t testing.TB, r io.ReaderAt, size int64, opts map[string]string) ([]timeline.Event, []string) {
	t.Helper()
	var warns []string
	in := &parsers.Input{Name: "img", Evidence: "E1", Host: "h", Options: opts, Warn: func(m string) { warns = append(warns, m) }}
	vol := &parsers.Volume{R: r, Size: size, RefPath: "img", Input: in}
	s := &memSink{}
	if err := Parse(context.Background(), vol, s); err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return s.events, warns
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
