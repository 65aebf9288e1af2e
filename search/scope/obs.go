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

// fsActions maps file system time descriptions to actions: ext4's (and
// the generic) M/A/C/B, and NTFS's $STANDARD_INFORMATION and $FILE_NAME
// times.
var fsActions = func() map[string]string {
	m := map[string]string{
		timeline.TimeBorn:     "created",
		timeline.TimeModified: "modified",
		timeline.TimeChanged:  "changed",
		timeline.TimeAccessed: "read",
		timeline.TimeDeleted:  "deleted",
	}
	for k, a := range []string{"created", "modified", "changed", "read"} { // ntfs's order: crtime, mtime, ctime, atime
		m[ntfs.SIDesc[k]], m[ntfs.FNDesc[k]] = a, a
	}
	return m
}()

// fileAttributeDirectory is FILE_ATTRIBUTE_DIRECTORY in a change journal
// record's attributes.
const fileAttributeDirectory = 0x10

// collector turns segment rows into observations, each dictionary value
// interned once per segment.
type collector struct {
	env                                  *vocab.Env
	in                                   vocab.Interner
	host, source, user, action, ev, path *vocab.Column
	src, dst, method, desc               *vocab.Column
	addrs                                map[string]netip.Addr
}

func newCollector(env *vocab.Env) collector {
	col := vocab.NewColumn
	return collector{env: env, in: vocab.Interner{}, host: col(timeline.ColHost), source: col(timeline.ColSource), user: col(timeline.ColUser),
		action: col(timeline.ColAction), ev: col(timeline.ColEvidence), path: col(timeline.ColRefPath), src: col(timeline.ColSrcIP),
		dst: col(timeline.ColDstIP), method: col(timeline.ColMethod), desc: col(timeline.ColTimeDesc),
		addrs: map[string]netip.Addr{}}
}

// reset forgets the dictionary memos: call it when a segment's visit
// starts (a new segment may reuse a freed one's address).
func (c *collector) reset() {
	for _, col := range []*vocab.Column{c.host, c.source, c.user, c.action, c.ev, c.path, c.src, c.dst, c.method, c.desc} {
		col.Reset()
	}
}

// addr parses an interned address value once.
func (c *collector) addr(v string) netip.Addr {
	a, ok := c.addrs[v]
	if !ok {
		a = vocab.ParseAddr(v)
		c.addrs[v] = a
	}
	return a
}

// ref is row i's reference with its strings interned.
func (c *collector) ref(seg *timeline.Segment, i int) vocab.RowRef {
	return vocab.RowRef{Evidence: c.ev.At(seg, i, c.in), Path: c.path.At(seg, i, c.in), Offset: seg.Int(timeline.ColOffset, i),
		Line: seg.Int(timeline.ColLine, i), Inode: seg.Int(timeline.ColInode, i), MFT: seg.Int(timeline.ColMFT, i)}
}

func (c *collector) web(seg *timeline.Segment, i int) webObs {
	source := c.source.At(seg, i, c.in)
	cdn := vocab.IsCDN(source)
	var client netip.Addr
	if cdn {
		client = c.addr(c.src.At(seg, i, c.in))
	} else {
		client = vocab.ParseAddr(vocab.ClientAddr(seg, i))
	}
	return webObs{t: seg.Time(i), host: c.in.Get(c.env.OriginOf(c.host.At(seg, i, c.in), source)), client: client,
		method: c.method.At(seg, i, c.in), url: c.in.Get(vocab.URLPath(seg.Str(timeline.ColURL, i))),
		status: seg.Int(timeline.ColStatus, i), cdn: cdn, ref: c.ref(seg, i)}
}

func (c *collector) conn(seg *timeline.Segment, i int) connObs {
	return connObs{t: seg.Time(i), src: c.addr(c.src.At(seg, i, c.in)), dst: c.addr(c.dst.At(seg, i, c.in)),
		dport: int32(seg.Int(timeline.ColDstPort, i)), deny: c.action.At(seg, i, c.in) == timeline.ActionDeny, ref: c.ref(seg, i)}
}

func (c *collector) login(seg *timeline.Segment, i int) loginObs {
	l := c.loginLite(seg, i)
	l.ref = c.ref(seg, i)
	return l
}

// loginLite is a login without its reference.
func (c *collector) loginLite(seg *timeline.Segment, i int) loginObs {
	l := loginObs{t: seg.Time(i), host: c.host.At(seg, i, c.in), user: c.user.At(seg, i, c.in),
		src: c.addr(c.src.At(seg, i, c.in)), action: c.action.At(seg, i, c.in)}
	if l.action == timeline.ActionLoginSuccess {
		l.method = c.in.Get(vocab.ExtraValue(seg.Str(timeline.ColExtra, i), "method"))
	}
	return l
}

func (c *collector) fs(seg *timeline.Segment, i int) fsObs {
	tags := seg.Str(timeline.ColTags, i)
	o := fsObs{t: seg.Time(i), host: c.host.At(seg, i, c.in), path: c.in.Get(seg.Str(timeline.ColPath, i)),
		action: fsActions[c.desc.At(seg, i, c.in)], ref: c.ref(seg, i)}
	if strings.Contains(tags, "timestomp") {
		o.stomp = c.in.Get(stompRules(tags))
		o.untrusted = strings.Contains(tags, timeline.TagTimestompUntrusted)
	}
	if strings.HasPrefix(seg.Str(timeline.ColFSMode, i), "d") {
		o.dir = true
	}
	if o.action == "" {
		o.action = usnActions[c.action.At(seg, i, c.in)]
		x := seg.Str(timeline.ColExtra, i)
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
		if strings.HasPrefix(t, "timestomp:") && t != timeline.TagTimestompUntrusted {
			out = append(out, t)
		}
	}
	return strings.Join(out, ",")
}
