package export

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/kiseki-forensics/kiseki/timeline"
)

// Hive partition columns: in the directory names, not in the files (Spark,
// Trino and DuckDB's hive_partitioning add them back from the path).
const (
	partCase = "case"
	partHost = "host"
	partDate = "date"
)

// hiveNull is the directory name Hive, Spark and DuckDB read as a NULL
// partition value (an event without a host).
const hiveNull = "__HIVE_DEFAULT_PARTITION__"

// zstdLevel is the Parquet compression level: zstd's default, a good
// ratio at a speed well above what the timeline is read at.
const zstdLevel = 3

// parquetCol is one column of the Parquet files: its name (the timeline's
// column name where it is one), type and how an event fills it.
type parquetCol struct {
	name string
	typ  arrow.DataType
	dict bool // Parquet dictionary encoding (low-cardinality values)
	fill func(b array.Builder, row int64, ev *timeline.Event)
}

var tsUS = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}

func strCol(c int, dict bool, get func(ev *timeline.Event) string) parquetCol {
	return parquetCol{name: timeline.ColumnName(c), typ: arrow.BinaryTypes.String, dict: dict, fill: func(b array.Builder, _ int64, ev *timeline.Event) {
		if v := get(ev); v != "" {
			b.(*array.StringBuilder).Append(v)
		} else {
			b.AppendNull()
		}
	}}
}

// i64Col is an int64 column, null where the event has timeline.Absent.
func i64Col(c int, get func(ev *timeline.Event) int64) parquetCol {
	return parquetCol{name: timeline.ColumnName(c), typ: arrow.PrimitiveTypes.Int64, fill: func(b array.Builder, _ int64, ev *timeline.Event) {
		if v := get(ev); v != timeline.Absent {
			b.(*array.Int64Builder).Append(v)
		} else {
			b.AppendNull()
		}
	}}
}

// i32Col is an int32 column, null where the event has 0 (absent).
func i32Col(c int, get func(ev *timeline.Event) int32) parquetCol {
	return parquetCol{name: timeline.ColumnName(c), typ: arrow.PrimitiveTypes.Int32, dict: true, fill: func(b array.Builder, _ int64, ev *timeline.Event) {
		if v := get(ev); v != 0 {
			b.(*array.Int32Builder).Append(v)
		} else {
			b.AppendNull()
		}
	}}
}

// parquetCols are the file columns: every timeline column but host (a
// partition), time as timestamp[us, UTC] (what every engine reads) plus
// time_ns (the nanoseconds Kiseki keeps), and row, the event's row id in
// `kiseki timeline --format jsonl`.
var parquetCols = []parquetCol{
	{name: "row", typ: arrow.PrimitiveTypes.Int64, fill: func(b array.Builder, row int64, _ *timeline.Event) { b.(*array.Int64Builder).Append(row) }},
	{name: timeline.ColumnName(timeline.ColTime), typ: tsUS, fill: func(b array.Builder, _ int64, ev *timeline.Event) {
		b.(*array.TimestampBuilder).Append(arrow.Timestamp(floorDiv(ev.Time, int64(time.Microsecond))))
	}},
	{name: "time_ns", typ: arrow.PrimitiveTypes.Int64, fill: func(b array.Builder, _ int64, ev *timeline.Event) { b.(*array.Int64Builder).Append(ev.Time) }},
	strCol(timeline.ColTimeDesc, true, func(ev *timeline.Event) string { return ev.TimeDesc }),
	strCol(timeline.ColTimeOrig, false, func(ev *timeline.Event) string { return ev.TimeOrig }),
	strCol(timeline.ColZone, true, func(ev *timeline.Event) string { return ev.Zone }),
	strCol(timeline.ColSource, true, func(ev *timeline.Event) string { return ev.Source }),
	strCol(timeline.ColEvidence, true, func(ev *timeline.Event) string { return ev.Evidence }),
	strCol(timeline.ColRefPath, true, func(ev *timeline.Event) string { return ev.RefPath }),
	i64Col(timeline.ColOffset, func(ev *timeline.Event) int64 { return ev.Offset }),
	i64Col(timeline.ColLine, func(ev *timeline.Event) int64 { return ev.Line }),
	i64Col(timeline.ColInode, func(ev *timeline.Event) int64 { return ev.Inode }),
	i64Col(timeline.ColMFT, func(ev *timeline.Event) int64 { return ev.MFT }),
	strCol(timeline.ColPath, true, func(ev *timeline.Event) string { return ev.Path }),
	strCol(timeline.ColUser, true, func(ev *timeline.Event) string { return ev.User }),
	strCol(timeline.ColSrcIP, true, func(ev *timeline.Event) string { return ev.SrcIP }),
	i32Col(timeline.ColSrcPort, func(ev *timeline.Event) int32 { return ev.SrcPort }),
	strCol(timeline.ColDstIP, true, func(ev *timeline.Event) string { return ev.DstIP }),
	i32Col(timeline.ColDstPort, func(ev *timeline.Event) int32 { return ev.DstPort }),
	strCol(timeline.ColMethod, true, func(ev *timeline.Event) string { return ev.Method }),
	strCol(timeline.ColURL, true, func(ev *timeline.Event) string { return ev.URL }),
	i32Col(timeline.ColStatus, func(ev *timeline.Event) int32 { return ev.Status }),
	i64Col(timeline.ColBytes, func(ev *timeline.Event) int64 { return ev.Bytes }),
	strCol(timeline.ColUserAgent, true, func(ev *timeline.Event) string { return ev.UserAgent }),
	strCol(timeline.ColAction, true, func(ev *timeline.Event) string { return ev.Action }),
	strCol(timeline.ColMessage, false, func(ev *timeline.Event) string { return ev.Message }),
	strCol(timeline.ColTags, true, func(ev *timeline.Event) string { return ev.Tags }),
	{name: timeline.ColumnName(timeline.ColExtra), typ: arrow.BinaryTypes.String, fill: func(b array.Builder, _ int64, ev *timeline.Event) {
		extra := ev.AllExtra()
		if len(extra) == 0 {
			b.AppendNull()
			return
		}
		sb := b.(*array.StringBuilder)
		sb.BinaryBuilder.Append(extraJSON(extra))
	}},
	{name: timeline.ColumnName(timeline.ColRaw), typ: arrow.BinaryTypes.Binary, fill: func(b array.Builder, _ int64, ev *timeline.Event) {
		if len(ev.Raw) == 0 {
			b.AppendNull()
			return
		}
		b.(*array.BinaryBuilder).Append(ev.Raw)
	}},
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

func parquetSchema() *arrow.Schema {
	fields := make([]arrow.Field, len(parquetCols))
	for i, c := range parquetCols {
		fields[i] = arrow.Field{Name: c.name, Type: c.typ, Nullable: true}
	}
	md := arrow.NewMetadata([]string{"kiseki.schema"}, []string{timeline.SchemaVersion})
	return arrow.NewSchema(fields, &md)
}

func parquetProps() *parquet.WriterProperties {
	opts := []parquet.WriterProperty{
		parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithCompressionLevel(zstdLevel),
		parquet.WithDictionaryDefault(false),
		parquet.WithCreatedBy("kiseki"),
		parquet.WithMaxRowGroupLength(timeline.SegmentRows), // one row group per file
	}
	for _, c := range parquetCols {
		if c.dict {
			opts = append(opts, parquet.WithDictionaryFor(c.name, true))
		}
	}
	return parquet.NewWriterProperties(opts...)
}

// partition is the rows of one host and day of one segment.
type partition struct {
	host, date string
	rb         *array.RecordBuilder
}

// writeParquet writes one Parquet file per segment and partition:
// OUT/case=C/host=H/date=D/seg-NNNNNN.parquet. The case's directory is
// written beside and swapped in when complete.
func writeParquet(ctx context.Context, src *source, out string, sum *Summary) error {
	caseDir := filepath.Join(out, partCase+"="+hiveEscape(src.name))
	tmp := caseDir + ".tmp"
	os.RemoveAll(tmp)
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return err
	}
	schema := parquetSchema()
	props := parquetProps()
	mem := memory.NewGoAllocator()
	parts := map[[2]string]*partition{}
	cur := -1
	flush := func() error {
		keys := make([][2]string, 0, len(parts))
		for k := range parts {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			return keys[i][0] < keys[j][0] || keys[i][0] == keys[j][0] && keys[i][1] < keys[j][1]
		})
		for _, k := range keys {
			p := parts[k]
			rel := filepath.Join(partHost+"="+p.host, partDate+"="+p.date, fmt.Sprintf("seg-%06d.parquet", cur))
			if err := writeParquetFile(filepath.Join(tmp, rel), p.rb, props); err != nil {
				return err
			}
			sum.Files = append(sum.Files, filepath.ToSlash(filepath.Join(filepath.Base(caseDir), rel)))
			delete(parts, k)
		}
		return nil
	}
	err := src.each(ctx, func(seg int, row int64, ev *timeline.Event) error {
		if seg != cur {
			if err := flush(); err != nil {
				return err
			}
			cur = seg
		}
		host := hiveNull
		if ev.Host != "" {
			host = hiveEscape(ev.Host)
		}
		k := [2]string{host, ev.UTC().Format(time.DateOnly)}
		p := parts[k]
		if p == nil {
			p = &partition{host: k[0], date: k[1], rb: array.NewRecordBuilder(mem, schema)}
			parts[k] = p
		}
		for i, c := range parquetCols {
			c.fill(p.rb.Field(i), row, ev)
		}
		sum.Events++
		return nil
	})
	if err == nil {
		err = flush()
	}
	for _, p := range parts {
		p.rb.Release()
	}
	if err != nil {
		os.RemoveAll(tmp)
		return err
	}
	return replaceDir(tmp, caseDir)
}

func writeParquetFile(path string, rb *array.RecordBuilder, props *parquet.WriterProperties) error {
	rec := rb.NewRecordBatch()
	defer rec.Release()
	defer rb.Release()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w, err := pqarrow.NewFileWriter(rec.Schema(), f, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := w.Write(rec); err != nil {
		w.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := w.Close(); err != nil { // closes f
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// hiveEscape escapes a partition value as Hive does: every byte outside
// letters, digits and ._- becomes %XX, so '/' and '=' cannot make
// directories or look like another partition.
func hiveEscape(v string) string {
	const hex = "0123456789ABCDEF"
	var b []byte
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hex[c>>4], hex[c&15])
	}
	return string(b)
}
