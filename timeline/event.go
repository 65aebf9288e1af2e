package timeline

import (
	"strconv"
	"time"
)

// What an event's time means. File system sources use the MACB names, prefixed
// by the attribute they came from where a format has several ($SI, $FN).
const (
	TimeLog      = "log"      // the moment a log line was written
	TimeRequest  = "request"  // an HTTP request was received
	TimeLogin    = "login"    // a session started
	TimeLogout   = "logout"   // a session ended
	TimeModified = "mtime"    // content modified
	TimeAccessed = "atime"    // last access
	TimeChanged  = "ctime"    // metadata changed
	TimeBorn     = "crtime"   // created (born)
	TimeDeleted  = "dtime"    // deleted (ext4)
	TimeUnknown  = "unknown"  // a line kept raw whose time could not be read
	SourceRaw    = "unparsed" // the source of every event kept as raw bytes
	// TagTimestompUntrusted is on a file system event whose own time a
	// timestomp rule of its parser contradicts: never a finding's time.
	TagTimestompUntrusted = "timestomp:untrusted"
)

// Actions follow the Sandia common language that investigators use (domain.md).
const (
	ActionRead         = "read"
	ActionModify       = "modify"
	ActionCreate       = "create"
	ActionDelete       = "delete"
	ActionAuthenticate = "authenticate"
	ActionLoginSuccess = "login-success"
	ActionLoginFailure = "login-failure"
	ActionLogout       = "logout"
	ActionScan         = "scan"
	ActionPermit       = "permit"
	ActionDeny         = "deny"
	ActionExecute      = "execute"
)

// Absent marks an integer reference or size field that the source does not have.
const Absent = -1

// KV is one format-specific extra field.
type KV struct{ Key, Value string }

// Event is one timestamped fact. Parsers reuse one Event for every record and
// may point its strings into their own read buffer: a Sink must copy what it
// keeps before Emit returns.
type Event struct {
	Time     int64  // nanoseconds since the Unix epoch, UTC
	TimeDesc string // what the time means (TimeLog, TimeModified, ...)
	TimeOrig string // the time as the source wrote it
	Zone     string // the source's zone or offset, and where it came from when not in the source

	Host     string
	Source   string // format name; SourceRaw for lines kept raw
	Evidence string // evidence id in the case registry

	// Reference inside the evidence item. Offset, Line, Inode and MFT are
	// Absent when the source has no such notion.
	RefPath string
	Offset  int64
	Line    int64
	Inode   int64
	MFT     int64

	Path      string // file the event is about (file systems, file access logs)
	User      string
	SrcIP     string
	SrcPort   int32 // 0: absent
	DstIP     string
	DstPort   int32 // 0: absent
	Method    string
	URL       string
	Status    int32 // 0: absent
	Bytes     int64 // Absent when unknown
	UserAgent string
	Action    string
	Message   string
	Tags      string // comma-separated
	Extra     []KV
	Raw       []byte // the record's bytes, kept for unparsed input
	FS        FS     // file-system record fields (MarkFS); see FS
}

// Reset clears the event for the next record, keeping the Extra slice's memory.
func (e *Event) Reset() {
	extra := e.Extra[:0]
	*e = Event{Offset: Absent, Line: Absent, Inode: Absent, MFT: Absent, Bytes: Absent, Extra: extra, FS: resetFS}
}

// AddExtra appends a format-specific field.
func (e *Event) AddExtra(key, value string) { e.Extra = append(e.Extra, KV{key, value}) }

// AddTag appends a tag to the comma-separated tag list.
func (e *Event) AddTag(tag string) {
	if e.Tags == "" {
		e.Tags = tag
		return
	}
	e.Tags = e.Tags + "," + tag
}

// UTC returns the event time as a time.Time in UTC.
func (e *Event) UTC() time.Time { return time.Unix(0, e.Time).UTC() }

// Ref is a reference to where an event came from, as the contract spells it.
type Ref struct {
	Evidence string `json:"evidence"`
	Path     string `json:"path"`
	Offset   *int64 `json:"offset,omitempty"`
	Line     *int64 `json:"line,omitempty"`
	Inode    *int64 `json:"inode,omitempty"`
	MFT      *int64 `json:"mft,omitempty"`
}

// Ref returns the event's reference.
func (e *Event) Ref() Ref {
	r := Ref{Evidence: e.Evidence, Path: e.RefPath}
	opt := func(v int64) *int64 {
		if v == Absent {
			return nil
		}
		return &v
	}
	r.Offset, r.Line, r.Inode, r.MFT = opt(e.Offset), opt(e.Line), opt(e.Inode), opt(e.MFT)
	return r
}

// String renders a reference compactly for tables: E0001:logs/a.log:42.
func (r Ref) String() string {
	s := r.Evidence + ":" + r.Path
	switch {
	case r.Line != nil:
		s += ":" + strconv.FormatInt(*r.Line, 10)
	case r.MFT != nil:
		s += "#mft" + strconv.FormatInt(*r.MFT, 10)
	case r.Inode != nil:
		s += "#inode" + strconv.FormatInt(*r.Inode, 10)
	}
	if r.Offset != nil && r.Line == nil {
		s += "@" + strconv.FormatInt(*r.Offset, 10)
	}
	return s
}

// Sink receives events from a parser. A parser calls Emit from one goroutine
// at a time.
type Sink interface {
	Emit(ev *Event) error
}
