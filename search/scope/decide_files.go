package scope

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/search/vocab"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// File rules. On a compromised host, after its compromise, a file change
// is the intruder's when it is tied to them: a seed path; born right after
// a seed's upload; inside a directory the intruder created; changed right
// after a request to the intruder's own file (a web shell command); inside
// the intruder's login session. Other changes are look-alikes: inside a
// baseline login's session (a deployment), born right after someone else's
// upload, or counted as unattributed. Times a timestomp rule contradicts
// are never used.

// File rule names.
const (
	RuleSeedFile     = "seed-file"
	RuleIntruderDir  = "intruder-directory"
	RuleWebShell     = "web-shell"
	RuleSession      = "session"
	RuleBenignUpload = "benign-upload"
	RuleUnattributed = "unattributed-change"
)

// WriteSkew is how much earlier than its upload request a file may be
// born: access logs stamp whole seconds, some at the request's end.
const WriteSkew = 2 * time.Second

// createdBy is a file born right after a seed's upload.
type createdBy struct {
	born fsObs
	w    webObs
}

// uploadCreated finds the files born on compromised hosts right after a
// seed's successful write request.
func (st *state) uploadCreated() map[fileKey]createdBy {
	born := st.bornFiles()
	out := map[fileKey]createdBy{}
	for i := range st.web {
		w := &st.web[i]
		c, ok := st.comp[w.host]
		if !ok || !st.isSeed(w.client) || !w.write() || w.t < c.t-int64(st.opt.Slack) {
			continue
		}
		for p, b := range born[w.host] {
			if b.t >= w.t-int64(WriteSkew) && b.t <= w.t+int64(WriteLag) {
				out[fileKey{w.host, p}] = createdBy{b, *w}
			}
		}
	}
	return out
}

// fileRules holds what attribution needs, built once per round.
type fileRules struct {
	created  map[fileKey]createdBy
	dirs     []fileKey           // directories the intruder created
	commands map[string][]webObs // host -> successful requests to the intruder's files, by time
}

func (st *state) fileRules(created map[fileKey]createdBy, iurls map[string]bool) fileRules {
	r := fileRules{created: created, commands: map[string][]webObs{}}
	for k, c := range created {
		if c.born.dir {
			r.dirs = append(r.dirs, k)
		}
	}
	for i := range st.web { // a CDN's copy counts too: the origin's may be wiped
		w := &st.web[i]
		if w.ok() && iurls[w.url] {
			r.commands[w.host] = append(r.commands[w.host], *w)
		}
	}
	for _, cs := range r.commands {
		sort.Slice(cs, func(i, j int) bool { return cs[i].t < cs[j].t })
	}
	return r
}

// attribute returns the rule tying a file event to the intruder, or "".
func (st *state) attribute(o *fsObs, r *fileRules) (string, string) {
	if _, ok := st.files[o.path]; ok {
		return RuleSeedFile, "given as an indicator"
	}
	if c, ok := r.created[fileKey{o.host, o.path}]; ok {
		return RuleUpload, fmt.Sprintf("born %s, right after %s %s by %s", vocab.FormatTime(c.born.t), c.w.method, c.w.url, c.w.client)
	}
	for _, d := range r.dirs {
		if d.host == o.host && strings.HasPrefix(o.path, d.path+"/") {
			return RuleIntruderDir, "inside " + d.path + ", a directory the intruder created"
		}
	}
	if w := lastCommand(r.commands[o.host], o.t, ShellLag); w != nil {
		return RuleWebShell, fmt.Sprintf("%s %s after %s %s by %s (a file of the intruder's)", o.action, time.Duration(o.t-w.t).Round(time.Millisecond), w.method, w.url, w.client)
	}
	for _, s := range st.sessions {
		if s.intruder && s.host == o.host && o.t >= s.from && o.t <= s.to {
			return RuleSession, "during the intruder's session as " + s.what
		}
	}
	return "", ""
}

// lateAttribute is the weak web shell rule, tried after the baseline
// explanations: a change within ShellLagLate of a command.
func lateAttribute(o *fsObs, r *fileRules) (string, string) {
	if w := lastCommand(r.commands[o.host], o.t, ShellLagLate); w != nil {
		return RuleWebShell, fmt.Sprintf("%s %s after %s %s by %s (a file of the intruder's), no baseline session explains it", o.action, time.Duration(o.t-w.t).Round(time.Second), w.method, w.url, w.client)
	}
	return "", ""
}

// lastCommand is the last request in cs (sorted by time) at or before t
// and at most lag earlier, or nil.
func lastCommand(cs []webObs, t int64, lag time.Duration) *webObs {
	k := sort.Search(len(cs), func(i int) bool { return cs[i].t > t })
	if k > 0 && t-cs[k-1].t <= int64(lag) {
		return &cs[k-1]
	}
	return nil
}

// decideFiles attributes the file system events of compromised hosts.
func (st *state) decideFiles(ctx context.Context, f *findings, created map[fileKey]createdBy, iurls map[string]bool) error {
	rules := st.fileRules(created, iurls)
	evs := append(append([]fsObs(nil), st.hostFS...), st.seedFS...)
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].t < evs[j].t })
	reads := map[fileKey]*vocab.Span{}
	var unexplained, dirs []fsObs
	for i := range evs {
		o := &evs[i]
		k := fileKey{o.host, o.path}
		c, comp := st.comp[o.host]
		if o.stomp != "" && comp {
			st.stomp(f, o)
		}
		_, seedFile := st.files[o.path]
		if o.untrusted || o.action == "" || !seedFile && (!comp || o.t < c.t-int64(st.opt.Slack)) {
			continue
		}
		if o.action == "read" {
			if reads[k] == nil {
				reads[k] = &vocab.Span{}
			}
			addRow(reads[k], o.t, o.ref, f.refCap)
			continue
		}
		if o.dir && (o.action == "modified" || o.action == "changed") {
			dirs = append(dirs, *o) // an entry added or removed: the entry's own event says it
			continue
		}
		if fa := f.files[k]; fa != nil {
			st.fileAction(f, fa, o)
			continue
		}
		if rule, why := st.attribute(o, &rules); rule != "" {
			fa := &fileAgg{ruled: ruled{rule: rule, why: why}, actions: map[string]int64{}, dir: o.dir, url: st.env.FileToURL(o.host, o.path)}
			f.files[k] = fa
			st.fileAction(f, fa, o)
			continue
		}
		if s := st.baselineSession(o); s != nil {
			f.lookalike("file", o.path, o.host, RuleBaselineSession, fmt.Sprintf("%s %s during the session of %s, a login the host's baseline has", o.action, vocab.FormatTime(o.t), s.what), o.t, o.ref)
			continue
		}
		if rule, why := lateAttribute(o, &rules); rule != "" {
			fa := &fileAgg{ruled: ruled{rule: rule, why: why}, actions: map[string]int64{}, dir: o.dir, url: st.env.FileToURL(o.host, o.path)}
			f.files[k] = fa
			st.fileAction(f, fa, o)
			continue
		}
		unexplained = append(unexplained, *o)
	}
	st.fileReads(f, reads)
	st.fileRequests(f, &rules)
	st.modifiedFiles(f)
	if err := st.explainFiles(ctx, f, unexplained); err != nil {
		return err
	}
	st.parentDirs(f, dirs)
	return nil
}

// RuleParentDir: a directory whose times moved because an entry inside was
// added or removed.
const RuleParentDir = "parent-directory"

// parentDirs lists the directory changes of the parents of the files in
// scope or seen, as look-alikes: their times moved with their entries.
func (st *state) parentDirs(f *findings, dirs []fsObs) {
	parents := map[fileKey]string{} // each directory's example: its first child by name (the same every run)
	example := func(host, child string) {
		k := fileKey{host, path.Dir(child)}
		if old, ok := parents[k]; !ok || child < old {
			parents[k] = child
		}
	}
	for k := range f.files {
		example(k.host, k.path)
	}
	for k, s := range f.seen {
		if k.kind == "file" && s.rule != RuleUnattributed && s.rule != RuleParentDir {
			example(k.host, k.value)
		}
	}
	for i := range dirs {
		o := &dirs[i]
		child, ok := parents[fileKey{o.host, o.path}]
		if !ok {
			continue
		}
		if _, in := f.files[fileKey{o.host, o.path}]; in {
			continue
		}
		f.lookalike("file", o.path, o.host, RuleParentDir, "its times moved when entries inside it were added or removed (such as "+child+")", o.t, o.ref)
	}
}

func (st *state) fileAction(f *findings, fa *fileAgg, o *fsObs) {
	if old, ok := fa.actions[o.action]; !ok || o.t < old {
		fa.actions[o.action] = o.t
	}
	fa.lastChange = max(fa.lastChange, o.t)
	if o.dir {
		fa.dir = true
	}
	addRow(&fa.Span, o.t, o.ref, f.refCap)
	f.action(o.host, o.t, o.ref, fmt.Sprintf("%s %s %s", o.host, o.path, o.action))
}

// hostsWithFS are the hosts whose file system this round read.
func (st *state) hostsWithFS() map[string]bool {
	out := map[string]bool{}
	for i := range st.hostFS {
		out[st.hostFS[i].host] = true
	}
	return out
}

func (st *state) baselineSession(o *fsObs) *session {
	for i := range st.sessions {
		s := &st.sessions[i]
		if !s.intruder && s.host == o.host && o.t >= s.from && o.t <= s.to {
			return s
		}
	}
	return nil
}

// stomp records a file whose times a timestomp rule contradicts.
func (st *state) stomp(f *findings, o *fsObs) {
	k := fileKey{o.host, o.path}
	s := f.stomps[k]
	if s == nil {
		s = &stompAgg{rules: o.stomp}
		f.stomps[k] = s
	}
	addRow(&s.Span, o.t, o.ref, f.refCap)
	if !o.untrusted {
		s.trusted = append(s.trusted, o.t)
	}
}

// fileReads adds reads (trusted access times) to files already in scope.
func (st *state) fileReads(f *findings, reads map[fileKey]*vocab.Span) {
	for k, s := range reads {
		if fa := f.files[k]; fa != nil {
			if old, ok := fa.actions["read"]; !ok || s.First < old {
				fa.actions["read"] = s.First
			}
			fa.Merge(s, f.refCap)
		}
	}
}

// fileRequests adds the first successful request of the intruder (or of
// another user of their files) to each file in scope that a URL reaches.
func (st *state) fileRequests(f *findings, r *fileRules) {
	for k, fa := range f.files {
		if fa.url == "" || fa.dir {
			continue
		}
		for _, c := range r.commands[k.host] { // in time order: the first is the one
			if c.url == fa.url {
				fa.actions["requested"] = c.t
				break
			}
		}
	}
}

// modifiedFiles lists the public files the intruder modified (not created)
// with the span they stayed modified: from the first modification to the
// intruder's last change of them (their restoration), else open.
func (st *state) modifiedFiles(f *findings) {
	for k, fa := range f.files {
		m, ok := fa.actions["modified"]
		if !ok || fa.url == "" || fa.dir {
			continue
		}
		if _, born := fa.actions["created"]; born {
			continue
		}
		to := int64(0)
		if fa.lastChange > m {
			to = fa.lastChange
		}
		f.modified = append(f.modified, modFile{k.host, k.path, fa.url, m, to})
	}
	sort.Slice(f.modified, func(i, j int) bool { return f.modified[i].from < f.modified[j].from })
}

// explainFiles looks, for each file born on a compromised host that no
// rule ties to the intruder, for the write request just before its birth:
// someone else's upload is a look-alike; the rest are counted per host as
// unattributed changes.
func (st *state) explainFiles(ctx context.Context, f *findings, evs []fsObs) error {
	explained := 0
	benign := map[fileKey]string{} // file -> why, for all of its events
	for i := range evs {
		o := &evs[i]
		k := fileKey{o.host, o.path}
		if o.action != "created" || o.dir || explained == ExplainFilesMax {
			continue
		}
		explained++
		w, err := st.writeBefore(ctx, o)
		if err != nil {
			return err
		}
		if w != nil {
			benign[k] = fmt.Sprintf("born %s, right after %s %s %s by %s, not an intruder address", vocab.FormatTime(o.t), w.method, w.url, statusText(w.status), w.client)
		}
	}
	for i := range evs {
		o := &evs[i]
		if why, ok := benign[fileKey{o.host, o.path}]; ok {
			f.lookalike("file", o.path, o.host, RuleBenignUpload, why, o.t, o.ref)
			continue
		}
		f.lookalike("file", "other changes", o.host, RuleUnattributed, "file changes after the compromise that no rule ties to the intruder or explains", o.t, o.ref)
	}
	return nil
}

// writeBefore finds a successful write request to host o.host in the
// WriteLag before the file's birth.
func (st *state) writeBefore(ctx context.Context, o *fsObs) (*webObs, error) {
	q := vocab.QueryWeb + " AND (method:POST OR method:PUT OR method:PATCH)"
	var found *webObs
	err := st.env.Searcher.Scan(ctx, search.Request{Query: q, From: o.t - int64(WriteLag), To: o.t + int64(WriteSkew)}, nil, func(seg *timeline.Segment, rows []search.Rows) error {
		st.col.reset()
		rows[0].Each(func(i int) bool {
			w := st.col.web(seg, i)
			if w.host == o.host && w.write() && !st.isSeed(w.client) {
				found = &w
			}
			return true
		})
		return nil
	})
	return found, err
}
