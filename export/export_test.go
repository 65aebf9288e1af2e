package export_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/kiseki-forensics/kiseki/engine"
	"github.com/kiseki-forensics/kiseki/export"
	"github.com/kiseki-forensics/kiseki/fixtures/campaign"
	"github.com/kiseki-forensics/kiseki/internal/corpus"
	_ "github.com/kiseki-forensics/kiseki/parsers/all"
	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// sampleCase ingests fixtures/sample (nginx logs, one gzip'd, with an
// unparsed line; syslog in Asia/Tokyo; a clock offset) and returns the case
// and its events as `kiseki timeline` reads them, by row id.
func sampleCase(t *testing.T) (string, map[int64]timeline.Event) {
	t.Helper()
	caseDir := filepath.Join(t.TempDir(), "case")
	bundle := filepath.Join(corpus.Root(t), "fixtures", "sample")
	if _, err := engine.Ingest(context.Background(), bundle, caseDir, engine.IngestOptions{NoIndex: true}); err != nil {
		t.Fatal(err)
	}
	c, err := engine.OpenCase(caseDir)
	if err != nil {
		t.Fatal(err)
	}
	s, err := search.Open(c.TimelineStore(), c.IndexDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	events := map[int64]timeline.Event{}
	err = s.Each(context.Background(), search.Request{}, func(row int64, ev *timeline.Event) error {
		cp := *ev
		cp.TimeOrig, cp.Host, cp.Message, cp.URL, cp.SrcIP = strings.Clone(ev.TimeOrig), strings.Clone(ev.Host), strings.Clone(ev.Message), strings.Clone(ev.URL), strings.Clone(ev.SrcIP)
		cp.Evidence, cp.RefPath, cp.TimeDesc, cp.Source = strings.Clone(ev.Evidence), strings.Clone(ev.RefPath), strings.Clone(ev.TimeDesc), strings.Clone(ev.Source)
		cp.Raw = bytes.Clone(ev.Raw)
		cp.Extra = nil
		events[row] = cp
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 3105 {
		t.Fatalf("sample timeline: %d events", len(events))
	}
	return caseDir, events
}

func TestParquet(t *testing.T) {
	caseDir, events := sampleCase(t)
	out := filepath.Join(t.TempDir(), "pq")
	sum, err := export.Case(context.Background(), caseDir, export.Options{Format: "parquet", Out: out})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Events != int64(len(events)) || sum.Case != "sample-webshop" {
		t.Fatalf("summary %+v", sum)
	}
	seen := map[int64]bool{}
	hosts := map[string]int{}
	for _, rel := range sum.Files {
		parts := strings.Split(rel, "/")
		if len(parts) != 4 || parts[0] != "case=sample-webshop" || !strings.HasPrefix(parts[1], "host=") || !strings.HasPrefix(parts[2], "date=") || !strings.HasSuffix(parts[3], ".parquet") {
			t.Fatalf("file %s is not case=/host=/date=/seg-N.parquet", rel)
		}
		host, date := strings.TrimPrefix(parts[1], "host="), strings.TrimPrefix(parts[2], "date=")
		tbl := readParquet(t, filepath.Join(out, rel))
		rows := int(tbl.NumRows())
		hosts[host] += rows
		col := func(name string) arrow.Array {
			idx := tbl.Schema().FieldIndices(name)
			if len(idx) != 1 {
				t.Fatalf("%s: no column %s", rel, name)
			}
			return tbl.Column(idx[0]).Data().Chunk(0)
		}
		if ts := tbl.Schema().Field(tbl.Schema().FieldIndices("time")[0]).Type.(*arrow.TimestampType); ts.Unit != arrow.Microsecond || ts.TimeZone != "UTC" {
			t.Fatalf("time is %s, want timestamp[us, UTC]", ts)
		}
		rowCol, tcol, nscol := col("row").(*array.Int64), col("time").(*array.Timestamp), col("time_ns").(*array.Int64)
		srcCol, evCol, lineCol, ipCol, rawCol := col("source").(*array.String), col("evidence").(*array.String), col("line").(*array.Int64), col("src_ip").(*array.String), col("raw").(*array.Binary)
		for i := range rows {
			row := rowCol.Value(i)
			want, ok := events[row]
			if !ok || seen[row] {
				t.Fatalf("%s: row %d unknown or twice", rel, row)
			}
			seen[row] = true
			if nscol.Value(i) != want.Time || int64(tcol.Value(i)) != want.Time/1000 {
				t.Fatalf("row %d: time %d / %d, want %d", row, tcol.Value(i), nscol.Value(i), want.Time)
			}
			if want.UTC().Format(time.DateOnly) != date || want.Host != host {
				t.Fatalf("row %d of %s/%s in partition %s/%s", row, want.Host, want.UTC().Format(time.DateOnly), host, date)
			}
			if srcCol.Value(i) != want.Source || evCol.Value(i) != want.Evidence {
				t.Fatalf("row %d: %s %s, want %s %s", row, srcCol.Value(i), evCol.Value(i), want.Source, want.Evidence)
			}
			if want.Line == timeline.Absent != lineCol.IsNull(i) || !lineCol.IsNull(i) && lineCol.Value(i) != want.Line {
				t.Fatalf("row %d: line %v, want %d", row, lineCol.Value(i), want.Line)
			}
			if ipCol.IsValid(i) && ipCol.Value(i) != want.SrcIP || ipCol.IsNull(i) && want.SrcIP != "" {
				t.Fatalf("row %d: src_ip %q, want %q", row, ipCol.Value(i), want.SrcIP)
			}
			if !bytes.Equal(rawCol.Value(i), want.Raw) {
				t.Fatalf("row %d: raw %q, want %q", row, rawCol.Value(i), want.Raw)
			}
		}
		tbl.Release()
		checkEncodings(t, filepath.Join(out, rel))
	}
	if len(seen) != len(events) {
		t.Errorf("%d distinct rows in the Parquet files, want %d", len(seen), len(events))
	}
	if hosts["web01"] != 2705 || hosts["db01"] != 400 {
		t.Errorf("rows per host: %v", hosts)
	}

	// A re-export replaces the first one: same files, nothing left over.
	again, err := export.Case(context.Background(), caseDir, export.Options{Format: "parquet", Out: out})
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(out, p)
			found = append(found, filepath.ToSlash(rel))
		}
		return nil
	})
	if strings.Join(found, "\n") != strings.Join(again.Files, "\n") {
		t.Errorf("after a re-export the tree holds\n%s\nwant\n%s", strings.Join(found, "\n"), strings.Join(again.Files, "\n"))
	}
}

func readParquet(t *testing.T, path string) arrow.Table {
	t.Helper()
	f, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := pqarrow.NewFileReader(f, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := r.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

// checkEncodings checks zstd everywhere and dictionary pages on the
// low-cardinality strings.
func checkEncodings(t *testing.T, path string) {
	t.Helper()
	f, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	md := f.MetaData()
	if md.NumRowGroups() != 1 {
		t.Errorf("%s: %d row groups", path, md.NumRowGroups())
	}
	rg := md.RowGroup(0)
	for c := range rg.NumColumns() {
		cc, err := rg.ColumnChunk(c)
		if err != nil {
			t.Fatal(err)
		}
		if cc.Compression() != compress.Codecs.Zstd {
			t.Errorf("%s: column %s compressed with %s", path, cc.PathInSchema(), cc.Compression())
		}
		name := cc.PathInSchema().String()
		if name == "source" || name == "evidence" || name == "time_desc" {
			dict := false
			for _, e := range cc.Encodings() {
				dict = dict || e == parquet.Encodings.RLEDict
			}
			if !dict {
				t.Errorf("%s: column %s is not dictionary-encoded (%v)", path, name, cc.Encodings())
			}
		}
	}
}

// TestTimesketch checks every line against what Timesketch's importer
// documents: a JSON object per line with message (a non-empty string),
// datetime (ISO 8601) and timestamp_desc, and here also timestamp (µs since
// the epoch, equal to datetime); flat fields, none starting with '_'.
func TestTimesketch(t *testing.T) {
	caseDir, events := sampleCase(t)
	out := filepath.Join(t.TempDir(), "case.jsonl")
	sum, err := export.Case(context.Background(), caseDir, export.Options{Format: "timesketch", Out: out})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	n := 0
	refs := map[string]bool{}
	for sc.Scan() {
		n++
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %d: %v", n, err)
		}
		msg, _ := m["message"].(string)
		desc, _ := m["timestamp_desc"].(string)
		dt, _ := m["datetime"].(string)
		if msg == "" || desc == "" {
			t.Fatalf("line %d: message %q, timestamp_desc %q", n, msg, desc)
		}
		tm, err := time.Parse("2006-01-02T15:04:05.999999-07:00", dt)
		if err != nil {
			t.Fatalf("line %d: datetime %q: %v", n, dt, err)
		}
		if ts, _ := m["timestamp"].(float64); int64(ts) != tm.UnixMicro() {
			t.Fatalf("line %d: timestamp %v, datetime %s", n, m["timestamp"], dt)
		}
		for k, v := range m {
			if strings.HasPrefix(k, "_") {
				t.Fatalf("line %d: field %q starts with _", n, k)
			}
			if _, nested := v.(map[string]any); nested {
				t.Fatalf("line %d: field %q is an object; Timesketch wants flat fields", n, k)
			}
		}
		refs[m["ref"].(string)+"|"+desc+"|"+dt] = true
		if m["source"] == timeline.SourceRaw && m["raw"] == nil && m["raw_base64"] == nil {
			t.Fatalf("line %d: an unparsed event without its raw bytes", n)
		}
	}
	if n != len(events) || sum.Events != int64(n) || len(refs) != n {
		t.Errorf("%d lines, %d distinct references, %d events", n, len(refs), len(events))
	}
}

// TestOpenSearch checks the bulk files against the _bulk API's documented
// shape (an action line, then the document; newline-terminated), the
// index name rules, the strict mapping of the template, and that a second
// export gives the same _ids (so a re-import overwrites).
func TestOpenSearch(t *testing.T) {
	caseDir, events := sampleCase(t)
	dir := t.TempDir()
	read := func(out string) ([]string, map[string]bool) {
		sum, err := export.Case(context.Background(), caseDir, export.Options{Format: "opensearch", Out: out})
		if err != nil {
			t.Fatal(err)
		}
		var tpl struct {
			IndexPatterns []string `json:"index_patterns"`
			Template      struct {
				Mappings struct {
					Dynamic    string                     `json:"dynamic"`
					Properties map[string]json.RawMessage `json:"properties"`
				} `json:"mappings"`
			} `json:"template"`
		}
		b, err := os.ReadFile(filepath.Join(out, export.TemplateName))
		if err != nil || json.Unmarshal(b, &tpl) != nil || len(tpl.IndexPatterns) != 1 || tpl.Template.Mappings.Dynamic != "strict" {
			t.Fatalf("index template: %v %s", err, b)
		}
		var ids []string
		fields := map[string]bool{}
		for _, name := range sum.Files[1:] {
			b, err := os.ReadFile(filepath.Join(out, name))
			if err != nil {
				t.Fatal(err)
			}
			if len(b) == 0 || b[len(b)-1] != '\n' {
				t.Fatalf("%s does not end with a newline", name)
			}
			lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
			if len(lines)%2 != 0 {
				t.Fatalf("%s: %d lines, want action/document pairs", name, len(lines))
			}
			for i := 0; i < len(lines); i += 2 {
				var action map[string]map[string]string
				if err := json.Unmarshal([]byte(lines[i]), &action); err != nil || len(action) != 1 || action["index"] == nil {
					t.Fatalf("%s line %d: action %s", name, i+1, lines[i])
				}
				a := action["index"]
				if a["_index"] != "kiseki-sample-webshop" || a["_id"] == "" || len(a["_id"]) > 512 || export.CheckIndexName(a["_index"]) != nil {
					t.Fatalf("%s line %d: %v", name, i+1, a)
				}
				var d map[string]any
				if err := json.Unmarshal([]byte(lines[i+1]), &d); err != nil {
					t.Fatalf("%s line %d: %v", name, i+2, err)
				}
				for k := range d {
					if _, ok := tpl.Template.Mappings.Properties[k]; !ok {
						t.Fatalf("%s line %d: field %q is not in the strict mapping", name, i+2, k)
					}
					fields[k] = true
				}
				if _, err := time.Parse(time.RFC3339Nano, d["@timestamp"].(string)); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, a["_id"])
			}
		}
		return ids, fields
	}
	ids, fields := read(filepath.Join(dir, "one"))
	again, _ := read(filepath.Join(dir, "two"))
	if len(ids) != len(events) {
		t.Fatalf("%d documents, want %d", len(ids), len(events))
	}
	unique := map[string]bool{}
	for i, id := range ids {
		unique[id] = true
		if again[i] != id {
			t.Fatalf("document %d: _id %s then %s", i, id, again[i])
		}
	}
	if len(unique) != len(ids) {
		t.Errorf("%d distinct _ids for %d events", len(unique), len(ids))
	}
	for _, k := range []string{"raw_base64", "extra", "src_ip", "ref_line", "status"} {
		if !fields[k] {
			t.Errorf("no document has %s", k)
		}
	}
}

func TestIndexNames(t *testing.T) {
	if n := export.IndexName("Web Shop/2026#1"); n != "kiseki-web-shop-2026-1" || export.CheckIndexName(n) != nil {
		t.Errorf("IndexName = %q", n)
	}
	for _, bad := range []string{"", "_x", "-x", "Upper", "a b", "a:b", "..", strings.Repeat("a", 256)} {
		if export.CheckIndexName(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestParquetSegments exports a case of more than one timeline segment and
// checks each file holds rows of exactly the segment its name gives.
func TestParquetSegments(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests 300 000 events")
	}
	dir := t.TempDir()
	bundles, err := campaign.Write(filepath.Join(dir, "c"), campaign.Options{Bundles: 1, Lines: 100000})
	if err != nil {
		t.Fatal(err)
	}
	caseDir := filepath.Join(dir, "case")
	if _, err := engine.Ingest(context.Background(), filepath.Join(dir, "c", bundles[0].Name), caseDir, engine.IngestOptions{NoIndex: true}); err != nil {
		t.Fatal(err)
	}
	c, _ := engine.OpenCase(caseDir)
	_, m, err := c.TimelineStore().Current()
	if err != nil || len(m.Segments) < 2 || m.Rows != bundles[0].Events {
		t.Fatalf("%d segments, %d rows (%v): want several", len(m.Segments), m.Rows, err)
	}
	out := filepath.Join(dir, "pq")
	sum, err := export.Case(context.Background(), caseDir, export.Options{Format: "parquet", Out: out})
	if err != nil {
		t.Fatal(err)
	}
	var rows int64
	perSeg := make([]int64, len(m.Segments))
	for _, rel := range sum.Files {
		var seg int
		if _, err := fmt.Sscanf(filepath.Base(rel), "seg-%06d.parquet", &seg); err != nil || seg >= len(m.Segments) {
			t.Fatalf("%s: %v", rel, err)
		}
		si := m.Segments[seg]
		tbl := readParquet(t, filepath.Join(out, rel))
		rc := tbl.Column(tbl.Schema().FieldIndices("row")[0]).Data().Chunk(0).(*array.Int64)
		for i := range rc.Len() {
			if r := rc.Value(i); r < si.RowBase || r >= si.RowBase+si.Rows {
				t.Fatalf("%s holds row %d, outside segment %d [%d, %d)", rel, r, seg, si.RowBase, si.RowBase+si.Rows)
			}
		}
		rows += tbl.NumRows()
		perSeg[seg] += tbl.NumRows()
		tbl.Release()
	}
	for i, si := range m.Segments {
		if perSeg[i] != si.Rows {
			t.Errorf("segment %d: %d rows in its files, %d in the timeline", i, perSeg[i], si.Rows)
		}
	}
	if rows != m.Rows {
		t.Errorf("%d rows in the files, %d in the timeline", rows, m.Rows)
	}
}
