package journald

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unsafe"

	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
	"github.com/ulikunitz/xz"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/authlog"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// FormatName is the registered name and the events' source.
const FormatName = "journald"

func init() {
	parsers.Register(&parsers.Format{
		Name: FormatName,
		// Entries of sshd, sudo, su, logind, PAM ... are auth events,
		// read as auth.log lines are (authlog.Message).
		Sources:     []parsers.Source{{Name: FormatName, Class: parsers.ClassSystem}, {Name: authlog.FormatName, Class: parsers.ClassLogin}},
		Description: "systemd journal file (.journal)",
		HasZone:     true,
		HasYear:     true,
		Detect:      detect,
		Parse:       parse,
	})
}

var le = binary.LittleEndian

const (
	signature  = "LPKSHHRH"
	headerMin  = 208 // through tail_entry_monotonic: every journal version has it
	objHdrSize = 16

	objData  = 1
	objEntry = 3

	compressXZ   = 1
	compressLZ4  = 2
	compressZSTD = 4

	incompatCompact = 16
)

// Limits against hostile files.
const (
	// maxJournal bounds a journal read into memory (given compressed, or
	// without random access); journald rotates files long before.
	maxJournal = 1 << 30
	// maxField bounds one field's decompressed value (journald's own
	// DATA_SIZE_MAX is 768 MiB; real messages are far below).
	maxField = 16 << 20
	// maxItems bounds the fields of one entry.
	maxItems = 1 << 16
	// maxWarnings bounds problems reported one by one.
	maxWarnings = 50
)

func detect(name string, head []byte) int {
	if bytes.HasPrefix(head, []byte(signature)) {
		return 100
	}
	return 0
}

func str(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// file is an opened journal.
type file struct {
	r       io.ReaderAt
	size    int64
	compact bool
	in      *parsers.Input
	warns   int
	zstd    *zstd.Decoder
}

func (f *file) warnf(format string, args ...any) {
	if f.warns++; f.warns <= maxWarnings {
		f.in.Problemf("journal", -1, 0, format, args...)
	}
}

// read returns n bytes at off, or an error naming the offset.
func (f *file) read(off, n int64) ([]byte, error) {
	if off < 0 || n < 0 || off > f.size || n > f.size-off {
		return nil, fmt.Errorf("offset %d (+%d bytes) outside the file (%d bytes)", off, n, f.size)
	}
	b := make([]byte, n)
	if k, err := f.r.ReadAt(b, off); int64(k) < n {
		return nil, fmt.Errorf("reading %d bytes at offset %d: %v", n, off, err)
	}
	return b, nil
}

func parse(ctx context.Context, in *parsers.Input, sink timeline.Sink) error {
	r, size := in.ReaderAt, in.Size
	if r == nil || size <= 0 {
		rc, err := in.Open()
		if err != nil {
			return err
		}
		data, err := io.ReadAll(io.LimitReader(rc, maxJournal+1))
		rc.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", in.Name, err)
		}
		if len(data) > maxJournal {
			return fmt.Errorf("%s: journal larger than %d bytes", in.Name, maxJournal)
		}
		r, size = bytes.NewReader(data), int64(len(data))
	}
	f := &file{r: r, size: size, in: in}
	defer func() {
		if f.zstd != nil {
			f.zstd.Close()
		}
	}()
	hdr, err := f.read(0, headerMin)
	if err != nil || string(hdr[:8]) != signature {
		return fmt.Errorf("%s: not a systemd journal (no %s header)", in.Name, signature)
	}
	f.compact = le.Uint32(hdr[12:])&incompatCompact != 0
	start, arena := int64(le.Uint64(hdr[88:])), int64(le.Uint64(hdr[96:]))
	if start < headerMin || start > size {
		return fmt.Errorf("%s: journal header size %d outside the file", in.Name, start)
	}
	end := size
	if arena > 0 && arena <= size-start {
		end = start + arena
	}
	err = f.walk(ctx, start, end, sink)
	if f.warns > maxWarnings {
		in.Problemf("journal", -1, 0, "%d more problems not listed", f.warns-maxWarnings)
	}
	return err
}

// walk visits every object of the arena in file order and emits entries.
func (f *file) walk(ctx context.Context, off, end int64, sink timeline.Sink) error {
	var ev timeline.Event
	for n := 0; off+objHdrSize <= end; n++ {
		if n&1023 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		h, err := f.read(off, objHdrSize)
		if err != nil {
			return err
		}
		typ, osize := h[0], int64(le.Uint64(h[8:]))
		if osize < objHdrSize || osize > end-off {
			if !allZero(h) {
				f.warnf("object at offset %d: size %d does not fit the arena; the rest of the file is not read", off, osize)
			}
			return nil // the unused tail of the arena
		}
		if typ == objEntry {
			if err := f.entry(off, osize, &ev); err != nil {
				f.warnf("entry at offset %d: %v", off, err)
			} else if err := sink.Emit(&ev); err != nil {
				return err
			}
		}
		off += (osize + 7) &^ 7
	}
	return nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// entry decodes the entry object at off into ev.
func (f *file) entry(off, size int64, ev *timeline.Event) error {
	const fixed = 64 // header, seqnum, realtime, monotonic, boot_id, xor_hash
	if size < fixed {
		return errors.New("entry object too small")
	}
	b, err := f.read(off, size)
	if err != nil {
		return err
	}
	ev.Reset()
	in := f.in
	ev.Host, ev.Evidence, ev.RefPath, ev.Offset = in.Host, in.Evidence, in.Name, off
	seq, rt := le.Uint64(b[16:]), le.Uint64(b[24:])
	ev.Time, ev.TimeDesc, ev.TimeOrig, ev.Zone = int64(rt)*1000, timeline.TimeLog, strconv.FormatUint(rt, 10), "UTC"
	ev.Source = FormatName
	ev.AddExtra("seqnum", strconv.FormatUint(seq, 10))
	ev.AddExtra("boot_id", hex.EncodeToString(b[40:56]))
	item := int64(16)
	if f.compact {
		item = 4
	}
	n := (size - fixed) / item
	if n > maxItems {
		return fmt.Errorf("%d fields", n)
	}
	for i := int64(0); i < n; i++ {
		p := b[fixed+i*item:]
		var obj int64
		if f.compact {
			obj = int64(le.Uint32(p))
		} else {
			obj = int64(le.Uint64(p))
		}
		if obj == 0 {
			continue
		}
		kv, err := f.data(obj)
		if err != nil {
			return fmt.Errorf("field %d (data object at offset %d): %w", i, obj, err)
		}
		field(ev, kv)
	}
	authEntry(ev)
	return nil
}

// authEntry reads an entry of an authentication program the way an
// auth.log line of it is read: when authlog.Message finds a user, address
// or action in it, the entry is an auth event (source "auth"), so a login
// that only the journal kept counts as the same login in auth.log would.
func authEntry(ev *timeline.Event) {
	var ident string
	for _, kv := range ev.Extra {
		if kv.Key == "identifier" {
			ident = kv.Value
		}
	}
	if ident == "" || ev.Message == "" {
		return
	}
	authlog.Message(bytesOf(ident), bytesOf(ev.Message), ev)
	if ev.User != "" || ev.SrcIP != "" || ev.Action != "" {
		ev.Source = authlog.FormatName
	}
}

// bytesOf views a string's bytes without copying (read only).
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// data returns the FIELD=value payload of the data object at off.
func (f *file) data(off int64) ([]byte, error) {
	h, err := f.read(off, objHdrSize)
	if err != nil {
		return nil, err
	}
	if h[0] != objData {
		return nil, fmt.Errorf("object type %d, not data", h[0])
	}
	size := int64(le.Uint64(h[8:]))
	pay := int64(64)
	if f.compact {
		pay = 72
	}
	if size < pay || size-pay > maxField {
		return nil, fmt.Errorf("data object size %d", size)
	}
	p, err := f.read(off+pay, size-pay)
	if err != nil {
		return nil, err
	}
	switch flags := h[1]; {
	case flags&compressXZ != 0:
		zr, err := xz.NewReader(bytes.NewReader(p))
		if err != nil {
			return nil, fmt.Errorf("xz: %w", err)
		}
		return readLimited(zr)
	case flags&compressLZ4 != 0:
		// 8-byte little-endian decompressed size, then an LZ4 block
		if len(p) < 8 {
			return nil, errors.New("lz4: short")
		}
		n := le.Uint64(p)
		if n > maxField {
			return nil, fmt.Errorf("lz4: %d bytes", n)
		}
		out := make([]byte, n)
		k, err := lz4.UncompressBlock(p[8:], out)
		if err != nil {
			return nil, fmt.Errorf("lz4: %w", err)
		}
		return out[:k], nil
	case flags&compressZSTD != 0:
		if f.zstd == nil {
			if f.zstd, err = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(maxField)); err != nil {
				return nil, err
			}
		}
		out, err := f.zstd.DecodeAll(p, nil)
		if err != nil {
			return nil, fmt.Errorf("zstd: %w", err)
		}
		return out, nil
	}
	return p, nil
}

func readLimited(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxField+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxField {
		return nil, fmt.Errorf("field over %d bytes", maxField)
	}
	return b, nil
}

// extraFields are the fields kept in extra, under these keys.
var extraFields = map[string]string{
	"SYSLOG_IDENTIFIER": "identifier", "_PID": "pid", "_UID": "uid", "_GID": "gid", "_COMM": "comm", "_EXE": "exe",
	"_CMDLINE": "cmdline", "_SYSTEMD_UNIT": "unit", "_SYSTEMD_USER_UNIT": "user_unit", "USER_UNIT": "user_unit",
	"_HOSTNAME": "hostname", "_TRANSPORT": "transport", "PRIORITY": "priority", "SYSLOG_FACILITY": "facility",
	"_AUDIT_LOGINUID": "login_uid", "_AUDIT_SESSION": "session", "MESSAGE_ID": "message_id", "UNIT": "unit",
	"_SOURCE_REALTIME_TIMESTAMP": "source_realtime",
}

// field applies one FIELD=value to the event. The strings point into kv,
// a buffer of its own per data object (never reused), until Emit.
func field(ev *timeline.Event, kv []byte) {
	eq := bytes.IndexByte(kv, '=')
	if eq <= 0 {
		return
	}
	k, v := str(kv[:eq]), kv[eq+1:]
	if k == "MESSAGE" {
		ev.Message = str(v)
		return
	}
	if key, ok := extraFields[k]; ok {
		ev.AddExtra(key, str(v))
	}
}
