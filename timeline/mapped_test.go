package timeline

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestOpenSegmentMapped reads every row of a merged timeline through the
// mapped reader and the copying one and compares the events.
func TestOpenSegmentMapped(t *testing.T) {
	base := t.TempDir()
	run := filepath.Join(base, "E0001")
	os.MkdirAll(run, 0o755)
	writeRuns(t, run, 5000, 9)
	store := Store{Dir: filepath.Join(base, "timeline")}
	if _, err := store.Merge([]string{run}, []string{"E0001"}, nil); err != nil {
		t.Fatal(err)
	}
	dir, m, err := store.Current()
	if err != nil {
		t.Fatal(err)
	}
	for _, si := range m.Segments {
		a, err := OpenSegment(dir, si)
		if err != nil {
			t.Fatal(err)
		}
		b, err := OpenSegmentMapped(dir, si)
		if err != nil {
			t.Fatal(err)
		}
		var ea, eb Event
		for i := range a.Len() {
			a.Event(i, &ea)
			b.Event(i, &eb)
			if !reflect.DeepEqual(ea, eb) {
				t.Fatalf("row %d:\n%+v\n%+v", i, ea, eb)
			}
		}
		va, ca := a.DictCodes(ColHost)
		vb, cb := b.DictCodes(ColHost)
		if !reflect.DeepEqual(va, vb) || !reflect.DeepEqual(ca, cb) {
			t.Error("dictionaries differ")
		}
		a.Release()
		b.Release()
	}
	// A file that is not a segment is an error, not a crash.
	bad := filepath.Join(base, "bad")
	os.MkdirAll(bad, 0o755)
	for _, content := range []string{"ARROW1\x00\x00\xff\xff\xff\xff\x10\x00\x00\x00garbage-garbage-", "ARROW1\x00\x00\xff\xff\xff\xff\xff\xff\xff\x7f", "not arrow at all, not at all"} {
		os.WriteFile(filepath.Join(bad, "s.arrow"), []byte(content), 0o644)
		if _, err := OpenSegmentMapped(bad, SegmentInfo{File: "s.arrow", Rows: 1}); err == nil {
			t.Errorf("%q opened", content)
		}
	}
}
