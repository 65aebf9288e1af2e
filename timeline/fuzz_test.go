package timeline

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadManifest: any manifest.json is read or refused, never panics, and
// a manifest read names only segments inside its directory.
func FuzzReadManifest(f *testing.F) {
	f.Add([]byte(`{"schema":"` + SchemaVersion + `","generation":1,"rows":3,"runs":["E0001"],"segments":[{"file":"seg-000000.arrow","rows":3,"row_base":0,"first":1,"last":2,"sha256":"00"}]}`))
	f.Add([]byte(`{"schema":"` + SchemaVersion + `","segments":[{"file":"../../etc/passwd"}]}`))
	f.Add([]byte(`{"schema":"0"}`))
	f.Add([]byte(`[]`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, manifestName), b, 0o644); err != nil {
			t.Fatal(err)
		}
		m, err := ReadManifest(dir)
		if err != nil {
			return
		}
		for _, s := range m.Segments {
			if !validSegmentName(s.File) {
				t.Fatalf("segment %q accepted", s.File)
			}
		}
	})
}

// FuzzOpenSegment: any bytes as a segment file are refused or give a
// segment whose every row reads, with either reader; never a panic.
func FuzzOpenSegment(f *testing.F) {
	base := f.TempDir()
	run := filepath.Join(base, "E0001")
	os.MkdirAll(run, 0o755)
	w := NewRunWriter(run)
	for i := range 20 {
		ev := sampleEvent(i, int64(1_700_000_000_000_000_000)+int64(i)*1e9)
		if err := w.Emit(&ev); err != nil {
			f.Fatal(err)
		}
	}
	if _, err := w.Close(); err != nil {
		f.Fatal(err)
	}
	m, err := Store{Dir: filepath.Join(base, "tl")}.Merge([]string{run}, []string{"E0001"}, nil)
	if err != nil {
		f.Fatal(err)
	}
	seg, err := os.ReadFile(filepath.Join(base, "tl", "g1", m.Segments[0].File))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seg)
	f.Add(seg[:len(seg)/2])
	f.Add([]byte("ARROW1\x00\x00"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, "seg-000000.arrow"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		info := SegmentInfo{File: "seg-000000.arrow"}
		for _, open := range []func(string, SegmentInfo) (*Segment, error){OpenSegment, OpenSegmentMapped} {
			s, err := open(dir, info)
			if err != nil {
				continue
			}
			var ev Event
			for i := range s.Len() {
				s.Event(i, &ev)
			}
			s.Release()
		}
	})
}
