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
	// runDict: dictionary-encoded in runs too. These columns hold one value
	// per file or a handful per format, so a run stores a code per row
	// instead of the string, and the merge maps codes instead of strings.
	runDict bool
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
	ColFSSeq
	ColFSAttrType
	ColFSAttrID
	ColFSAttrName
	ColFSMode
	ColFSUID
	ColFSGID
	ColFSSize
	ColFSLinks
	ColFSFlags
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
	ColTime:     {"time", kindTime, false},
	ColTimeDesc: {"time_desc", kindStr, true},
	ColTimeOrig: {"time_orig", kindText, false},
	ColZone:     {"zone", kindStr, true},
	ColHost:     {"host", kindStr, true},
	ColSource:   {"source", kindStr, true},
	ColEvidence: {"evidence", kindStr, true},
	ColRefPath:  {"ref_path", kindStr, true},
	ColOffset:   {"offset", kindI64, false},
	ColLine:     {"line", kindI64, false},
	ColInode:    {"inode", kindI64, false},
	ColMFT:      {"mft", kindI64, false},
	// File-system record fields (Event.FS), typed so that bodyfile, l2tcsv,
	// scope and the web detail read them without decoding JSON. Null (or
	// empty) on every other row.
	ColFSSeq:      {"fs_seq", kindI64, false},
	ColFSAttrType: {"fs_attr_type", kindI32, false},
	ColFSAttrID:   {"fs_attr_id", kindI64, false},
	ColFSAttrName: {"fs_attr_name", kindStr, true},
	ColFSMode:     {"fs_mode", kindStr, true},
	ColFSUID:      {"fs_uid", kindI64, false},
	ColFSGID:      {"fs_gid", kindI64, false},
	ColFSSize:     {"fs_size", kindI64, false},
	ColFSLinks:    {"fs_links", kindI64, false},
	ColFSFlags:    {"fs_flags", kindI32, false},
	ColPath:       {"path", kindStr, false},
	ColUser:       {"user", kindStr, true},
	ColSrcIP:      {"src_ip", kindStr, false},
	ColSrcPort:    {"src_port", kindI32, false},
	ColDstIP:      {"dst_ip", kindStr, false},
	ColDstPort:    {"dst_port", kindI32, false},
	ColMethod:     {"method", kindStr, true},
	ColURL:        {"url", kindStr, false},
	ColStatus:     {"status", kindI32, false},
	ColBytes:      {"bytes", kindI64, false},
	ColUserAgent:  {"user_agent", kindStr, true},
	ColAction:     {"action", kindStr, true},
	ColMessage:    {"message", kindText, false},
	ColTags:       {"tags", kindStr, true},
	ColExtra:      {"extra", kindText, false},
	ColRaw:        {"raw", kindBin, false},
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

// SchemaVersion is written into every file's metadata. Version 2 added the
// typed file-system columns (fs_*); a case written by version 1 is refused
// with ErrOldSchema, to be ingested again into a new case.
const SchemaVersion = "kiseki-timeline-2"

var dictType = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}

func makeSchema(segment bool) *arrow.Schema {
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
			if segment || c.runDict {
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
	// RunSchema is the schema of sorted runs: the runDict columns
	// dictionary-encoded (one dictionary per run file), other strings plain.
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
	case ColFSAttrName:
		e.FS.AttrName = s
	case ColFSMode:
		e.FS.Mode = s
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
	case ColFSSeq:
		e.FS.Seq = v
	case ColFSAttrType:
		e.FS.AttrType = int32(v)
	case ColFSAttrID:
		e.FS.AttrID = v
	case ColFSUID:
		e.FS.UID = v
	case ColFSGID:
		e.FS.GID = v
	case ColFSSize:
		e.FS.Size = v
	case ColFSLinks:
		e.FS.Links = v
	case ColFSFlags:
		e.FS.Flags = FSFlags(v)
	}
}
