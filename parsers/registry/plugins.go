package registry

import (
	"encoding/binary"
	"strconv"
	"strings"

	"github.com/kiseki-forensics/kiseki/parsers/internal/winart"
	"github.com/kiseki-forensics/kiseki/timeline"
	"www.velocidex.com/golang/regparser"
	"www.velocidex.com/golang/regparser/appcompatcache"
)

// runKeys are the autostart keys whose values are commands (paths in
// lower case, as a suffix of the key's path).
var runKeys = []string{
	`\microsoft\windows\currentversion\run`,
	`\microsoft\windows\currentversion\runonce`,
	`\microsoft\windows\currentversion\runonceex`,
	`\microsoft\windows\currentversion\policies\explorer\run`,
}

const (
	shimKey   = `\control\session manager\appcompatcache`
	shimValue = "AppCompatCache"
)

// setKind names what a key or value is, in extra and as a tag (so that
// tag:run-key finds it).
func setKind(ev *timeline.Event, kind string) {
	ev.AddExtra("kind", kind)
	ev.AddTag(kind)
}

// components splits a lower-case key path.
func components(lower string) []string { return strings.Split(strings.TrimPrefix(lower, `\`), `\`) }

// enrichKey fills the key's own event for services and AmCache entries.
func enrichKey(ev *timeline.Event, lower string, vals []value) {
	c := components(lower)
	switch {
	case len(c) == 3 && strings.HasPrefix(c[0], "controlset") && c[1] == "services":
		setKind(ev, "service")
		name := ev.Path[strings.LastIndexByte(ev.Path, '\\')+1:]
		ev.AddExtra("service_name", name)
		if p := get(vals, "ImagePath"); p != "" {
			ev.Path = p
		}
		for _, f := range [...][2]string{{"Start", "start"}, {"Type", "type"}, {"DisplayName", "display_name"}, {"ObjectName", "object_name"}} {
			if v := get(vals, f[0]); v != "" {
				ev.AddExtra(f[1], v)
			}
		}
		ev.Message = "service " + name + ": " + ev.Path
	case len(c) == 4 && c[0] == "root" && c[1] == "file":
		amcache(ev, get(vals, "15"), get(vals, "101"))
		// FILETIMEs the entry stores (value names are hex numbers):
		// 11 the file's modification, 12 its creation, 17 the entry's
		// last update (what plaso calls the key's last write).
		for _, f := range [...][2]string{{"11", "file_mtime"}, {"12", "file_crtime"}, {"17", "entry_written"}} {
			if ft, err := strconv.ParseUint(get(vals, f[0]), 10, 64); err == nil {
				if ns, ok := winart.UnixNano(ft); ok {
					ev.AddExtra(f[1], winart.RFC3339(ns))
				}
			}
		}
	case len(c) == 3 && c[0] == "root" && c[1] == "inventoryapplicationfile":
		amcache(ev, get(vals, "LowerCaseLongPath"), get(vals, "FileId"))
	}
}

func amcache(ev *timeline.Event, path, id string) {
	if path == "" {
		return
	}
	setKind(ev, "amcache")
	ev.Path = path
	if sha1 := strings.TrimPrefix(id, "0000"); len(sha1) == 40 {
		ev.AddExtra("sha1", sha1)
	}
	ev.Message = "AmCache entry: " + path
}

// plugins emits the events of Run keys, UserAssist and ShimCache.
func (w *walker) plugins(k *regparser.CM_KEY_NODE, path, lower string, vals []value, ns int64, ok bool) error {
	for _, rk := range runKeys {
		if strings.HasSuffix(lower, rk) {
			return w.runKey(k, path, vals, ns, ok)
		}
	}
	if strings.HasSuffix(lower, `\count`) && strings.Contains(lower, `\userassist\{`) {
		return w.userAssist(k, path, vals)
	}
	if c := components(lower); len(c) >= 2 && c[len(c)-2] == "usersettings" && strings.Contains(lower, `\services\bam\`) {
		return w.bam(k, path, c[len(c)-1], vals)
	}
	if c := components(lower); len(c) == 5 && c[0] == "sam" && c[3] == "users" && c[4] != "names" {
		return w.samUser(k, path, vals)
	}
	if strings.HasSuffix(lower, shimKey) {
		for _, v := range vals {
			if strings.EqualFold(v.name, shimValue) {
				return w.shimCache(k, path, v.data)
			}
		}
	}
	return nil
}

func (w *walker) runKey(k *regparser.CM_KEY_NODE, path string, vals []value, ns int64, ok bool) error {
	for _, v := range vals {
		ev := w.start(k)
		w.at(ev, ns, ok, timeline.TimeModified)
		ev.Path = v.str
		setKind(ev, "run-key")
		ev.AddExtra("key", path)
		ev.AddExtra("value_name", v.name)
		ev.Message = "autostart " + v.name + " = " + v.str
		if err := w.sink.Emit(ev); err != nil {
			return err
		}
	}
	return nil
}

// bam emits the Background Activity Moderator's entries of one account
// (Services\bam\[State\]UserSettings\<SID>): each binary value is an
// executable and starts with the FILETIME of its last run.
func (w *walker) bam(k *regparser.CM_KEY_NODE, path, sid string, vals []value) error {
	for _, v := range vals {
		if v.typ != regparser.REG_BINARY || len(v.data) < 8 {
			continue // Version, SequenceNumber
		}
		ns, ok := winart.UnixNano(winart.FiletimeAt(v.data, 0))
		if !ok {
			continue
		}
		ev := w.start(k)
		w.at(ev, ns, true, "last_run")
		ev.Action, ev.Path = timeline.ActionExecute, v.name
		ev.User = strings.ToUpper(sid)
		setKind(ev, "bam")
		ev.AddExtra("key", path)
		ev.Message = "BAM: " + v.name + " last run"
		if err := w.sink.Emit(ev); err != nil {
			return err
		}
	}
	return nil
}

// SAM user records: the F value holds the account's times and counters,
// the V value its names behind a table of (offset, length, unknown)
// entries whose data starts at samVData.
const (
	samFSize  = 0x44
	samVData  = 0xcc
	samVTable = 12 // bytes per V table entry
)

// samTimes are the F value's FILETIMEs that become events.
var samTimes = [...]struct {
	off          int
	desc, action string
}{
	{0x08, "last_login", timeline.ActionLoginSuccess},
	{0x18, "password_set", timeline.ActionModify},
	{0x28, "last_failed_login", timeline.ActionLoginFailure},
}

// samString reads entry i of a V value's table.
func samString(v []byte, i int) string {
	at := i * samVTable
	if at+8 > len(v) {
		return ""
	}
	off, n := samVData+int(binary.LittleEndian.Uint32(v[at:])), int(binary.LittleEndian.Uint32(v[at+4:]))
	if n <= 0 || off < samVData || off+n > len(v) {
		return ""
	}
	return winart.UTF16(v[off : off+n])
}

func (w *walker) samUser(k *regparser.CM_KEY_NODE, path string, vals []value) error {
	var f, v []byte
	for _, x := range vals {
		switch x.name {
		case "F":
			f = x.data
		case "V":
			v = x.data
		}
	}
	if len(f) < samFSize {
		return nil
	}
	name := samString(v, 1)
	for _, t := range samTimes {
		ns, ok := winart.UnixNano(winart.FiletimeAt(f, t.off))
		if !ok {
			continue // never
		}
		ev := w.start(k)
		w.at(ev, ns, true, t.desc)
		ev.Action, ev.User, ev.Path = t.action, name, path
		setKind(ev, "sam-user")
		ev.AddExtra("key", path)
		ev.AddExtra("rid", strconv.FormatUint(uint64(binary.LittleEndian.Uint32(f[0x30:])), 10))
		ev.AddExtra("flags", strconv.FormatUint(uint64(binary.LittleEndian.Uint16(f[0x38:])), 10))
		ev.AddExtra("failed_count", strconv.FormatUint(uint64(binary.LittleEndian.Uint16(f[0x40:])), 10))
		ev.AddExtra("login_count", strconv.FormatUint(uint64(binary.LittleEndian.Uint16(f[0x42:])), 10))
		if fn := samString(v, 2); fn != "" {
			ev.AddExtra("full_name", fn)
		}
		if c := samString(v, 3); c != "" {
			ev.AddExtra("comment", c)
		}
		ev.Message = "SAM account " + name + ": " + t.desc
		if err := w.sink.Emit(ev); err != nil {
			return err
		}
	}
	return nil
}

// rot13 decodes UserAssist value names.
func rot13(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z':
			b[i] = 'a' + (c-'a'+13)%26
		case c >= 'A' && c <= 'Z':
			b[i] = 'A' + (c-'A'+13)%26
		}
	}
	return string(b)
}

// UserAssist value data layouts.
const (
	uaXPSize = 16 // session, count (+5), last run FILETIME
	uaV5Size = 72 // session, count, focus count, focus ms, ..., last run at 60
	// uaXPBase: Windows XP starts its run counter at 5.
	uaXPBase = 5
)

func (w *walker) userAssist(k *regparser.CM_KEY_NODE, path string, vals []value) error {
	for _, v := range vals {
		var count, focus, focusMS uint32
		var ft uint64
		switch len(v.data) {
		case uaXPSize:
			count, ft = binary.LittleEndian.Uint32(v.data[4:]), winart.FiletimeAt(v.data, 8)
			if count >= uaXPBase {
				count -= uaXPBase
			}
		case uaV5Size:
			count, focus, focusMS = binary.LittleEndian.Uint32(v.data[4:]), binary.LittleEndian.Uint32(v.data[8:]), binary.LittleEndian.Uint32(v.data[12:])
			ft = winart.FiletimeAt(v.data, 60)
		default:
			continue // UEME_CTLSESSION and other bookkeeping values
		}
		ns, ok := winart.UnixNano(ft)
		if !ok {
			continue // never run: no time to put it at
		}
		ev := w.start(k)
		w.at(ev, ns, true, "last_run")
		ev.Action = timeline.ActionExecute
		ev.Path = rot13(v.name)
		setKind(ev, "userassist")
		ev.AddExtra("key", path)
		ev.AddExtra("run_count", strconv.FormatUint(uint64(count), 10))
		if len(v.data) == uaV5Size {
			ev.AddExtra("focus_count", strconv.FormatUint(uint64(focus), 10))
			ev.AddExtra("focus_ms", strconv.FormatUint(uint64(focusMS), 10))
		}
		ev.Message = "UserAssist: " + ev.Path + " run " + strconv.FormatUint(uint64(count), 10) + " times"
		if err := w.sink.Emit(ev); err != nil {
			return err
		}
	}
	return nil
}

// ShimEntry is one AppCompatCache entry.
type ShimEntry struct {
	Path     string
	Modified int64 // Unix ns; 0 when not recorded
}

// ShimCache formats by their first four bytes.
const (
	shimVista = 0xbadc0ffe // Vista, Server 2008
	shimWin7  = 0xbadc0fee // 7, Server 2008 R2
	// Entries start after an 8-byte header on Vista, 128 bytes on 7.
	shimHeaderVista = 8
	shimHeaderWin7  = 128
)

// ParseShimCache decodes an AppCompatCache value: Vista and 7 (x86 and
// x64) here, 8 and later with the library. format names the layout.
func ParseShimCache(b []byte) (entries []ShimEntry, format string) {
	if len(b) < 8 {
		return nil, "unknown"
	}
	switch binary.LittleEndian.Uint32(b) {
	case shimVista, shimWin7:
		return shimOld(b)
	}
	for _, e := range appcompatcache.ParseValueData(b) {
		var ns int64
		if e.Epoch > 0 && e.Epoch < 1<<33 {
			ns = int64(e.Epoch) * 1e9
		}
		entries = append(entries, ShimEntry{e.Name, ns})
	}
	return entries, "win8+"
}

// shimOld reads Vista/7 entries: path length, maximum length, (padding
// on x64,) path offset, FILETIME, flags, and on 7 the data size and offset. An x64 entry
// has zero padding where an x86 one has its path offset.
func shimOld(b []byte) ([]ShimEntry, string) {
	magic := binary.LittleEndian.Uint32(b)
	count := int(binary.LittleEndian.Uint32(b[4:]))
	header := shimHeaderWin7
	if magic == shimVista {
		header = shimHeaderVista
	}
	if len(b) < header+8 {
		return nil, "unknown"
	}
	x64 := binary.LittleEndian.Uint32(b[header+4:]) == 0
	size, offAt, ftAt, name := 32, 4, 8, "win7-x86"
	switch {
	case magic == shimWin7 && x64:
		size, offAt, ftAt, name = 48, 8, 16, "win7-x64"
	case magic == shimVista && x64:
		size, offAt, ftAt, name = 32, 8, 16, "vista-x64"
	case magic == shimVista:
		size, offAt, ftAt, name = 24, 4, 8, "vista-x86"
	}
	var out []ShimEntry
	for i, e := 0, header; i < count && e+size <= len(b); i, e = i+1, e+size {
		n := int(binary.LittleEndian.Uint16(b[e:]))
		var off int
		if offAt == 8 {
			off = int(binary.LittleEndian.Uint64(b[e+8:]) & 0x7fffffff)
		} else {
			off = int(binary.LittleEndian.Uint32(b[e+4:]))
		}
		if off <= 0 || off+n > len(b) {
			continue
		}
		ns, _ := winart.UnixNano(winart.FiletimeAt(b, e+ftAt))
		out = append(out, ShimEntry{winart.UTF16(b[off : off+n]), ns})
	}
	return out, name
}

func (w *walker) shimCache(k *regparser.CM_KEY_NODE, path string, data []byte) error {
	entries, format := ParseShimCache(data)
	if len(entries) == 0 && len(data) > 0 {
		w.in.Problemf("registry-shimcache", int64(k.Offset), 0, "%s\\%s: no entries read from %d bytes (format %s)", path, shimValue, len(data), format)
	}
	for i, e := range entries {
		ev := w.start(k)
		w.at(ev, e.Modified, e.Modified != 0, "file_mtime")
		ev.Path = e.Path
		setKind(ev, "shimcache")
		ev.AddExtra("key", path)
		ev.AddExtra("position", strconv.Itoa(i))
		ev.AddExtra("shim_format", format)
		ev.Message = "ShimCache entry: " + e.Path
		if err := w.sink.Emit(ev); err != nil {
			return err
		}
	}
	return nil
}
