package scope

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/kiseki-forensics/kiseki/parsers/ntfs"
	"github.com/kiseki-forensics/kiseki/search/vocab"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// The passes over the columns collect compact observations of the rows
// that matter (strings interned, references kept compactly); the rules
// decide on them afterwards, so one pass serves every rule of a family.

// webObs is one logged web request.
type webObs struct {
	t      int64
	host   string // the host that served it (a CDN's origin)
	client netip.Addr
	method string
	url    string // path only
	status int64
	cdn    bool
	ref    vocab.RowRef
}

func (w *webObs) ok() bool    { return w.status >= 200 && w.status < 400 }
func (w *webObs) write() bool { return isWrite(w.method) && w.status >= 200 && w.status < 300 }

// isWrite reports whether an HTTP method writes (uploads, replaces, deletes).
func isWrite(m string) bool {
	switch m {
	case "POST", "PUT", "PATCH", "DELETE":
		return true
	}
	return false
}

// connObs is one connection a firewall recorded.
type connObs struct {
	t        int64
	src, dst netip.Addr
	dport    int32
	deny     bool
	ref      vocab.RowRef
}

// loginObs is one login record with a source address.
type loginObs struct {
	t                  int64
	host, user, method string
	src                netip.Addr
	action             string // login-success | login-failure | logout
	ref                vocab.RowRef
}

// fsObs is one file system time.
type fsObs struct {
	t              int64
	host, path     string
	action         string // created | modified | changed | read | deleted
	dir, untrusted bool
	stomp          string // the timestomp rules that fired on the file
	ref            vocab.RowRef
}

// usnActions maps the actions of change journal records (time_desc "usn")
// to the same words.
var usnActions = map[string]string{
	timeline.ActionCreate:     "created",
	timeline.ActionDelete:     "deleted",
	ntfs.ActionOverwrite:      "modified",
	ntfs.ActionRename:         "changed",
	ntfs.ActionSecurityChange: "changed",
}

var fsActions = map[string]string{
	timeline.TimeBorn:     "created",
	timeline.TimeModified: "modified",
	timeline.TimeChanged:  "changed",
	timeline.TimeAccessed: "read",
	timeline.TimeDeleted:  "deleted",
}

// fileAttributeDirectory is FILE_ATTRIBUTE_DIRECTORY in a change journal
// record's attributes.
const fileAttributeDirectory = 0x10

// TagUntrusted marks a file system event whose own time is contradicted by
// timestomp evidence (the parsers set it): it is never a finding's time.
const TagUntrusted = "timestomp:untrusted"

// collector turns segment rows into observations.
type collector struct {
	env *vocab.Env
	in  vocab.Interner
}

func (c *collector) web(seg *timeline.Segment, i int) webObs {
	source := seg.Str(timeline.ColSource, i)
	cdn := vocab.IsCDN(source)
	client := vocab.ParseAddr(seg.Str(timeline.ColSrcIP, i))
	if !cdn {
		client = vocab.ParseAddr(vocab.ClientAddr(seg, i))
	}
	return webObs{t: seg.Time(i), host: c.in.Get(c.env.OriginOf(seg.Str(timeline.ColHost, i), source)), client: client,
		method: c.in.Get(seg.Str(timeline.ColMethod, i)), url: c.in.Get(vocab.URLPath(seg.Str(timeline.ColURL, i))),
		status: seg.Int(timeline.ColStatus, i), cdn: cdn, ref: c.in.RowRef(seg, i)}
}

func (c *collector) conn(seg *timeline.Segment, i int) connObs {
	return connObs{t: seg.Time(i), src: vocab.ParseAddr(seg.Str(timeline.ColSrcIP, i)), dst: vocab.ParseAddr(seg.Str(timeline.ColDstIP, i)),
		dport: int32(seg.Int(timeline.ColDstPort, i)), deny: seg.Str(timeline.ColAction, i) == timeline.ActionDeny, ref: c.in.RowRef(seg, i)}
}

func (c *collector) login(seg *timeline.Segment, i int) loginObs {
	return loginObs{t: seg.Time(i), host: c.in.Get(seg.Str(timeline.ColHost, i)), user: c.in.Get(seg.Str(timeline.ColUser, i)),
		method: c.in.Get(vocab.ExtraValue(seg.Str(timeline.ColExtra, i), "method")), src: vocab.ParseAddr(seg.Str(timeline.ColSrcIP, i)),
		action: c.in.Get(seg.Str(timeline.ColAction, i)), ref: c.in.RowRef(seg, i)}
}

func (c *collector) fs(seg *timeline.Segment, i int) fsObs {
	tags := seg.Str(timeline.ColTags, i)
	o := fsObs{t: seg.Time(i), host: c.in.Get(seg.Str(timeline.ColHost, i)), path: c.in.Get(seg.Str(timeline.ColPath, i)),
		action: fsActions[seg.Str(timeline.ColTimeDesc, i)], ref: c.in.RowRef(seg, i)}
	if strings.Contains(tags, "timestomp") {
		o.stomp = c.in.Get(stompRules(tags))
		o.untrusted = strings.Contains(tags, TagUntrusted)
	}
	x := seg.Str(timeline.ColExtra, i)
	if m := vocab.ExtraValue(x, "mode"); strings.HasPrefix(m, "d") {
		o.dir = true
	}
	if o.action == "" {
		o.action = usnActions[seg.Str(timeline.ColAction, i)]
		if a, err := strconv.ParseUint(strings.TrimPrefix(vocab.ExtraValue(x, "attributes"), "0x"), 16, 32); err == nil && a&fileAttributeDirectory != 0 {
			o.dir = true
		}
	}
	return o
}

// stompRules keeps the timestomp rule tags of a tags value.
func stompRules(tags string) string {
	var out []string
	for _, t := range strings.Split(tags, ",") {
		if strings.HasPrefix(t, "timestomp:") && t != TagUntrusted {
			out = append(out, t)
		}
	}
	return strings.Join(out, ",")
}
