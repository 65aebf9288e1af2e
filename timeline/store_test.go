package timeline

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
)

func sampleEvent(i int, t int64) Event {
	var ev Event
	ev.Reset()
	ev.Time = t
	ev.TimeDesc = TimeRequest
	ev.Host = fmt.Sprintf("web%02d", i%3)
	ev.Source = "access-log"
	ev.Evidence = "E0001"
	ev.RefPath = "logs/access.log"
	ev.Line = int64(i + 1)
	ev.Offset = int64(i * 100)
	ev.SrcIP = fmt.Sprintf("192.0.2.%d", i%250)
	ev.Method = "GET"
	ev.URL = fmt.Sprintf("/item/%d", i%97)
	ev.Status = 200
	ev.Bytes = int64(i)
	if i%10 == 0 {
		ev.Source = SourceRaw
		ev.Raw = []byte{0xff, byte(i), '\n'}
		ev.Bytes = Absent
		ev.Status = 0
	}
	ev.AddExtra("referer", "https://x/?q=\"quoted\"")
	return ev
}

// writeRuns writes n events in shuffled time order through a RunWriter with
// a small chunk so several runs are written.
func writeRuns(t *testing.T, dir string, n int, seed uint64) []int64 {
	t.Helper()
	w := NewRunWriter(dir)
	w.chunkBytes = 64 << 10
	r := rand.New(rand.NewPCG(seed, 7))
	var times []int64
	for i := range n {
		tm := int64(1_700_000_000_000_000_000) + int64(r.IntN(1_000_000))*1e6
		ev := sampleEvent(i, tm)
		if err := w.Emit(&ev); err != nil {
			t.Fatal(err)
		}
		times = append(times, tm)
	}
	rows, err := w.Close()
	if err != nil || rows != int64(n) {
		t.Fatalf("close: %d rows, %v", rows, err)
	}
	if w.runs < 3 {
		t.Fatalf("only %d runs: the test wants several", w.runs)
	}
	return times
}

// TestMergeReadWithArrow writes runs from two sources, merges them, and reads
// the segments back with the Arrow library's own IPC reader, checking the
// documented schema, dictionary encoding, time order and values.
func TestMergeReadWithArrow(t *testing.T) {
	base := t.TempDir()
	runA, runB := filepath.Join(base, "runs", "E0001"), filepath.Join(base, "runs", "E0002")
	os.MkdirAll(runA, 0o755)
	os.MkdirAll(runB, 0o755)
	ta := writeRuns(t, runA, 5000, 1)
	tb := writeRuns(t, runB, 4000, 2)
	all := append(ta, tb...)
	slices.Sort(all)

	store := Store{Dir: filepath.Join(base, "timeline")}
	m, err := store.Merge([]string{runA, runB}, []string{"E0001", "E0002"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.Rows != int64(len(all)) || len(m.Segments) != 1 {
		t.Fatalf("manifest: %d rows in %d segments", m.Rows, len(m.Segments))
	}
	dir, cur, err := store.Current()
	if err != nil || cur.Generation != 1 {
		t.Fatalf("current: %v gen %d", err, cur.Generation)
	}

	f, err := os.Open(filepath.Join(dir, m.Segments[0].File))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := ipc.NewFileReader(f)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	schema := r.Schema()
	want := map[string]arrow.Type{"time": arrow.TIMESTAMP, "host": arrow.DICTIONARY, "source": arrow.DICTIONARY, "url": arrow.DICTIONARY,
		"message": arrow.STRING, "line": arrow.INT64, "status": arrow.INT32, "raw": arrow.BINARY, "extra": arrow.STRING}
	for name, typ := range want {
		idx := schema.FieldIndices(name)
		if len(idx) != 1 || schema.Field(idx[0]).Type.ID() != typ {
			t.Errorf("column %s: %v, want %v", name, idx, typ)
		}
	}
	if v, _ := schema.Metadata().GetValue("kiseki.schema"); v != SchemaVersion {
		t.Errorf("schema metadata %q", v)
	}
	rec, err := r.RecordBatch(0)
	if err != nil {
		t.Fatal(err)
	}
	ts := rec.Column(ColTime).(*array.Timestamp)
	for i := range ts.Len() {
		if int64(ts.Value(i)) != all[i] {
			t.Fatalf("row %d: time %d, want %d", i, ts.Value(i), all[i])
		}
	}
	hosts := rec.Column(ColHost).(*array.Dictionary)
	if hosts.Dictionary().Len() != 3 {
		t.Errorf("host dictionary has %d values, want 3", hosts.Dictionary().Len())
	}
	// Absent integers are nulls; unparsed rows keep their bytes.
	bytesCol := rec.Column(ColBytes).(*array.Int64)
	raw := rec.Column(ColRaw).(*array.Binary)
	src := rec.Column(ColSource).(*array.Dictionary)
	srcVals := src.Dictionary().(*array.String)
	nraw := 0
	for i := range rec.NumRows() {
		if srcVals.Value(src.GetValueIndex(int(i))) == SourceRaw {
			nraw++
			if !bytesCol.IsNull(int(i)) || raw.ValueLen(int(i)) != 3 {
				t.Fatalf("unparsed row %d: bytes null %v raw %q", i, bytesCol.IsNull(int(i)), raw.Value(int(i)))
			}
		}
	}
	if nraw != 900 {
		t.Errorf("%d unparsed rows, want 900", nraw)
	}

	// Our own reader gives back the same events, extras included.
	seg, err := OpenSegment(dir, m.Segments[0])
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Release()
	var ev Event
	seg.Event(0, &ev)
	if len(ev.Extra) != 1 || ev.Extra[0].Value != `https://x/?q="quoted"` || ev.Evidence == "" || ev.RefPath != "logs/access.log" {
		t.Errorf("event 0: %+v", ev)
	}
	if i := seg.Search(all[100]); seg.Time(i) != all[100] || (i > 0 && seg.Time(i-1) >= all[100]) {
		t.Errorf("Search(%d) = %d", all[100], i)
	}
}

// TestMergeGenerations: a second merge makes a new generation current and
// removes the old one; a leftover half-written generation is ignored.
func TestMergeGenerations(t *testing.T) {
	base := t.TempDir()
	run := filepath.Join(base, "E0001")
	os.MkdirAll(run, 0o755)
	writeRuns(t, run, 3000, 3)
	store := Store{Dir: filepath.Join(base, "timeline")}
	if _, err := store.Merge([]string{run}, []string{"E0001"}, nil); err != nil {
		t.Fatal(err)
	}
	// A killed merge of generation 2 left a partial directory behind.
	os.MkdirAll(filepath.Join(store.Dir, "g2"), 0o755)
	os.WriteFile(filepath.Join(store.Dir, "g2", "seg-000000.arrow"), []byte("torn"), 0o644)
	dir, m, err := store.Current()
	if err != nil || filepath.Base(dir) != "g1" || m.Rows != 3000 {
		t.Fatalf("current after torn merge: %s %v %v", dir, m.Rows, err)
	}
	m2, err := store.Merge([]string{run}, []string{"E0001"}, nil)
	if err != nil || m2.Generation != 2 || m2.Rows != 3000 {
		t.Fatalf("second merge: %+v %v", m2, err)
	}
	if _, err := os.Stat(filepath.Join(store.Dir, "g1")); !os.IsNotExist(err) {
		t.Error("old generation kept")
	}
}

func TestSegmentsSplitAtRowLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 300k rows")
	}
	base := t.TempDir()
	run := filepath.Join(base, "E0001")
	os.MkdirAll(run, 0o755)
	w := NewRunWriter(run)
	n := SegmentRows + 1000
	for i := range n {
		ev := sampleEvent(i, int64(i))
		w.Emit(&ev)
	}
	w.Close()
	m, err := Store{Dir: filepath.Join(base, "tl")}.Merge([]string{run}, []string{"E0001"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Segments) != 2 || m.Segments[1].RowBase != SegmentRows || m.Segments[1].Rows != 1000 || m.Segments[1].First != SegmentRows {
		t.Fatalf("segments: %+v", m.Segments)
	}
}

func TestExtraJSON(t *testing.T) {
	cases := [][]KV{
		{{"a", "b"}},
		{{"k", "quote\" backslash\\ nl\n ctl\x01 esc\x1b"}, {"utf8", "日本語"}},
		{{"bad", "\xff\xfe"}},
	}
	for _, kvs := range cases {
		row := make([]byte, extraRowLen(kvs))
		putExtraRow(row, kvs)
		enc := appendExtraJSON(nil, row)
		got := decodeExtra(string(enc), nil)
		if len(got) != len(kvs) {
			t.Fatalf("%q: %d pairs", enc, len(got))
		}
		for i := range kvs {
			want := kvs[i].Value
			if want == "\xff\xfe" {
				want = "\ufffd\ufffd"
			}
			if got[i].Key != kvs[i].Key || got[i].Value != want {
				t.Errorf("%q: pair %d = %q", enc, i, got[i])
			}
		}
	}
}

// BenchmarkRunWriter measures buffering, sorting and writing events as runs.
//
//	go test ./timeline -run - -bench RunWriter -benchmem
func BenchmarkRunWriter(b *testing.B) {
	evs := make([]Event, 1000)
	for i := range evs {
		evs[i] = sampleEvent(i, int64(i))
	}
	dir := b.TempDir()
	w := NewRunWriter(dir)
	w.chunkBytes = 16 << 20 // reach the steady state (buffers reused) quickly
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		for i := range evs {
			w.Emit(&evs[i])
		}
		n += len(evs)
	}
	w.Close()
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}

// TestChunkCoversEveryColumn guards chunk.add, which names the columns one
// by one: an event with every field set must come back whole.
func TestChunkCoversEveryColumn(t *testing.T) {
	ev := Event{Time: 1, TimeDesc: "a", TimeOrig: "b", Zone: "c", Host: "d", Source: "e", Evidence: "f", RefPath: "g",
		Offset: 2, Line: 3, Inode: 4, MFT: 5, Path: "h", User: "i", SrcIP: "j", SrcPort: 6, DstIP: "k", DstPort: 7,
		Method: "l", URL: "m", Status: 8, Bytes: 9, UserAgent: "n", Action: "o", Message: "p", Tags: "q",
		Extra: []KV{{"r", "s"}}, Raw: []byte("t"),
		FS: FS{Seq: 10, AttrType: 11, AttrID: 12, AttrName: "u", Mode: "v", UID: 13, GID: 14, Size: 15, Links: 16, Flags: FSRecord | FSAllocated}}
	var k chunk
	k.add(&ev, 0)
	var out runOut
	out.code(&k, nil)
	defer out.release()
	rec, _ := k.batch(nil, 0, 1, &out)
	defer rec.Release()
	var got Event
	newBatchView(rec).readEvent(0, &got)
	if fmt.Sprint(got) != fmt.Sprint(ev) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, ev)
	}
}

// TestRunBatchesBoundedByBytes: rows of kept 10 MiB lines end a run batch
// long before runBatchRows, and every row still comes back, in time order.
func TestRunBatchesBoundedByBytes(t *testing.T) {
	dir := t.TempDir()
	w := NewRunWriter(dir)
	w.chunkBytes = 1 << 30 // one run, so its batches are what is bounded
	raw := make([]byte, 10<<20)
	for i := range 20 {
		raw[0] = byte(i)
		ev := Event{Time: int64(20 - i), Source: SourceRaw, Raw: raw, Offset: Absent, Line: int64(i + 1), Inode: Absent, MFT: Absent, Bytes: Absent}
		if err := w.Emit(&ev); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Close(); err != nil {
		t.Fatal(err)
	}
	runs, _ := filepath.Glob(filepath.Join(dir, "run-*.arrow"))
	rows, batches := 0, 0
	for _, run := range runs {
		f, err := os.Open(run)
		if err != nil {
			t.Fatal(err)
		}
		r, err := ipc.NewFileReader(f)
		if err != nil {
			t.Fatal(err)
		}
		last := int64(0)
		for i := range r.NumRecords() {
			batches++
			rec, err := r.RecordBatchAt(i)
			if err != nil {
				t.Fatal(err)
			}
			if n := rec.NumRows(); n > 7 {
				t.Errorf("%s batch %d: %d rows of 10 MiB", run, i, n)
			}
			times := rec.Column(ColTime).(*array.Timestamp)
			raws := rec.Column(ColRaw).(*array.Binary)
			for j := range int(rec.NumRows()) {
				if tm := int64(times.Value(j)); tm < last || len(raws.Value(j)) != len(raw) || raws.Value(j)[0] != byte(20-tm) {
					t.Errorf("%s row %d: time %d after %d, raw %d bytes", run, rows, tm, last, len(raws.Value(j)))
				} else {
					last = tm
				}
				rows++
			}
			rec.Release()
		}
		r.Close()
		f.Close()
	}
	if rows != 20 || len(runs) != 1 || batches != 3 {
		t.Errorf("%d rows in %d runs, %d batches; want 20 in 1, 3", rows, len(runs), batches)
	}
}

// TestPlainWord: the 8-byte test agrees with the byte table for every byte
// value at every position, and on random words.
func TestPlainWord(t *testing.T) {
	for pos := range 8 {
		for b := range 256 {
			w := []byte("abcdefgh")
			w[pos] = byte(b)
			if got := plainWord(string(w)); got != jsonPlain[b] {
				t.Fatalf("byte %#x at %d: plainWord %v, table %v", b, pos, got, jsonPlain[b])
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		var w [8]byte
		want := true
		for i := range w {
			w[i] = byte(rng.IntN(256))
			want = want && jsonPlain[w[i]]
		}
		if got := plainWord(string(w[:])); got != want {
			t.Fatalf("%q: plainWord %v, want %v", w, got, want)
		}
	}
}

// TestRunDictionaryWidths: a run's dictionaries take int8, int16 or int32
// codes by their size, and the merge maps each back to the right values.
func TestRunDictionaryWidths(t *testing.T) {
	base := t.TempDir()
	run := filepath.Join(base, "runs")
	os.MkdirAll(run, 0o755)
	w := NewRunWriter(run)
	w.chunkBytes = 1 << 30 // one run
	const n = 40000
	for i := range n {
		ev := Event{Time: int64(n - i), Source: "s", Method: []string{"GET", "PUT"}[i%2], User: fmt.Sprintf("u%d", i%300),
			Host: fmt.Sprintf("h%d", i), Offset: Absent, Line: int64(i + 1), Inode: Absent, MFT: Absent, Bytes: Absent}
		if err := w.Emit(&ev); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(run, "run-00001.arrow"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := ipc.NewFileReader(f)
	if err != nil {
		t.Fatal(err)
	}
	for c, want := range map[int]arrow.DataType{ColMethod: arrow.PrimitiveTypes.Int8, ColUser: arrow.PrimitiveTypes.Int16, ColHost: arrow.PrimitiveTypes.Int32} {
		if got := r.Schema().Field(c).Type.(*arrow.DictionaryType).IndexType; !arrow.TypeEqual(got, want) {
			t.Errorf("%s: index %s, want %s", ColumnName(c), got, want)
		}
	}
	r.Close()
	f.Close()
	m, err := Store{Dir: filepath.Join(base, "tl")}.Merge([]string{run}, []string{"E0001"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	seg, err := OpenSegment(filepath.Join(base, "tl", "g1"), m.Segments[0])
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Release()
	for row := range n {
		i := n - 1 - row // times were emitted descending
		var ev Event
		seg.Event(row, &ev)
		if ev.Line != int64(i+1) || ev.Method != []string{"GET", "PUT"}[i%2] || ev.User != fmt.Sprintf("u%d", i%300) || ev.Host != fmt.Sprintf("h%d", i) {
			t.Fatalf("row %d: %+v", row, ev)
		}
	}
}
