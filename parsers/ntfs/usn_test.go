package ntfs

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"www.velocidex.com/golang/go-ntfs/parser"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// usn_sample.bin is go-ntfs's $UsnJrnl:$J fragment (tests/usn/sample.bin);
// its usn_test.go walks it with NewUSN_RECORD/Next. Kiseki's decoder must
// read the same records with the same fields.
func TestUSNSampleMatchesGoNTFS(t *testing.T) {
	b, err := os.ReadFile(corpus.Path(t, "disk/go-ntfs/usn_sample.bin"))
	if err != nil {
		t.Fatal(err)
	}
	nctx := &parser.NTFSContext{Profile: parser.NewNTFSProfile()}
	r := bytes.NewReader(b)
	var want []string
	for rec := parser.NewUSN_RECORD(nctx, r, 0); rec != nil; rec = rec.Next(int64(len(b))) {
		want = append(want, strings.Join([]string{
			itoa(int64(rec.Usn())), itoa(int64(rec.FileReferenceNumberID())), itoa(int64(rec.FileReferenceNumberSequence())),
			itoa(int64(rec.ParentFileReferenceNumberID())), itoa(int64(rec.ParentFileReferenceNumberSequence())),
			rec.Filename(), rec.TimeStamp().UTC().Format("2006-01-02T15:04:05.0000000"),
			sortedFlags(strings.Join(rec.Reason(), "|"))}, " "))
	}
	// go-ntfs does not know USN_REASON_DESIRED_STORAGE_CLASS_CHANGE
	// (0x01000000, Windows 10) and leaves it out; it is masked here.
	var got []string
	for pos := 0; pos+8 <= len(b); {
		u, ok := DecodeUSN(b[pos:])
		if !ok {
			pos += 8
			continue
		}
		ts, _ := unixNano(u.Time)
		got = append(got, strings.Join([]string{
			itoa(u.USN), itoa(int64(u.File)), itoa(int64(u.FileSeq)), itoa(int64(u.Parent)), itoa(int64(u.ParentSeq)),
			utf16String(u.Name), timeFmt(ts), sortedFlags(ReasonString(u.Reason &^ 0x01000000))}, " "))
		pos += u.Length
	}
	if len(got) < 50 {
		t.Fatalf("only %d records", len(got))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		for i := range min(len(got), len(want)) {
			if got[i] != want[i] {
				t.Fatalf("record %d:\n got  %s\n want %s", i, got[i], want[i])
			}
		}
		t.Fatalf("%d records, go-ntfs %d", len(got), len(want))
	}
	// The first record, read by hand from the hex dump: USN 0x12a16c30,
	// file 0x55188-3 (GenericProvider.dll), parent 0x320-5.
	first := strings.Fields(got[0])
	if first[0] != "312568880" || first[1] != "20872" || first[2] != "3" || first[3] != "800" || first[5] != "GenericProvider.dll" {
		t.Fatalf("first record %v", first)
	}
}

func TestReasonAction(t *testing.T) {
	cases := map[uint32]string{
		0x80000200: "delete", 0x00000100: "create", 0x00001000: "rename", 0x00002000: "rename",
		0x00000002: "overwrite", 0x00000001: "overwrite", 0x00000800: "security-change", 0x00008000: "",
	}
	for r, want := range cases {
		if got := ReasonAction(r); got != want {
			t.Errorf("%#x: %q, want %q", r, got, want)
		}
	}
	if s := ReasonString(0x80000102); s != "DATA_EXTEND|FILE_CREATE|CLOSE" {
		t.Error(s)
	}
}

func FuzzDecodeUSN(f *testing.F) {
	if b := corpus.Seed(f, "disk/go-ntfs/usn_sample.bin"); len(b) > 0 {
		f.Add(b[:0x68])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if u, ok := DecodeUSN(b); ok {
			if u.Length > len(b) || u.Length < 60 {
				t.Fatalf("length %d of %d", u.Length, len(b))
			}
			_ = utf16String(u.Name)
		}
	})
}

// sortedFlags orders a "|"-joined flag list (go-ntfs lists flags by name,
// Kiseki by bit).
func sortedFlags(s string) string {
	f := strings.Split(s, "|")
	sort.Strings(f)
	return strings.Join(f, "|")
}

// sliceRanges is a $J stream held in memory.
type sliceRanges struct{ *bytes.Reader }

func (s sliceRanges) Ranges() []parser.Range {
	return []parser.Range{{Offset: 0, Length: s.Size()}}
}

// walkUSN over the sample, with a buffer small enough that records
// straddle refills, emits every record once, in order, as usnjrnl events
// with actions, and keeps the zero padding quiet.
func TestWalkUSNEvents(t *testing.T) {
	b, err := os.ReadFile(corpus.Path(t, "disk/go-ntfs/usn_sample.bin"))
	if err != nil {
		t.Fatal(err)
	}
	// Pad with zeros and a run of garbage at the end.
	b = append(b, make([]byte, 64+(8-len(b)%8)%8)...) // records are 8-byte aligned
	b = append(b, bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef}, 8)...)
	var c collect
	var warns []string
	in := &parsers.Input{Name: "x.img", Evidence: "E1", Host: "h", Warn: func(m string) { warns = append(warns, m) }}
	p := &volParser{vol: &parsers.Volume{RefPath: "x.img#p2", Input: in}, in: in, sink: &c, badRunStart: -1}
	p.res.init(p)
	if err := p.walkUSN(context.Background(), sliceRanges{bytes.NewReader(b)}, 0, int64(len(b)), make([]byte, 1000), map[uint32]string{}, 99); err != nil {
		t.Fatal(err)
	}
	var n int
	var last int64
	actions := map[string]int{}
	for _, e := range c.evs {
		if e.Source == timeline.SourceRaw {
			continue
		}
		n++
		if e.Source != SourceUSN || e.RefPath != "x.img#p2" || e.TimeDesc != "usn" || e.Zone != "UTC" {
			t.Fatalf("event %+v", e)
		}
		usn, _ := strconv.ParseInt(extra(&e, "usn"), 10, 64)
		if usn <= last {
			t.Fatalf("USN %d after %d", usn, last)
		}
		last = usn
		actions[e.Action]++
	}
	first := c.evs[0]
	if first.MFT != 20872 || first.Path != "<orphan>/GenericProvider.dll" || first.Action != "delete" ||
		extra(&first, "reason") != "FILE_DELETE|INDEXABLE_CHANGE|BASIC_INFO_CHANGE|CLOSE" || first.UTC().Format(time.RFC3339Nano) != "2020-10-28T11:41:32.9284395Z" {
		t.Fatalf("first event %+v", first)
	}
	if n < 50 || actions["create"] == 0 || actions["delete"] == 0 {
		t.Fatalf("%d records, actions %v", n, actions)
	}
	raw := c.evs[len(c.evs)-1]
	if raw.Source != timeline.SourceRaw || len(raw.Raw) != 32 || len(warns) != 1 || !strings.Contains(warns[0], "not a USN record") {
		t.Fatalf("garbage: %+v %q", raw, warns)
	}
}

// The $UsnJrnl:$J of a volume (fixtures/disk/ntfs-usn.img.bz2 holds
// go-ntfs's sample as the journal of MFT entry 64) is found, opened through
// go-ntfs's stream reader and read record by record.
func TestUSNJournalOnVolume(t *testing.T) {
	img := bunzip(t, filepath.Join(corpus.Root(t), "fixtures", "disk", "ntfs-usn.img.bz2"))
	evs, warns := parseImage(t, img, nil)
	sample, err := os.ReadFile(corpus.Path(t, "disk/go-ntfs/usn_sample.bin"))
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for pos := 0; pos+8 <= len(sample); {
		if u, ok := DecodeUSN(sample[pos:]); ok {
			want++
			pos += u.Length
		} else {
			pos += 8
		}
	}
	var usn []timeline.Event
	for _, e := range evs {
		if e.Source == SourceUSN {
			usn = append(usn, e)
		}
	}
	if len(usn) != want || len(warns) != 0 {
		t.Fatalf("%d USN events, want %d; warnings %q", len(usn), want, warns)
	}
	first := usn[0]
	if first.MFT != 20872 || extra(&first, "usn") != "312568880" || extra(&first, "j_offset") != "0" ||
		first.Path != "<orphan>/GenericProvider.dll" || first.RefPath != "ntfs-usn.img" {
		t.Fatalf("first %+v", first)
	}
	// The journal entry itself is listed under its path.
	if !paths(evs)["/$Extend/$UsnJrnl:$J"] {
		t.Fatal("no /$Extend/$UsnJrnl:$J line")
	}
}
