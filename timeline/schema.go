package timeline

import (
	"github.com/apache/arrow-go/v18/arrow"
)

// colKind says how a column is stored.
type colKind uint8

const (
	kindTime colKind = iota // timestamp[ns, UTC]
	kindI64                 // int64, null when Absent
	kindI32                 // int32, null when 0
	kindStr                 // utf8, low cardinality: dictionary-encoded in segments
	kindText                // utf8, high cardinality: plain everywhere
	kindBin                 // binary
)

type column struct {
	name string
	kind colKind
}

// Column positions. The order is the on-disk order (docs/timeline-format.md).
const (
	ColTime = iota
	ColTimeDesc
	ColTimeOrig
	ColZone
	ColHost
	ColSource
	ColEvidence
	ColRefPath
	ColOffset
	ColLine
	ColInode
	ColMFT
	ColPath
	ColUser
	ColSrcIP
	ColSrcPort
	ColDstIP
	ColDstPort
	ColMethod
	ColURL
	ColStatus
	ColBytes
	ColUserAgent
	ColAction
	ColMessage
	ColTags
	ColExtra
	ColRaw
	numCols
)

var columns = [numCols]column{
	ColTime:      {"time", kindTime},
	ColTimeDesc:  {"time_desc", kindStr},
	ColTimeOrig:  {"time_orig", kindText},
	ColZone:      {"zone", kindStr},
	ColHost:      {"host", kindStr},
	ColSource:    {"source", kindStr},
	ColEvidence:  {"evidence", kindStr},
	ColRefPath:   {"ref_path", kindStr},
	ColOffset:    {"offset", kindI64},
	ColLine:      {"line", kindI64},
	ColInode:     {"inode", kindI64},
	ColMFT:       {"mft", kindI64},
	ColPath:      {"path", kindStr},
	ColUser:      {"user", kindStr},
	ColSrcIP:     {"src_ip", kindStr},
	ColSrcPort:   {"src_port", kindI32},
	ColDstIP:     {"dst_ip", kindStr},
	ColDstPort:   {"dst_port", kindI32},
	ColMethod:    {"method", kindStr},
	ColURL:       {"url", kindStr},
	ColStatus:    {"status", kindI32},
	ColBytes:     {"bytes", kindI64},
	ColUserAgent: {"user_agent", kindStr},
	ColAction:    {"action", kindStr},
	ColMessage:   {"message", kindText},
	ColTags:      {"tags", kindStr},
	ColExtra:     {"extra", kindText},
	ColRaw:       {"raw", kindBin},
}

// ColumnName returns the on-disk name of column c.
func ColumnName(c int) string { return columns[c].name }

// ColumnIndex returns the position of the named column, or -1.
func ColumnIndex(name string) int {
	for i, c := range columns {
		if c.name == name {
			return i
		}
	}
	return -1
}

// SchemaVersion is written into every file's metadata.
const SchemaVersion = "kiseki-timeline-1"

var dictType = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}

func makeSchema(dict bool) *arrow.Schema {
	fields := make([]arrow.Field, numCols)
	for i, c := range columns {
		f := arrow.Field{Name: c.name}
		switch c.kind {
		case kindTime:
			f.Type = &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}
		case kindI64:
			f.Type, f.Nullable = arrow.PrimitiveTypes.Int64, true
		case kindI32:
			f.Type, f.Nullable = arrow.PrimitiveTypes.Int32, true
		case kindStr:
			if dict {
				f.Type = dictType
			} else {
				f.Type = arrow.BinaryTypes.String
			}
		case kindText:
			f.Type = arrow.BinaryTypes.String
		case kindBin:
			f.Type = arrow.BinaryTypes.Binary
		}
		fields[i] = f
	}
	md := arrow.NewMetadata([]string{"kiseki.schema"}, []string{SchemaVersion})
	return arrow.NewSchema(fields, &md)
}

var (
	// RunSchema is the schema of sorted runs: every string column plain.
	RunSchema = makeSchema(false)
	// SegmentSchema is the schema of merged timeline segments: low-cardinality
	// string columns dictionary-encoded.
	SegmentSchema = makeSchema(true)
)

func (e *Event) setStrField(c int, s string) {
	switch c {
	case ColTimeDesc:
		e.TimeDesc = s
	case ColTimeOrig:
		e.TimeOrig = s
	case ColZone:
		e.Zone = s
	case ColHost:
		e.Host = s
	case ColSource:
		e.Source = s
	case ColEvidence:
		e.Evidence = s
	case ColRefPath:
		e.RefPath = s
	case ColPath:
		e.Path = s
	case ColUser:
		e.User = s
	case ColSrcIP:
		e.SrcIP = s
	case ColDstIP:
		e.DstIP = s
	case ColMethod:
		e.Method = s
	case ColURL:
		e.URL = s
	case ColUserAgent:
		e.UserAgent = s
	case ColAction:
		e.Action = s
	case ColMessage:
		e.Message = s
	case ColTags:
		e.Tags = s
	}
}

func (e *Event) setIntField(c int, v int64) {
	switch c {
	case ColTime:
		e.Time = v
	case ColOffset:
		e.Offset = v
	case ColLine:
		e.Line = v
	case ColInode:
		e.Inode = v
	case ColMFT:
		e.MFT = v
	case ColSrcPort:
		e.SrcPort = int32(v)
	case ColDstPort:
		e.DstPort = int32(v)
	case ColStatus:
		e.Status = int32(v)
	case ColBytes:
		e.Bytes = v
	}
}
