package timeline

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestFSColumnsThroughMerge: the typed file-system fields of NTFS and ext4
// records come back from merged segments as they were emitted, with the
// MACB bit the run writer derives from each time description, and the
// legacy extra names (AllExtra) render the meta address as fls does.
func TestFSColumnsThroughMerge(t *testing.T) {
	base := t.TempDir()
	run := filepath.Join(base, "E0001")
	os.MkdirAll(run, 0o755)
	w := NewRunWriter(run)
	var ev Event
	for i, desc := range []string{"si_mtime", "fn_crtime", TimeAccessed, TimeChanged, TimeDeleted} {
		ev.Reset()
		ev.Time, ev.TimeDesc, ev.Source, ev.Message = int64(i), desc, "ntfs", "/a.txt:ads"
		ev.MFT = 64
		ev.MarkFS(i != 4)
		ev.FS.Seq, ev.FS.AttrType, ev.FS.AttrID, ev.FS.AttrName = 3, 128, 4, "ads"
		ev.FS.Mode, ev.FS.UID, ev.FS.GID, ev.FS.Size = "r/rrwxrwxrwx", 0, 0, 1234
		if i >= 2 { // an ext4 record: an inode, links, no attribute
			ev.Source, ev.MFT, ev.Inode = "ext4", Absent, 12
			ev.FS.Seq, ev.FS.AttrType, ev.FS.AttrID, ev.FS.AttrName, ev.FS.Links = Absent, 0, Absent, "", 2
		}
		if err := w.Emit(&ev); err != nil {
			t.Fatal(err)
		}
	}
	ev.Reset()
	ev.Time, ev.TimeDesc, ev.Source = 9, TimeModified, "syslog" // not a file-system record
	w.Emit(&ev)
	if _, err := w.Close(); err != nil {
		t.Fatal(err)
	}
	store := Store{Dir: filepath.Join(base, "timeline")}
	m, err := store.Merge([]string{run}, []string{"E0001"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir, _, _ := store.Current()
	seg, err := OpenSegmentMapped(dir, m.Segments[0])
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Release()
	want := []struct {
		macb  FSFlags
		alloc bool
		extra string
	}{
		{FSTimeM, true, "meta=64-128-4 name=/a.txt:ads mode=r/rrwxrwxrwx uid=0 gid=0 size=1234 allocated=1"},
		{FSTimeB, true, "meta=64-128-4 name=/a.txt:ads mode=r/rrwxrwxrwx uid=0 gid=0 size=1234 allocated=1"},
		{FSTimeA, true, "meta=12 name=/a.txt:ads mode=r/rrwxrwxrwx uid=0 gid=0 size=1234 links=2 allocated=1"},
		{FSTimeC, true, "meta=12 name=/a.txt:ads mode=r/rrwxrwxrwx uid=0 gid=0 size=1234 links=2 allocated=1"},
		{0, false, "meta=12 name=/a.txt:ads mode=r/rrwxrwxrwx uid=0 gid=0 size=1234 links=2 allocated=0"},
	}
	for i, w := range want {
		seg.Event(i, &ev)
		if !ev.IsFS() || ev.MACB() != w.macb || ev.FS.Flags&FSAllocated != 0 != w.alloc {
			t.Errorf("row %d: flags %b", i, ev.FS.Flags)
		}
		var kv []string
		for _, x := range ev.AllExtra() {
			kv = append(kv, x.Key+"="+x.Value)
		}
		if got := strings.Join(kv, " "); got != w.extra {
			t.Errorf("row %d extras:\n got %s\nwant %s", i, got, w.extra)
		}
	}
	if seg.Int(ColFSSeq, 0) != 3 || seg.Str(ColFSAttrName, 0) != "ads" || seg.Int(ColFSLinks, 0) != Absent || seg.Int(ColFSSize, 3) != 1234 {
		t.Errorf("typed columns: seq %d attr %q links %d", seg.Int(ColFSSeq, 0), seg.Str(ColFSAttrName, 0), seg.Int(ColFSLinks, 0))
	}
	seg.Event(5, &ev)
	if ev.IsFS() || len(ev.AllExtra()) != 0 || !seg.Record().Column(ColFSFlags).IsNull(5) {
		t.Errorf("a log row reads as a file-system record: %+v", ev.FS)
	}
}

// TestOldSchemaRefused: a case written in schema 1 (before the fs_*
// columns) is refused with ErrOldSchema and a message naming the file and
// what to do, by the manifest reader and by the merge of its runs, never
// read by position into the wrong columns.
func TestOldSchemaRefused(t *testing.T) {
	base := t.TempDir()
	gen := filepath.Join(base, "timeline", "g1")
	os.MkdirAll(gen, 0o755)
	os.WriteFile(filepath.Join(base, "timeline", "CURRENT"), []byte("g1\n"), 0o644)
	os.WriteFile(filepath.Join(gen, "manifest.json"), []byte(`{"schema":"kiseki-timeline-1","generation":1,"rows":0,"runs":[],"segments":[]}`), 0o644)
	_, _, err := Store{Dir: filepath.Join(base, "timeline")}.Current()
	if !errors.Is(err, ErrOldSchema) || !strings.Contains(err.Error(), "manifest.json") || !strings.Contains(err.Error(), "ingest the evidence again") {
		t.Errorf("old manifest: %v", err)
	}

	// A run file of schema 1: 28 columns, its metadata naming version 1.
	run := filepath.Join(base, "runs", "E0001")
	os.MkdirAll(run, 0o755)
	md := arrow.NewMetadata([]string{"kiseki.schema"}, []string{"kiseki-timeline-1"})
	fields := []arrow.Field{{Name: "time", Type: &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}}}
	for i := 1; i < 28; i++ {
		fields = append(fields, arrow.Field{Name: ColumnName(i), Type: arrow.BinaryTypes.String, Nullable: true})
	}
	schema := arrow.NewSchema(fields, &md)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	b.Field(0).(*array.TimestampBuilder).Append(1)
	for i := 1; i < 28; i++ {
		b.Field(i).(*array.StringBuilder).Append("x")
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	f, _ := os.Create(filepath.Join(run, "run-00001.arrow"))
	fw, err := ipc.NewFileWriter(f, ipc.WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(rec)
	fw.Close()
	f.Close()
	_, err = Store{Dir: filepath.Join(base, "timeline2")}.Merge([]string{run}, []string{"E0001"}, nil)
	if !errors.Is(err, ErrOldSchema) || !strings.Contains(err.Error(), "run-00001.arrow") {
		t.Errorf("old run: %v", err)
	}
}

// FuzzDecodeExtra: the in-place scan of an extra value reads every key and
// value as encoding/json does, for what appendExtraJSON writes and for any
// other text (which it hands to encoding/json).
func FuzzDecodeExtra(f *testing.F) {
	f.Add("k", "quote\" backslash\\ nl\n", "utf8", "日本語\xff")
	f.Add("", "", "a\"", "\\u00")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		kvs := []KV{{k1, v1}, {k2, v2}}
		row := make([]byte, extraRowLen(kvs))
		putExtraRow(row, kvs)
		for _, s := range []string{string(appendExtraJSON(nil, row)), k1 + v1} {
			got, want := decodeExtra(s, nil), decodeExtraJSON(s, nil)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("%q:\n got %q\nwant %q", s, got, want)
			}
		}
	})
}
