package ntfs

import (
	"encoding/binary"
	"os"
	"strings"
	"testing"

	"github.com/kiseki-forensics/kiseki/timeline"
)

// mftOffset returns the byte offset of MFT entry idx in a freshly made
// image, whose $MFT is one contiguous run, and the record size.
func mftOffset(t testing.TB, img []byte, idx int64) (int64, int64) {
	bps := int64(binary.LittleEndian.Uint16(img[11:]))
	cluster := bps * int64(img[13])
	mft := int64(binary.LittleEndian.Uint64(img[48:])) * cluster
	rs := int64(int8(img[64]))
	if rs > 0 {
		rs *= cluster
	} else {
		rs = 1 << -rs
	}
	return mft + idx*rs, rs
}

// attrContent returns the offset of the content of the first resident
// attribute of type typ in a raw record.
func attrContent(rec []byte, typ uint32) int {
	off := int(binary.LittleEndian.Uint16(rec[20:]))
	for off+8 < len(rec) {
		ty := binary.LittleEndian.Uint32(rec[off:])
		l := int(binary.LittleEndian.Uint32(rec[off+4:]))
		if ty == attrEnd || l == 0 {
			break
		}
		if ty == typ {
			return off + int(binary.LittleEndian.Uint16(rec[off+20:]))
		}
		off += l
	}
	return -1
}

func patched(t *testing.T, patch func(img []byte)) string {
	p := fixture(t)
	img, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	patch(img)
	if err := os.WriteFile(p, img, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func paths(evs []timeline.Event) map[string]bool {
	m := map[string]bool{}
	for _, e := range evs {
		m[e.Path] = true
	}
	return m
}

// A torn write: entry 67's (/dir/a.txt) second sector no longer ends with
// the update sequence number. The entry becomes an unparsed event with its
// raw bytes and MFT number, a warning names it, the rest is read.
func TestBadFixup(t *testing.T) {
	var off, rs int64
	img := patched(t, func(img []byte) {
		off, rs = mftOffset(t, img, 67)
		img[off+1022] ^= 0xff
	})
	evs, warns := parseImage(t, img, nil)
	if len(warns) != 1 || !strings.Contains(warns[0], "MFT entry 67 at offset "+itoa(off)) || !strings.Contains(warns[0], "bad fixup") {
		t.Fatalf("warnings %q", warns)
	}
	var raw *timeline.Event
	for i := range evs {
		if evs[i].Source == timeline.SourceRaw {
			raw = &evs[i]
		}
	}
	if raw == nil || raw.MFT != 67 || int64(len(raw.Raw)) != rs || raw.Offset != off || string(raw.Raw[:4]) != "FILE" {
		t.Fatalf("unparsed event %+v", raw)
	}
	p := paths(evs)
	if !p["/b.txt"] || !p["/dir/sub/deep.txt"] || p["/dir/a.txt"] {
		t.Fatalf("paths %v", p)
	}
}

// /dir's parent is set to /dir/sub: a directory loop. Parsing ends, warns
// about the loop and still names every file.
func TestDirectoryLoop(t *testing.T) {
	img := patched(t, func(img []byte) {
		off, rs := mftOffset(t, img, 64)
		rec := img[off : off+rs]
		fn := attrContent(rec, attrFileName)
		binary.LittleEndian.PutUint64(rec[fn:], 65|1<<48)
	})
	evs, warns := parseImage(t, img, nil)
	if len(warns) == 0 || !strings.Contains(strings.Join(warns, "\n"), "directory loop at MFT entry") {
		t.Fatalf("warnings %q", warns)
	}
	p := paths(evs)
	if !p["/b.txt"] {
		t.Fatalf("paths %v", p)
	}
	found := false
	for k := range p {
		found = found || strings.HasSuffix(k, "/sub/deep.txt")
	}
	if !found {
		t.Fatalf("deep.txt lost: %v", p)
	}
}

// A truncated image: whatever is cut off is reported with its offset, no
// panic, and what is present is read or a clear error names the volume.
func TestTruncatedImage(t *testing.T) {
	full, err := os.ReadFile(fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	mft, rs := mftOffset(t, full, 0)
	for _, cut := range []int64{mft + 70*rs, mft + 10*rs, int64(len(full)) / 2, 600, 100} {
		p := patched(t, func([]byte) {})
		if err := os.WriteFile(p, full[:cut], 0o644); err != nil {
			t.Fatal(err)
		}
		f, _ := os.Open(p)
		var warns []string
		vol := volumeFor(f, cut, &warns)
		var c collect
		err := Parse(t.Context(), vol, &c)
		f.Close()
		if err == nil && len(warns) == 0 {
			t.Errorf("cut at %d: neither error nor warning", cut)
		}
		if err != nil && !strings.Contains(err.Error(), "ntfs-small.img") {
			t.Errorf("cut at %d: error does not name the volume: %v", cut, err)
		}
		if cut == mft+70*rs {
			if err != nil || !paths(c.evs)["/dir/a.txt"] {
				t.Errorf("cut at %d: %v; entries before the cut must be read", cut, err)
			}
			if !strings.Contains(strings.Join(warns, "\n"), "MFT entries 70-") {
				t.Errorf("cut at %d: warnings %q", cut, warns)
			}
		}
	}
}

// An $MFT whose $DATA claims far more than the volume holds.
func TestAbsurdMFTSize(t *testing.T) {
	img := patched(t, func(img []byte) {
		off, rs := mftOffset(t, img, 0)
		rec := img[off : off+rs]
		a := int(binary.LittleEndian.Uint16(rec[20:]))
		for {
			ty := binary.LittleEndian.Uint32(rec[a:])
			if ty == attrData {
				binary.LittleEndian.PutUint64(rec[a+48:], 1<<50)
				break
			}
			a += int(binary.LittleEndian.Uint32(rec[a+4:]))
		}
	})
	evs, warns := parseImage(t, img, nil)
	if !strings.Contains(strings.Join(warns, "\n"), "more than the") || !paths(evs)["/dir/a.txt"] {
		t.Fatalf("warnings %q", warns)
	}
}
