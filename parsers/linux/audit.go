package linux

import (
	"bytes"
	"context"
	"encoding/hex"
	"path/filepath"
	"strings"
	"unsafe"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// AuditName is the audit log format's name and its events' source.
const AuditName = "auditd"

func init() {
	parsers.Register(&parsers.Format{
		Name:        AuditName,
		Sources:     []parsers.Source{{Name: AuditName, Class: parsers.ClassSystem}},
		Description: "Linux audit log (audit.log, raw and enriched)",
		HasZone:     true, // epoch seconds
		HasYear:     true,
		Detect:      detectAudit,
		Parse:       parseAudit,
		ParseLine:   func(line []byte, in *parsers.Input, ev *timeline.Event) bool { return auditLine(line, ev) },
	})
}

func str(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// auditHexFields are the fields auditd writes hex-encoded when their value
// holds a space, quote or control character (it quotes them otherwise).
var auditHexFields = map[string]bool{"cmd": true, "proctitle": true, "comm": true, "exe": true, "name": true, "cwd": true, "path": true, "acct": true}

// auditStamp reads "msg=audit(1337845201.174:94983):" at the start of b and
// returns the time in nanoseconds, the stamp as written, the serial and the
// rest after ": ".
func auditStamp(b []byte) (ns int64, stamp, serial, rest []byte, ok bool) {
	const pre = "msg=audit("
	if !bytes.HasPrefix(b, []byte(pre)) {
		return 0, nil, nil, nil, false
	}
	b = b[len(pre):]
	end := bytes.IndexByte(b, ')')
	if end < 0 {
		return 0, nil, nil, nil, false
	}
	stamp = b[:end]
	dot := bytes.IndexByte(stamp, '.')
	colon := bytes.IndexByte(stamp, ':')
	if dot < 1 || colon < dot+2 {
		return 0, nil, nil, nil, false // no fraction: not a record auditd writes
	}
	sec, ok1 := parsers.Digits(stamp[:dot])
	frac := stamp[dot+1 : colon]
	ms, ok2 := parsers.Digits(frac)
	if !ok1 || !ok2 || len(frac) > 9 {
		return 0, nil, nil, nil, false
	}
	for i := len(frac); i < 9; i++ {
		ms *= 10
	}
	rest = b[end+1:]
	rest = bytes.TrimPrefix(rest, []byte(":"))
	rest = bytes.TrimPrefix(rest, []byte(" "))
	return int64(sec)*1e9 + int64(ms), stamp, stamp[colon+1:], rest, true
}

// auditLine parses one audit record into ev (reference fields untouched).
func auditLine(line []byte, ev *timeline.Event) bool {
	b := line
	var node []byte
	if bytes.HasPrefix(b, []byte("node=")) {
		sp := bytes.IndexByte(b, ' ')
		if sp < 0 {
			return false
		}
		node, b = b[5:sp], b[sp+1:]
	}
	if !bytes.HasPrefix(b, []byte("type=")) {
		return false
	}
	sp := bytes.IndexByte(b, ' ')
	if sp <= 5 {
		return false // no type, or an empty one
	}
	typ := b[5:sp]
	ns, stamp, serial, rest, ok := auditStamp(b[sp+1:])
	if !ok {
		return false
	}
	var enriched []byte
	if i := bytes.IndexByte(rest, 0x1D); i >= 0 {
		rest, enriched = rest[:i], rest[i+1:]
	}
	ev.Time, ev.TimeDesc, ev.TimeOrig, ev.Zone = ns, timeline.TimeLog, str(stamp), "UTC"
	ev.Source = AuditName
	ev.Message = str(bytes.TrimRight(rest, " "))
	ev.AddExtra("type", str(typ))
	ev.AddExtra("serial", str(serial))
	if len(node) > 0 {
		ev.AddExtra("node", str(node))
	}
	f := auditFields{ev: ev}
	f.scan(rest, false)
	f.scan(enriched, true)
	f.finish(str(typ))
	return true
}

// auditFields collects the key=value fields of one record.
type auditFields struct {
	ev                 *timeline.Event
	acct, auid, res    string
	syscall, enrichSys string
	success            string
}

// scan reads key=value pairs; values may be "quoted", 'quoted' (msg='...',
// whose inside is scanned as fields too) or bare.
func (f *auditFields) scan(b []byte, enriched bool) {
	for len(b) > 0 {
		for len(b) > 0 && b[0] == ' ' {
			b = b[1:]
		}
		eq := bytes.IndexByte(b, '=')
		sp := bytes.IndexByte(b, ' ')
		if eq < 0 || sp >= 0 && sp < eq {
			if sp < 0 {
				return
			}
			b = b[sp+1:] // a word without '=' ("avc:", "denied", "{")
			continue
		}
		key := b[:eq]
		b = b[eq+1:]
		var val []byte
		quoted := false
		if len(b) > 0 && (b[0] == '"' || b[0] == '\'') {
			q := b[0]
			end := bytes.IndexByte(b[1:], q)
			if end < 0 {
				val, b = b[1:], nil
			} else {
				val, b = b[1:1+end], b[2+end:]
			}
			quoted = true
			if q == '\'' && string(key) == "msg" {
				f.scan(val, enriched)
				continue
			}
		} else {
			end := bytes.IndexByte(b, ' ')
			if end < 0 {
				end = len(b)
			}
			val, b = b[:end], b[end:]
		}
		f.field(str(key), val, quoted, enriched)
	}
}

// auditKept are the fields kept in extra (the raw line keeps the rest).
var auditKept = map[string]bool{"pid": true, "ppid": true, "uid": true, "auid": true, "ses": true, "comm": true, "exe": true,
	"key": true, "subj": true, "op": true, "terminal": true, "hostname": true, "cwd": true, "cmd": true, "proctitle": true,
	"exit": true, "tty": true, "name": true, "grantors": true, "id": true}

func (f *auditFields) field(key string, val []byte, quoted, enriched bool) {
	ev := f.ev
	if enriched {
		switch key {
		case "SYSCALL":
			f.enrichSys = str(val)
		case "AUID":
			f.auid = str(val)
		}
		return
	}
	if !quoted && auditHexFields[key] && len(val) >= 2 && len(val)%2 == 0 && isHex(val) {
		// a fresh buffer: the event keeps pointing at it until Emit
		if d, err := hex.AppendDecode(nil, val); err == nil {
			val = bytes.ReplaceAll(d, []byte{0}, []byte{' '})
		}
	}
	// Strings point into the line (or the decoded buffer): the sink copies
	// what it keeps before the next line is read.
	switch key {
	case "acct":
		f.acct = str(val)
	case "addr":
		if v := str(val); v != "?" && v != "" {
			ev.SrcIP = v
		}
	case "res", "result":
		f.res = str(val)
	case "syscall":
		f.syscall = str(val)
	case "success":
		f.success = str(val)
	}
	if auditKept[key] {
		ev.AddExtra(key, str(val))
	}
}

func isHex(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// finish sets user, syscall and action from the fields seen.
func (f *auditFields) finish(typ string) {
	ev := f.ev
	switch {
	case f.acct != "":
		ev.User = f.acct
	case f.auid != "" && f.auid != "unset":
		ev.User = f.auid
	}
	if f.syscall != "" {
		sys := f.syscall
		if f.enrichSys != "" {
			sys = f.enrichSys // the name the enriched log resolved
		}
		ev.AddExtra("syscall", sys)
		if sys == "execve" {
			ev.Action = timeline.ActionExecute
		}
	}
	if f.success != "" {
		ev.AddExtra("success", f.success)
	}
	if f.res != "" {
		ev.AddExtra("res", f.res)
	}
	ok := f.res == "success" || f.res == "1"
	switch typ {
	case "USER_LOGIN", "USER_AUTH":
		if ok {
			ev.Action = timeline.ActionLoginSuccess
		} else {
			ev.Action = timeline.ActionLoginFailure
		}
	case "USER_END", "CRED_DISP":
		ev.Action = timeline.ActionLogout
	case "EXECVE", "USER_CMD":
		ev.Action = timeline.ActionExecute
	case "ADD_USER", "ADD_GROUP":
		ev.Action = timeline.ActionCreate
	case "DEL_USER", "DEL_GROUP":
		ev.Action = timeline.ActionDelete
	case "USER_CHAUTHTOK", "USER_MGMT", "GRP_MGMT", "ACCT_LOCK", "ACCT_UNLOCK", "CONFIG_CHANGE":
		ev.Action = timeline.ActionModify
	}
}

func parseAudit(ctx context.Context, in *parsers.Input, sink timeline.Sink) error {
	r, err := in.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	var ev timeline.Event
	last := int64(0)
	return parsers.ScanLines(ctx, r, func(l *parsers.Line) error {
		if len(bytes.TrimSpace(l.Text)) == 0 {
			return nil
		}
		ev.Reset()
		if !auditLine(l.Text, &ev) {
			parsers.Unparsed(&ev, in, l, last, "not an audit record (type=... msg=audit(SECONDS.MILLIS:SERIAL): ...)")
			return sink.Emit(&ev)
		}
		parsers.FillRef(&ev, in, l)
		if l.Truncated {
			ev.AddTag("truncated")
		}
		last = ev.Time
		return sink.Emit(&ev)
	})
}

// detectAudit: most lines are audit records; the name audit.log adds
// certainty.
func detectAudit(name string, head []byte) int {
	lines, good := 0, 0
	var ev timeline.Event
	for len(head) > 0 && lines < 20 {
		i := bytes.IndexByte(head, '\n')
		if i < 0 {
			break
		}
		line := head[:i]
		head = head[i+1:]
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		lines++
		ev.Reset()
		if auditLine(line, &ev) {
			good++
		}
	}
	if lines == 0 || good*2 < lines {
		return 0
	}
	score := 90 * good / lines
	if strings.HasPrefix(strings.ToLower(filepath.Base(name)), "audit") {
		score += 5
	}
	return score
}
