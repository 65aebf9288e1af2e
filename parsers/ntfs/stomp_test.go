package ntfs

import (
	"encoding/binary"
	"strconv"
	"strings"
	"testing"
)

// siTimesOffset returns the image offset of the $STANDARD_INFORMATION times
// (crtime, mtime, ctime, atime: four FILETIMEs) of MFT entry idx.
func siTimesOffset(t *testing.T, img []byte, idx int64) int64 {
	t.Helper()
	off, rs := mftOffset(t, img, idx)
	si := attrContent(img[off:off+rs], attrStandardInfo)
	if si < 0 || si+32 > 510 {
		t.Fatalf("entry %d: $SI at %d (must not reach the first sector's fixup bytes)", idx, si)
	}
	return off + int64(si)
}

// TestZeroSubsecMtimeOnly rewrites only the $SI mtime of /dir/sub/deep.txt
// in the ntfs-3g fixture (whose times all have sub-seconds) and checks the
// zero-subsec rule in 100 ns units: a whole second fires it with only
// si_mtime untrusted; 100 ns or 1 ms past the second does not fire.
func TestZeroSubsecMtimeOnly(t *testing.T) {
	evs, _ := parseImage(t, fixture(t), nil)
	idx := int64(-1)
	var fnM uint64
	for _, e := range evs {
		if e.Path == "/dir/sub/deep.txt" && e.Tags != "" {
			t.Fatalf("unpatched /dir/sub/deep.txt already tagged %q", e.Tags)
		}
		if e.Path == "/dir/sub/deep.txt" && e.TimeDesc == "fn_mtime" {
			idx = e.MFT
			fnM, _ = strconv.ParseUint(e.TimeOrig, 10, 64)
		}
	}
	if idx < 0 || fnM%ticksPerSecond == 0 {
		t.Fatalf("fixture: entry %d, $FN mtime %d (must have sub-seconds)", idx, fnM)
	}
	cases := []struct {
		name string
		sub  uint64 // ticks past the second after the original $SI mtime
		tags string
	}{
		{"whole-second", 0, TagZeroSubsec},
		{"100ns", 1, ""},
		{"1ms", 10_000, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var siM uint64
			p := patched(t, func(img []byte) {
				at := siTimesOffset(t, img, idx) + 8
				old := binary.LittleEndian.Uint64(img[at:])
				// the next second: deep.txt was written in the second it
				// was created, an earlier mtime would fire the mtime rule
				siM = old - old%ticksPerSecond + ticksPerSecond + c.sub
				binary.LittleEndian.PutUint64(img[at:], siM)
			})
			evs, _ := parseImage(t, p, nil)
			n := 0
			for _, e := range evs {
				if e.MFT != idx || e.Source != Name {
					continue
				}
				n++
				want := c.tags
				if c.tags != "" && e.TimeDesc == "si_mtime" {
					want += "," + TagUntrusted
				}
				if e.Tags != want {
					t.Errorf("%s %s: tags %q, want %q", e.Path, e.TimeDesc, e.Tags, want)
				}
				if e.TimeDesc == "si_mtime" && e.TimeOrig != strconv.FormatUint(siM, 10) {
					t.Errorf("si_mtime %s, patched %d", e.TimeOrig, siM)
				}
			}
			if n != 8 { // 4 $SI times on the $DATA line, 4 $FN times
				t.Errorf("%d events for entry %d", n, idx)
			}
		})
	}
}

// TestUntrustedPerRule: which $SI times each rule contradicts, on the
// ntfs-3g fixture's /b.txt with its $SI rewritten. $FILE_NAME events never
// carry TagUntrusted.
func TestUntrustedPerRule(t *testing.T) {
	evs, _ := parseImage(t, fixture(t), nil)
	idx := int64(-1)
	for _, e := range evs {
		if e.Path == "/b.txt" && e.TimeDesc == "fn_crtime" {
			idx = e.MFT
		}
	}
	if idx < 0 {
		t.Fatal("fixture: /b.txt not found")
	}
	const day = 86400 * ticksPerSecond
	cases := []struct {
		name      string
		patch     func(si *[4]uint64)
		tags      string
		untrusted []string
	}{
		// $SI mtime a day before $SI crtime, sub-seconds kept
		{"si-mtime-before-crtime", func(si *[4]uint64) { si[tM] = si[tCr] - day },
			TagMtimeBeforeCrtim, []string{"si_mtime"}},
		// $SI crtime a day earlier than $FN's: every $SI time untrusted
		// (si_mtime stays after si_crtime: only this rule fires)
		{"si-before-fn", func(si *[4]uint64) { si[tCr] -= day },
			TagSIBeforeFN, []string{"si_crtime", "si_mtime", "si_ctime", "si_atime"}},
		// ctime and atime whole seconds: those two untrusted
		{"zero-subsec-c-a", func(si *[4]uint64) {
			si[tC] -= si[tC] % ticksPerSecond
			si[tA] -= si[tA] % ticksPerSecond
		}, TagZeroSubsec, []string{"si_ctime", "si_atime"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := patched(t, func(img []byte) {
				at := siTimesOffset(t, img, idx)
				var si [4]uint64
				for k := range si {
					si[k] = binary.LittleEndian.Uint64(img[at+int64(8*k):])
				}
				c.patch(&si)
				for k := range si {
					binary.LittleEndian.PutUint64(img[at+int64(8*k):], si[k])
				}
			})
			evs, _ := parseImage(t, p, nil)
			n := 0
			for _, e := range evs {
				if e.MFT != idx || e.Source != Name {
					continue
				}
				n++
				want := c.tags
				for _, d := range c.untrusted {
					if d == e.TimeDesc {
						want += "," + TagUntrusted
					}
				}
				if e.Tags != want {
					t.Errorf("%s %s: tags %q, want %q", e.Path, e.TimeDesc, e.Tags, want)
				}
				if strings.HasPrefix(e.TimeDesc, "fn_") && strings.Contains(e.Tags, TagUntrusted) {
					t.Errorf("%s %s: $FILE_NAME time marked untrusted", e.Path, e.TimeDesc)
				}
			}
			if n == 0 {
				t.Errorf("no events for entry %d", idx)
			}
		})
	}
}
