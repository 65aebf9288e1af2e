package lnk

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"strconv"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/internal/winart"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// FormatName is the registered name and the events' source.
const FormatName = "lnk"

func init() {
	parsers.Register(&parsers.Format{
		Name:        FormatName,
		Description: "Windows shortcut files (.lnk): target path, target times, volume serial, machine id",
		HasZone:     true, // FILETIMEs are UTC
		HasYear:     true,
		Detect:      detect,
		Parse:       parse,
		Sources:     []parsers.Source{{Name: FormatName, Class: parsers.ClassHostArtifact}},
	})
}

// Layout (MS-SHLLINK).
const (
	headerSize = 0x4c
	// maxSize bounds a shortcut read into memory: real ones are a few KiB
	// (an ID list and strings of at most 64 Ki characters each).
	maxSize = 4 << 20

	flagIDList      = 0x1
	flagLinkInfo    = 0x2
	flagName        = 0x4
	flagRelPath     = 0x8
	flagWorkingDir  = 0x10
	flagArguments   = 0x20
	flagIconLoc     = 0x40
	flagUnicode     = 0x80
	sigEnvironment  = 0xA0000001
	sigTracker      = 0xA0000003
	linkInfoVolume  = 0x1
	linkInfoNetwork = 0x2
)

// linkCLSID is 00021401-0000-0000-C000-000000000046 as stored.
var linkCLSID = []byte{0x01, 0x14, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}

func detect(name string, head []byte) int {
	if len(head) >= headerSize && binary.LittleEndian.Uint32(head) == headerSize && bytes.Equal(head[4:20], linkCLSID) {
		return 100
	}
	return 0
}

// Link is what a shortcut says about its target.
type Link struct {
	Flags, Attributes uint32
	Times             [3]uint64 // creation, access, write
	Size              uint32
	LocalPath         string
	NetworkShare      string
	Suffix            string
	DriveType         uint32
	Serial            uint32
	HasVolume         bool
	Label             string
	Name, RelPath     string
	WorkingDir, Args  string
	IconLocation      string
	EnvTarget         string
	MachineID         string
	DroidVolume       string
	DroidFile         string
}

// Target is the target's path as best the shortcut gives it.
func (l *Link) Target() string {
	switch {
	case l.LocalPath != "":
		return join(l.LocalPath, l.Suffix)
	case l.NetworkShare != "":
		return join(l.NetworkShare, l.Suffix)
	case l.EnvTarget != "":
		return l.EnvTarget
	}
	return l.RelPath
}

func join(base, suffix string) string {
	if suffix == "" {
		return base
	}
	if base != "" && base[len(base)-1] != '\\' {
		return base + `\` + suffix
	}
	return base + suffix
}

// reader reads little-endian fields and reports the first read past the
// end.
type reader struct {
	b   []byte
	bad int // offset of the first failed read, -1 if none
}

func (r *reader) u16(off int) int {
	if off < 0 || off+2 > len(r.b) {
		r.fail(off)
		return 0
	}
	return int(binary.LittleEndian.Uint16(r.b[off:]))
}

func (r *reader) u32(off int) uint32 {
	if off < 0 || off+4 > len(r.b) {
		r.fail(off)
		return 0
	}
	return binary.LittleEndian.Uint32(r.b[off:])
}

func (r *reader) fail(off int) {
	if r.bad < 0 {
		r.bad = off
	}
}

// cstr reads a NUL-terminated code-page string at off.
func (r *reader) cstr(off int) string {
	if off < 0 || off >= len(r.b) {
		r.fail(off)
		return ""
	}
	return winart.CString(r.b[off:])
}

// wstr reads a NUL-terminated UTF-16 string at off.
func (r *reader) wstr(off int) string {
	if off < 0 || off >= len(r.b) {
		r.fail(off)
		return ""
	}
	return winart.UTF16(r.b[off:])
}

// Decode reads a shortcut; the error names the offset of the first field
// it could not read (what came before it is in the Link).
func Decode(b []byte) (*Link, error) {
	if detect("", b) == 0 {
		return nil, fmt.Errorf("not a shortcut (no MS-SHLLINK header)")
	}
	r := &reader{b: b, bad: -1}
	l := &Link{Flags: r.u32(20), Attributes: r.u32(24), Size: r.u32(52)}
	for i := range l.Times {
		l.Times[i] = winart.FiletimeAt(b, 28+8*i)
	}
	off := headerSize
	if l.Flags&flagIDList != 0 {
		off += 2 + r.u16(off)
	}
	if l.Flags&flagLinkInfo != 0 {
		size := int(r.u32(off))
		r.linkInfo(l, off)
		off += size
	}
	off = r.strings(l, off)
	if r.bad < 0 {
		r.extraData(l, off)
	}
	if r.bad >= 0 {
		return l, fmt.Errorf("field at offset %d lies outside the %d-byte file", r.bad, len(b))
	}
	return l, nil
}

// linkInfo reads the LinkInfo structure at base.
func (r *reader) linkInfo(l *Link, base int) {
	hdr := int(r.u32(base + 4))
	flags := r.u32(base + 8)
	if flags&linkInfoVolume != 0 {
		vol := base + int(r.u32(base+12))
		l.HasVolume = true
		l.DriveType, l.Serial = r.u32(vol+4), r.u32(vol+8)
		if lo := int(r.u32(vol + 12)); lo == 0x14 {
			l.Label = r.wstr(vol + int(r.u32(vol+16)))
		} else {
			l.Label = r.cstr(vol + lo)
		}
		l.LocalPath = r.cstr(base + int(r.u32(base+16)))
		if hdr >= 0x24 {
			if o := int(r.u32(base + 28)); o != 0 {
				l.LocalPath = r.wstr(base + o)
			}
		}
	}
	if flags&linkInfoNetwork != 0 {
		net := base + int(r.u32(base+20))
		nameOff := int(r.u32(net + 8))
		l.NetworkShare = r.cstr(net + nameOff)
		if nameOff > 0x14 {
			if o := int(r.u32(net + 20)); o != 0 {
				l.NetworkShare = r.wstr(net + o)
			}
		}
	}
	l.Suffix = r.cstr(base + int(r.u32(base+24)))
	if hdr >= 0x24 {
		if o := int(r.u32(base + 32)); o != 0 {
			l.Suffix = r.wstr(base + o)
		}
	}
}

// strings reads the StringData that follows LinkInfo and returns the
// offset after it.
func (r *reader) strings(l *Link, off int) int {
	for _, s := range []struct {
		flag uint32
		dst  *string
	}{{flagName, &l.Name}, {flagRelPath, &l.RelPath}, {flagWorkingDir, &l.WorkingDir}, {flagArguments, &l.Args}, {flagIconLoc, &l.IconLocation}} {
		if l.Flags&s.flag == 0 {
			continue
		}
		n := r.u16(off)
		off += 2
		size := n
		if l.Flags&flagUnicode != 0 {
			size = 2 * n
		}
		if off+size > len(r.b) {
			r.fail(off)
			return off
		}
		if l.Flags&flagUnicode != 0 {
			*s.dst = winart.UTF16(r.b[off : off+size])
		} else {
			*s.dst = winart.CString(r.b[off : off+size])
		}
		off += size
	}
	return off
}

// extraData reads the blocks after StringData up to the terminal block.
func (r *reader) extraData(l *Link, off int) {
	for off+8 <= len(r.b) {
		size := int(r.u32(off))
		if size < 8 {
			return // terminal block (size < 4) or damage
		}
		if off+size > len(r.b) {
			r.fail(off)
			return
		}
		blk := r.b[off : off+size]
		switch binary.LittleEndian.Uint32(blk[4:]) {
		case sigTracker:
			if size >= 0x60 {
				l.MachineID = winart.CString(blk[16:32])
				l.DroidVolume, l.DroidFile = guid(blk[32:48]), guid(blk[48:64])
			}
		case sigEnvironment:
			if size >= 0x314 {
				l.EnvTarget = winart.UTF16(blk[268:788])
				if l.EnvTarget == "" {
					l.EnvTarget = winart.CString(blk[8:268])
				}
			}
		}
		off += size
	}
}

// guid renders a little-endian GUID.
func guid(b []byte) string {
	return fmt.Sprintf("%08x-%04x-%04x-%x-%x", binary.LittleEndian.Uint32(b), binary.LittleEndian.Uint16(b[4:]), binary.LittleEndian.Uint16(b[6:]), b[8:10], b[10:16])
}

// timeDesc names the header's three times in their stored order.
var timeDesc = [3]string{"target_crtime", "target_atime", "target_mtime"}

func parse(ctx context.Context, in *parsers.Input, sink timeline.Sink) error {
	b, err := winart.ReadAll(in, maxSize)
	if err != nil {
		return err
	}
	l, err := Decode(b)
	if l == nil {
		return fmt.Errorf("%s: %w", in.Name, err)
	}
	if err != nil {
		in.Problemf("lnk", -1, 0, "%v; the fields before it are kept", err)
	}
	var ev timeline.Event
	n := 0
	for i, ft := range l.Times {
		ns, ok := winart.UnixNano(ft)
		if !ok {
			continue
		}
		fill(&ev, in, l, int64(28+8*i))
		ev.Time, ev.TimeOrig, ev.TimeDesc = ns, winart.RFC3339(ns), timeDesc[i]
		if err := sink.Emit(&ev); err != nil {
			return err
		}
		n++
	}
	if n == 0 {
		fill(&ev, in, l, 28)
		ev.TimeDesc = timeline.TimeUnknown
		if !in.ModTime.IsZero() {
			ev.Time, ev.TimeDesc = in.ModTime.UnixNano(), "file_mtime"
		}
		if err := sink.Emit(&ev); err != nil {
			return err
		}
	}
	return ctx.Err()
}

func fill(ev *timeline.Event, in *parsers.Input, l *Link, off int64) {
	ev.Reset()
	ev.Evidence, ev.RefPath, ev.Host, ev.Offset = in.Evidence, in.Name, in.Host, off
	ev.Source, ev.Zone, ev.Action = FormatName, "UTC", timeline.ActionRead
	ev.Path = l.Target()
	ev.Bytes = int64(l.Size)
	ev.Message = "shortcut to " + ev.Path
	ev.AddExtra("target_size", strconv.FormatUint(uint64(l.Size), 10))
	ev.AddExtra("target_attributes", fmt.Sprintf("0x%08x", l.Attributes))
	ev.AddExtra("flags", fmt.Sprintf("0x%08x", l.Flags))
	if l.HasVolume {
		ev.AddExtra("drive_type", strconv.FormatUint(uint64(l.DriveType), 10))
		ev.AddExtra("volume_serial", fmt.Sprintf("%08X", l.Serial))
	}
	for _, kv := range [...]timeline.KV{{Key: "volume_label", Value: l.Label}, {Key: "network_share", Value: l.NetworkShare},
		{Key: "machine_id", Value: l.MachineID}, {Key: "droid_volume", Value: l.DroidVolume}, {Key: "droid_file", Value: l.DroidFile},
		{Key: "description", Value: l.Name}, {Key: "relative_path", Value: l.RelPath}, {Key: "working_dir", Value: l.WorkingDir},
		{Key: "arguments", Value: l.Args}, {Key: "icon_location", Value: l.IconLocation}, {Key: "env_target", Value: l.EnvTarget}} {
		if kv.Value != "" {
			ev.AddExtra(kv.Key, kv.Value)
		}
	}
}
