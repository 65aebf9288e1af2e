package artifacts

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "E0001.arrow")
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	in := []Artifact{
		{Evidence: "E0001", RefPath: "mem.lime", Offset: 4096, PhysAddr: 0x100000, VirtAddr: Absent, Kind: KindCard, Value: "4242 4242 4242 4242", Context: `card=4242 4242 4242 4242\r\n`, Encoding: "ascii"},
		{Evidence: "E0001", RefPath: "mem.lime", Offset: 8192, PhysAddr: 0x101000, VirtAddr: Absent, Kind: KindCard, Value: "4242424242424242", Encoding: "utf16le"},
		{Evidence: "E0001", RefPath: "core.1", Offset: 12, PhysAddr: Absent, VirtAddr: 0x7f0000001000, Kind: KindEmail, Value: "Taro@Example.jp", Context: "to: Taro@Example.jp"},
		{Evidence: "E0002", RefPath: "core.2", Offset: 99, PhysAddr: Absent, VirtAddr: Absent, Kind: KindEmail, Value: "taro@example.jp"},
		{Evidence: "E0002", RefPath: "core.2", Offset: 150, PhysAddr: 0, VirtAddr: Absent, Kind: KindURL, Value: "http://203.0.113.9/x.php"},
	}
	// More than one batch.
	for i := 0; i < BatchRows+10; i++ {
		in = append(in, Artifact{Evidence: "E0003", RefPath: "big.raw", Offset: int64(i), PhysAddr: int64(i), VirtAddr: Absent, Kind: KindIPv4, Value: fmt.Sprintf("10.0.%d.%d", i/256%256, i%256), Encoding: "ascii"})
	}
	for i := range in {
		if err := w.Artifact(&in[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Artifact(&Artifact{Kind: "bogus"}); err == nil {
		t.Error("unknown kind accepted")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var out []Artifact
	if err := Each(path, func(a *Artifact) error { out = append(out, *a); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(out) != len(in) {
		t.Fatalf("read %d rows, wrote %d", len(out), len(in))
	}
	for i := range in {
		want := in[i]
		if want.Encoding == "" {
			want.Encoding = "ascii"
		}
		if out[i] != want {
			t.Fatalf("row %d: %+v, want %+v", i, out[i], want)
		}
	}
	files, _ := Files(dir)
	counts, err := Counts(files, KindCard, KindEmail)
	if err != nil {
		t.Fatal(err)
	}
	want := []Count{{KindCard, "4242424242424242", 2}, {KindEmail, "taro@example.jp", 2}}
	if fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Errorf("counts %v, want %v", counts, want)
	}
	m, err := Matches(files, "", "TARO@example.JP")
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != 2 || m[0].VirtAddr != 0x7f0000001000 || m[1].Evidence != "E0002" {
		t.Errorf("matches %+v", m)
	}
	all, _ := Counts(files)
	if len(all) != 2+1+BatchRows+10 {
		t.Errorf("%d distinct values, want %d", len(all), 2+1+BatchRows+10)
	}
}

func TestEmptyTable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.arrow")
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := Each(path, func(*Artifact) error { n++; return nil }); err != nil || n != 0 {
		t.Errorf("empty table: %d rows, %v", n, err)
	}
}

func TestMaskNormalize(t *testing.T) {
	for _, tc := range []struct{ kind, in, norm, mask string }{
		{KindCard, "4242-4242-4242-4242", "4242424242424242", "424242******4242"},
		{KindCard, "3782 822463 10005", "378282246310005", "378282*****0005"},
		{KindPhone, "+81-90-1234-5678", "+819012345678", "*********5678"},
		{KindPhone, "090-1234-5678", "09012345678", "*******5678"},
		{KindEmail, "Taro.Yamada@Example.JP", "taro.yamada@example.jp", "T**********@Example.JP"},
		{KindURL, "http://x/Y", "http://x/Y", "http://x/Y"},
	} {
		if got := Normalize(tc.kind, tc.in); got != tc.norm {
			t.Errorf("Normalize(%s, %q) = %q, want %q", tc.kind, tc.in, got, tc.norm)
		}
		if got := Mask(tc.kind, tc.in); got != tc.mask {
			t.Errorf("Mask(%s, %q) = %q, want %q", tc.kind, tc.in, got, tc.mask)
		}
	}
}

func FuzzRoundTrip(f *testing.F) {
	f.Add("E1", "p", int64(1), int64(-1), uint8(3), "value\x00\xff", "ctx")
	f.Fuzz(func(t *testing.T, ev, ref string, off, phys int64, kind uint8, value, ctx string) {
		var buf bytes.Buffer
		w, err := NewWriter(&buf)
		if err != nil {
			t.Fatal(err)
		}
		a := Artifact{Evidence: ev, RefPath: ref, Offset: off, PhysAddr: max(phys, Absent), VirtAddr: Absent,
			Kind: Kinds[int(kind)%len(Kinds)], Value: value, Context: ctx, Encoding: "utf16le"}
		if err := w.Artifact(&a); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(t.TempDir(), "f.arrow")
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		var got Artifact
		if err := Each(p, func(r *Artifact) error { got = *r; return nil }); err != nil {
			t.Fatal(err)
		}
		if got != a {
			t.Fatalf("got %+v, want %+v", got, a)
		}
	})
}

// BenchmarkWrite: go test ./timeline/artifacts -run XXX -bench Write -benchtime 2s
func BenchmarkWrite(b *testing.B) {
	a := Artifact{Evidence: "E0001", RefPath: "mem.lime", PhysAddr: 0x1000, VirtAddr: Absent, Kind: KindEmail,
		Value: "taro.yamada@example.jp", Context: "email=taro.yamada@example.jp&tel=090-1234-5678", Encoding: "ascii"}
	w, err := NewWriter(&bytes.Buffer{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(a.Value) + len(a.Context) + 40))
	for b.Loop() {
		a.Offset++
		if err := w.Artifact(&a); err != nil {
			b.Fatal(err)
		}
	}
	w.Close()
}
