package recyclebin

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/kiseki-forensics/kiseki/internal/parsertest"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// There is no $I sample in the shared corpus: records are built here
// byte by byte as the format lays them out (see doc.go), with a deletion
// time at 100 ns and a path with non-ASCII characters.
const (
	deleted  = "2012-03-12T20:49:58.6330000Z"
	origPath = `C:\Users\nfury\Documents\Alloy Research\StarFury – Entwurf.zip`
	origSize = 724919
)

func filetime(t testing.TB, s string) uint64 {
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return uint64(tm.UnixNano()/100) + 116444736000000000
}

func record(t testing.TB, version int) []byte {
	u := utf16.Encode([]rune(origPath))
	var b bytes.Buffer
	w := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	w(uint64(version))
	w(uint64(origSize))
	w(filetime(t, deleted))
	if version == 2 {
		w(uint32(len(u) + 1))
		w(u)
		w(uint16(0))
		return b.Bytes()
	}
	path := make([]uint16, 260)
	copy(path, u)
	w(path)
	return b.Bytes()
}

func memInput(name string, data []byte) *parsers.Input {
	return &parsers.Input{Name: name, ZoneSource: "test",
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
}

func TestVersions(t *testing.T) {
	for _, v := range []int{1, 2} {
		b := record(t, v)
		if v == 1 && len(b) != v1Size {
			t.Fatalf("built a %d-byte version 1 record", len(b))
		}
		var c parsertest.Collect
		if err := parse(context.Background(), memInput(`$Recycle.Bin/S-1-5-21-1-2-3-1001/$II3DF3L.zip`, b), &c); err != nil {
			t.Fatalf("version %d: %v", v, err)
		}
		if len(c.Events) != 1 {
			t.Fatalf("version %d: %d events", v, len(c.Events))
		}
		ev := &c.Events[0]
		got := time.Unix(0, ev.Time).UTC().Format("2006-01-02T15:04:05.0000000Z")
		if got != deleted || ev.Path != origPath || ev.Bytes != origSize || ev.Action != timeline.ActionDelete || ev.TimeDesc != timeline.TimeDeleted ||
			ev.Offset != 16 || ev.Extra[len(ev.Extra)-1].Value != "$RI3DF3L.zip" {
			t.Errorf("version %d: %s %+v", v, got, ev)
		}
	}
}

// Detection by content: claimed under any name (a file found by inode),
// more surely under its $I name; other data is refused.
func TestDetect(t *testing.T) {
	b := record(t, 2)
	if detect("$IABC123.txt", b) != 100 || detect("inode-4711", b) != 80 {
		t.Error("a $I record must be claimed by content")
	}
	bad := bytes.Clone(b)
	bad[0] = 3
	if detect("$IABC123.txt", bad) != 0 {
		t.Error("version 3 claimed")
	}
	if detect("$I1", record(t, 1)[:100]) != 0 {
		t.Error("a short version 1 record claimed")
	}
	if _, err := Decode(bytes.Repeat([]byte{0x41}, 600)); err == nil {
		t.Error("text taken for a $I record")
	}
}

func FuzzParse(f *testing.F) {
	f.Add(record(f, 1))
	f.Add(record(f, 2))
	f.Fuzz(func(t *testing.T, data []byte) {
		var c parsertest.Collect
		_ = parse(context.Background(), memInput("$Ix", data), &c)
		detect("x", data)
	})
}

// BenchmarkParse: go test ./parsers/recyclebin -run x -bench .
func BenchmarkParse(b *testing.B) {
	data := record(b, 2)
	var sink parsertest.Discard
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	cpu0 := parsertest.ProcessCPU()
	for i := 0; i < b.N; i++ {
		if err := parse(context.Background(), memInput("$I1", data), &sink); err != nil {
			b.Fatal(err)
		}
	}
	parsertest.Rate(b, b.N, "records", cpu0)
}
