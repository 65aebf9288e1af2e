package utmp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"unsafe"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// FormatName is the registered name and the events' source.
const FormatName = "utmp"

func init() {
	parsers.Register(&parsers.Format{
		Name:        FormatName,
		Sources:     []parsers.Source{{Name: FormatName, Class: parsers.ClassLogin}},
		Description: "utmp/wtmp/btmp login records (Linux 384/400-byte, little/big endian; macOS utmpx)",
		HasZone:     true, // Unix time
		HasYear:     true,
		Detect:      detect,
		Parse:       parse,
	})
}

func str(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// Record types (glibc bits/utmp.h; macOS adds SIGNATURE and SHUTDOWN_TIME).
const (
	Empty        = 0
	RunLevel     = 1
	BootTime     = 2
	NewTime      = 3
	OldTime      = 4
	InitProcess  = 5
	LoginProcess = 6
	UserProcess  = 7
	DeadProcess  = 8
	Accounting   = 9
	Signature    = 10
	ShutdownTime = 11
)

var typeNames = [...]string{"EMPTY", "RUN_LVL", "BOOT_TIME", "NEW_TIME", "OLD_TIME", "INIT_PROCESS", "LOGIN_PROCESS", "USER_PROCESS", "DEAD_PROCESS", "ACCOUNTING", "SIGNATURE", "SHUTDOWN_TIME"}

// Layout is one on-disk shape of a login record.
type Layout struct {
	Name string
	Size int
	BE   bool // big endian
	Wide bool // 64-bit ut_session and ut_tv (400-byte records)
	Mac  bool // macOS utmpx
}

// Layouts lists the candidates in order of preference for ties.
var Layouts = []Layout{
	{Name: "linux-384-le", Size: 384},
	{Name: "linux-400-le", Size: 400, Wide: true},
	{Name: "linux-400-be", Size: 400, BE: true, Wide: true},
	{Name: "linux-384-be", Size: 384, BE: true},
	{Name: "macos-utmpx", Size: 628, Mac: true},
}

// Record is one decoded login record; byte slices point into the record.
type Record struct {
	Type                 int
	PID                  int64
	Line, ID, User, Host []byte
	Termination, Exit    int
	Session              int64
	Sec, Usec            int64
	Addr                 [16]byte
}

func (l *Layout) order() binary.ByteOrder {
	if l.BE {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// Decode reads one record of l.Size bytes.
func (l *Layout) Decode(b []byte, r *Record) {
	o := l.order()
	if l.Mac {
		r.User, r.ID, r.Line = cstr(b[0:256]), cstr(b[256:260]), cstr(b[260:292])
		r.PID = int64(int32(o.Uint32(b[292:])))
		r.Type = int(int16(o.Uint16(b[296:])))
		r.Sec, r.Usec = int64(int32(o.Uint32(b[300:]))), int64(int32(o.Uint32(b[304:])))
		r.Host = cstr(b[308:564])
		r.Termination, r.Exit, r.Session = 0, 0, 0
		r.Addr = [16]byte{}
		return
	}
	r.Type = int(int16(o.Uint16(b[0:])))
	r.PID = int64(int32(o.Uint32(b[4:])))
	r.Line, r.ID, r.User, r.Host = cstr(b[8:40]), cstr(b[40:44]), cstr(b[44:76]), cstr(b[76:332])
	r.Termination, r.Exit = int(int16(o.Uint16(b[332:]))), int(int16(o.Uint16(b[334:])))
	if l.Wide {
		r.Session = int64(o.Uint64(b[336:]))
		r.Sec, r.Usec = int64(o.Uint64(b[344:])), int64(o.Uint64(b[352:]))
		copy(r.Addr[:], b[360:376])
	} else {
		r.Session = int64(int32(o.Uint32(b[336:])))
		r.Sec, r.Usec = int64(int32(o.Uint32(b[340:]))), int64(int32(o.Uint32(b[344:])))
		copy(r.Addr[:], b[348:364])
	}
}

func cstr(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

func (l *Layout) maxType() int {
	if l.Mac {
		return ShutdownTime
	}
	return Accounting
}

// plausible scores one record: negative when it cannot be of this layout.
func (l *Layout) plausible(b []byte) int {
	if allZero(b) {
		return 0 // an empty slot reads the same in every layout
	}
	var r Record
	l.Decode(b, &r)
	if r.Type < 0 || r.Type > l.maxType() {
		return -5
	}
	if r.Type == Empty {
		return 0 // says little about the layout
	}
	s := 2
	if r.PID >= 0 && r.PID <= 1<<22 {
		s++
	} else {
		s -= 3
	}
	if r.Sec == 0 || (r.Sec >= 315532800 && r.Sec <= 4102444800) {
		s += 2
	} else {
		s -= 3
	}
	if r.Usec >= 0 && r.Usec < 1e6 {
		s++
	} else {
		s -= 3
	}
	if r.Session < 0 || r.Session > 1<<32 {
		s -= 3
	}
	if r.Sec == 0 && (r.Type == UserProcess || r.Type == LoginProcess || r.Type == DeadProcess || r.Type == BootTime) {
		s -= 3 // a login, logout or boot without a time
	}
	if printable(r.Line) && printable(r.User) && printable(r.ID) {
		s++
	} else {
		s -= 2
	}
	if l.Mac && bytes.HasPrefix(b, []byte("utmpx-1.")) {
		s += 10
	}
	return s
}

// looksIP: only digits, hex letters, dots and colons (so that ParseAddr,
// which allocates its error, runs on candidates only).
func looksIP(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == '.' || c == ':') {
			return false
		}
	}
	return bytes.IndexByte(b, '.') > 0 || bytes.Count(b, []byte{':'}) >= 2
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func printable(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}

// DetectLayout picks the layout whose reading of the first records of head
// is the most plausible; size is the file size, or -1 when unknown.
func DetectLayout(head []byte, size int64) (Layout, int) {
	best, bestScore := Layouts[0], -1<<30
	for _, l := range Layouts {
		if l.Mac != bytes.HasPrefix(head, []byte("utmpx-1.")) {
			continue // macOS files open with their signature record
		}
		n := len(head) / l.Size
		if n == 0 {
			continue
		}
		n = min(n, 32)
		score := 0
		for i := 0; i < n; i++ {
			score += l.plausible(head[i*l.Size : (i+1)*l.Size])
		}
		score += l.plausible(head[:l.Size]) // a file starts on a record: the first one counts twice
		score = score * 32 / n              // comparable across record sizes
		if size > 0 && size%int64(l.Size) == 0 {
			score += 8
		}
		if score > bestScore {
			best, bestScore = l, score
		}
	}
	return best, bestScore
}

func isBtmp(name string) bool {
	return strings.Contains(strings.ToLower(filepath.Base(name)), "btmp")
}

func parse(ctx context.Context, in *parsers.Input, sink timeline.Sink) error {
	r, err := in.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(32 * 628)
	size := int64(-1)
	if in.ReaderAt != nil && in.Size > 0 {
		size = in.Size
	}
	lay, _ := DetectLayout(head, size)
	failed := isBtmp(in.Name)
	p := recParser{in: in, lay: lay, failed: failed}
	rec := make([]byte, lay.Size)
	var ev timeline.Event
	for off := int64(0); ; off += int64(lay.Size) {
		if off%(1<<20) == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		n, err := io.ReadFull(br, rec)
		if errors.Is(err, io.EOF) {
			return nil
		}
		ev.Reset()
		ev.Evidence, ev.RefPath, ev.Host, ev.Offset = in.Evidence, in.Name, in.Host, off
		if errors.Is(err, io.ErrUnexpectedEOF) {
			in.Problemf("utmp-partial-record", off, 0, "partial record at offset %d: %d of %d bytes (layout %s)", off, n, lay.Size, lay.Name)
			p.unparsed(&ev, rec[:n], "partial record at end of file")
			return sink.Emit(&ev)
		}
		if err != nil {
			return err
		}
		p.record(rec, &ev)
		if err := sink.Emit(&ev); err != nil {
			return err
		}
	}
}

// recParser turns records into events; buf holds the texts it formats (the
// time and the address), valid until the next record.
type recParser struct {
	in     *parsers.Input
	lay    Layout
	failed bool
	last   int64
	buf    [512]byte
	out    []byte
	recBuf Record
}

func (p *recParser) num(v int64) string {
	start := len(p.out)
	p.out = strconv.AppendInt(p.out, v, 10)
	return str(p.out[start:])
}

func (p *recParser) ip(a netip.Addr) string {
	start := len(p.out)
	p.out = a.AppendTo(p.out)
	return str(p.out[start:])
}

func (p *recParser) unparsed(ev *timeline.Event, raw []byte, why string) {
	ev.Time = p.last
	ev.TimeDesc = timeline.TimeUnknown
	ev.Source = timeline.SourceRaw
	ev.Raw = raw
	ev.Message = why
}

func (p *recParser) record(b []byte, ev *timeline.Event) {
	r := &p.recBuf
	p.lay.Decode(b, r)
	if r.Type < 0 || r.Type > p.lay.maxType() {
		p.in.Problemf("utmp-corrupt-record", ev.Offset, 0, "corrupt record at offset %d: type %d out of range (layout %s)", ev.Offset, r.Type, p.lay.Name)
		p.unparsed(ev, b, "corrupt utmp record: type "+strconv.Itoa(r.Type))
		return
	}
	if r.Usec < 0 || r.Usec >= 1e6 {
		p.in.Problemf("utmp-corrupt-record", ev.Offset, 0, "corrupt record at offset %d: microseconds %d (layout %s)", ev.Offset, r.Usec, p.lay.Name)
		p.unparsed(ev, b, "corrupt utmp record: microseconds out of range")
		return
	}
	ev.Time = r.Sec*1e9 + r.Usec*1e3
	p.last = ev.Time
	// TimeOrig: the stored value, "seconds.microseconds" since the epoch.
	p.out = p.buf[:0]
	p.out = strconv.AppendInt(p.out, r.Sec, 10)
	p.out = append(p.out, '.')
	for d := int64(100000); d > 0; d /= 10 {
		p.out = append(p.out, byte('0'+r.Usec/d%10))
	}
	ev.TimeOrig = str(p.out)
	ev.Zone = "UTC"
	ev.Source = FormatName
	ev.TimeDesc = timeline.TimeLog
	ev.User = str(r.User)
	ev.AddExtra("type", typeNames[r.Type])
	ev.AddExtra("layout", p.lay.Name)
	if len(r.Line) > 0 {
		ev.AddExtra("line", str(r.Line))
	}
	if len(r.ID) > 0 {
		ev.AddExtra("id", str(r.ID))
	}
	if r.PID != 0 {
		ev.AddExtra("pid", p.num(r.PID))
	}
	if len(r.Host) > 0 {
		ev.AddExtra("remote_host", str(r.Host))
	}
	if r.Exit != 0 || r.Termination != 0 {
		ev.AddExtra("exit_status", p.num(int64(r.Exit)))
		ev.AddExtra("termination", p.num(int64(r.Termination)))
	}
	if r.Session != 0 {
		ev.AddExtra("session", p.num(r.Session))
	}
	if a, ok := addr(&r.Addr); ok {
		ev.SrcIP = p.ip(a)
	} else if host := r.Host; len(host) > 1 && looksIP(host) {
		if a, err := netip.ParseAddr(str(host)); err == nil && a.IsValid() {
			ev.SrcIP = str(host)
		}
	}
	switch r.Type {
	case UserProcess:
		ev.TimeDesc = timeline.TimeLogin
		ev.Action = timeline.ActionLoginSuccess
		if p.failed {
			ev.Action = timeline.ActionLoginFailure
		}
	case LoginProcess:
		if p.failed {
			ev.TimeDesc = timeline.TimeLogin
			ev.Action = timeline.ActionLoginFailure
		}
	case DeadProcess:
		ev.TimeDesc = timeline.TimeLogout
		ev.Action = timeline.ActionLogout
	case Empty:
		if r.Sec == 0 {
			ev.Tags = "empty-record"
		}
	}
	// Message: "USER_PROCESS alice pts/0 from 10.0.0.5", built in the
	// record's text buffer.
	start := len(p.out)
	p.out = append(p.out, typeNames[r.Type]...)
	for _, f := range [][]byte{r.User, r.Line} {
		if len(f) > 0 {
			p.out = append(p.out, ' ')
			p.out = append(p.out, f...)
		}
	}
	if len(r.Host) > 0 {
		p.out = append(p.out, " from "...)
		p.out = append(p.out, r.Host...)
	}
	ev.Message = str(p.out[start:])
}

// addr reads ut_addr_v6: an IPv4 address in the first word and zeros after
// it, or an IPv6 address; ok is false when it is all zeros.
func addr(a *[16]byte) (netip.Addr, bool) {
	rest := [12]byte(a[4:])
	if rest == ([12]byte{}) {
		if [4]byte(a[:4]) == ([4]byte{}) {
			return netip.Addr{}, false
		}
		return netip.AddrFrom4([4]byte(a[:4])), true
	}
	return netip.AddrFrom16(*a), true
}

// detect: a file named utmp/wtmp/btmp/utmpx whose first records read
// plausibly, or any file whose first records are plausible in one layout
// with no implausible record among them.
func detect(name string, head []byte) int {
	base := strings.ToLower(filepath.Base(name))
	named := false
	for _, n := range []string{"utmp", "wtmp", "btmp"} {
		if strings.Contains(base, n) {
			named = true
		}
	}
	best := 0
	for _, l := range Layouts {
		if l.Mac != bytes.HasPrefix(head, []byte("utmpx-1.")) {
			continue
		}
		n := min(len(head)/l.Size, 8)
		if n == 0 {
			continue
		}
		good, strong := 0, 0
		for i := 0; i < n; i++ {
			sc := l.plausible(head[i*l.Size : (i+1)*l.Size])
			if sc >= 0 {
				good++
			}
			if sc >= 6 {
				strong++
			}
		}
		if good == n && (named || n >= 2 && strong >= 2) {
			best = max(best, 80)
		} else if named && good*2 >= n {
			best = max(best, 70)
		}
	}
	if best > 0 && named {
		best += 15
	}
	return best
}
