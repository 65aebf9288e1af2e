package memory

import (
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unicode/utf16"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/memory/carve"
	"github.com/kiseki-forensics/kiseki/parsers/memory/testimage"
	"github.com/kiseki-forensics/kiseki/timeline"
	"github.com/kiseki-forensics/kiseki/timeline/artifacts"

	_ "github.com/kiseki-forensics/kiseki/parsers/accesslog"
	_ "github.com/kiseki-forensics/kiseki/parsers/syslog"
)

// The fixture is a real process: fixtures/memory/make.sh starts a small
// HTTP server, sends it requests carrying generated card numbers, e-mail
// addresses and phone numbers, and dumps it with gcore. The LiME, AVML and
// raw images are built here from the core's PT_LOAD segments.

type expected struct {
	Requests []string `json:"requests"`
	Cards    []string `json:"cards"`
	Emails   []string `json:"emails"`
	Phones   []string `json:"phones"`
	UTF16    []string `json:"utf16"`
}

type fixture struct {
	dir                   string
	core, lime, avml, raw string
	bash                  string
	commands              []string
	history               map[string]int64 // command -> epoch, from the history file
	exp                   expected
	accessLog             []string
	ranges                []testimage.Range
	err                   error
}

var (
	fixOnce sync.Once
	fix     fixture
)

func loadFixture(t *testing.T) *fixture {
	t.Helper()
	fixOnce.Do(func() { fix.err = buildFixture(&fix) })
	if fix.err != nil {
		t.Fatalf("memory fixture: %v", fix.err)
	}
	return &fix
}

func buildFixture(f *fixture) error {
	root := corpus.Root(&testing.T{})
	dir, err := os.MkdirTemp("", "kiseki-memory-fixture-")
	if err != nil {
		return err
	}
	f.dir = dir
	cmd := exec.Command("sh", filepath.Join(root, "fixtures", "memory", "make.sh"), dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		return &exec.ExitError{ProcessState: cmd.ProcessState, Stderr: out}
	}
	f.core = filepath.Join(dir, "server.core")
	b, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &f.exp); err != nil {
		return err
	}
	logb, err := os.ReadFile(filepath.Join(dir, "access.log"))
	if err != nil {
		return err
	}
	f.accessLog = strings.Split(strings.TrimSpace(string(logb)), "\n")
	f.bash = filepath.Join(dir, "bash.core")
	cb, err := os.ReadFile(filepath.Join(dir, "commands.txt"))
	if err != nil {
		return err
	}
	f.commands = strings.Split(strings.TrimSpace(string(cb)), "\n")
	hb, err := os.ReadFile(filepath.Join(dir, "bash_history"))
	if err != nil {
		return err
	}
	f.history = map[string]int64{}
	hl := strings.Split(string(hb), "\n")
	for i := 0; i+1 < len(hl); i++ {
		if sec, ok := carve.Epoch([]byte(hl[i])); ok {
			f.history[hl[i+1]] = sec
		}
	}
	ef, err := elf.Open(f.core)
	if err != nil {
		return err
	}
	defer ef.Close()
	phys := uint64(0x100000)
	for _, p := range ef.Progs {
		if p.Type != elf.PT_LOAD || p.Filesz == 0 {
			continue
		}
		data := make([]byte, p.Filesz)
		if _, err := p.ReadAt(data, 0); err != nil {
			return err
		}
		f.ranges = append(f.ranges, testimage.Range{Phys: phys, Data: data})
		phys += (p.Filesz+0xfff)&^0xfff + 0x10000
	}
	write := func(name string, fn func(w *os.File) error) (string, error) {
		p := filepath.Join(dir, name)
		w, err := os.Create(p)
		if err != nil {
			return "", err
		}
		if err := fn(w); err != nil {
			w.Close()
			return "", err
		}
		return p, w.Close()
	}
	if f.lime, err = write("server.lime", func(w *os.File) error { _, err := testimage.WriteLiME(w, f.ranges); return err }); err != nil {
		return err
	}
	if f.avml, err = write("server.avml", func(w *os.File) error { return testimage.WriteAVML(w, f.ranges) }); err != nil {
		return err
	}
	f.raw, err = write("server.raw", func(w *os.File) error {
		for _, r := range f.ranges {
			if _, err := w.Write(r.Data); err != nil {
				return err
			}
		}
		return nil
	})
	return err
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fix.dir != "" {
		os.RemoveAll(fix.dir)
	}
	os.Exit(code)
}

type got struct {
	Kind     carve.Kind
	Offset   int64
	Phys     int64
	Virt     int64
	Encoding string
	Value    string
	Context  string
	Format   string
}

func scanFile(t *testing.T, path string, opt Options) (*Layout, []got) {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	fi, _ := fh.Stat()
	lay, err := Open(fh, fi.Size())
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for _, w := range lay.Warnings {
		t.Errorf("%s: warning %s", path, w)
	}
	opt.Warn = func(m string) { t.Errorf("%s: warning %s", path, m) }
	if opt.LineFormats == nil {
		opt.LineFormats = LineFormats()
	}
	var out []got
	_, err = Scan(context.Background(), fh, lay, opt, func(f *Finding) error {
		g := got{f.Kind, f.Offset, f.Phys, f.Virt, f.Encoding, string(f.Value), string(f.Context), ""}
		if f.Format != nil {
			g.Format = f.Format.Name
		}
		out = append(out, g)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return lay, out
}

func encode(g got) []byte {
	if g.Encoding == EncUTF16LE {
		var b []byte
		for _, r := range utf16.Encode([]rune(g.Value)) {
			b = append(b, byte(r), byte(r>>8))
		}
		return b
	}
	return []byte(g.Value)
}

// checkAtOffsets checks that the bytes at every finding's offset are its
// value (masked headers: up to the mask).
func checkAtOffsets(t *testing.T, path string, finds []got) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range finds {
		want := encode(g)
		if i := bytes.Index(want, []byte("[masked ")); i >= 0 {
			want = want[:i]
		}
		if g.Offset < 0 || g.Offset+int64(len(want)) > int64(len(data)) || !bytes.Equal(data[g.Offset:g.Offset+int64(len(want))], want) {
			t.Errorf("%s: %s %q (%s) not at offset %d", filepath.Base(path), g.Kind, g.Value, g.Encoding, g.Offset)
		}
	}
}

// checkExpected checks that every value the client sent was found, in
// ASCII and (for the POST bodies the server re-encoded) in UTF-16LE.
func checkExpected(t *testing.T, name string, finds []got, exp expected) {
	t.Helper()
	has := map[string]bool{}
	for _, g := range finds {
		has[g.Kind.String()+"|"+g.Encoding+"|"+g.Value] = true
	}
	want := func(kind carve.Kind, enc string, vals []string) {
		for _, v := range vals {
			if !has[kind.String()+"|"+enc+"|"+v] {
				t.Errorf("%s: %s %q (%s) not found", name, kind, v, enc)
			}
		}
	}
	want(carve.KindHTTPRequest, EncASCII, exp.Requests)
	for _, enc := range []string{EncASCII, EncUTF16LE} {
		want(carve.KindCard, enc, exp.Cards)
		want(carve.KindEmail, enc, exp.Emails)
		want(carve.KindPhone, enc, exp.Phones)
	}
	want(carve.KindHTTPHeader, EncASCII, []string{"Cookie: [masked 46 bytes]", "Authorization: [masked 22 bytes]", "User-Agent: kiseki-fixture/1.0"})
	for _, g := range finds {
		if g.Kind == carve.KindHTTPHeader && (strings.Contains(g.Value, "s3cr3t") || strings.Contains(g.Context, "s3cr3t") || strings.Contains(g.Value, "dGVzdDpzZWNyZXQ")) {
			t.Errorf("%s: cookie or authorization value not masked: %q context %q", name, g.Value, g.Context)
		}
	}
}

func TestELFCore(t *testing.T) {
	fx := loadFixture(t)
	lay, finds := scanFile(t, fx.core, Options{})
	if lay.Container != ContainerELF || len(lay.Ranges) != len(fx.ranges) {
		t.Fatalf("container %s with %d ranges, want %s with %d", lay.Container, len(lay.Ranges), ContainerELF, len(fx.ranges))
	}
	virt := 0
	for _, r := range lay.Ranges {
		if r.Phys != Absent {
			t.Fatalf("gcore range %+v: want virtual addresses only", r)
		}
		if r.Virt != Absent {
			virt++
		}
	}
	if virt < len(lay.Ranges)-1 { // the vsyscall page lies above 1<<63
		t.Errorf("%d of %d gcore ranges with a virtual address", virt, len(lay.Ranges))
	}
	checkExpected(t, "core", finds, fx.exp)
	checkAtOffsets(t, fx.core, finds)
	// Every access log line the server wrote is still in its memory and
	// recognised as an access-log line.
	lines := map[string]bool{}
	for _, g := range finds {
		if g.Kind == carve.KindLogLine && g.Format == "access-log" {
			lines[g.Value] = true
		}
	}
	for _, l := range fx.accessLog {
		if !lines[l] {
			t.Errorf("access log line not carved: %q", l)
		}
	}
}

func TestLiMEAndRaw(t *testing.T) {
	fx := loadFixture(t)
	lay, finds := scanFile(t, fx.lime, Options{})
	if lay.Container != ContainerLiME || len(lay.Ranges) != len(fx.ranges) {
		t.Fatalf("container %s with %d ranges, want lime with %d", lay.Container, len(lay.Ranges), len(fx.ranges))
	}
	for i, r := range lay.Ranges {
		if r.Phys != int64(fx.ranges[i].Phys) || r.Len != int64(len(fx.ranges[i].Data)) {
			t.Fatalf("range %d: %+v, want phys %#x len %d", i, r, fx.ranges[i].Phys, len(fx.ranges[i].Data))
		}
	}
	checkExpected(t, "lime", finds, fx.exp)
	checkAtOffsets(t, fx.lime, finds)
	// Physical addresses: the value is at phys in the range it came from.
	for _, g := range finds {
		if !atPhys(fx.ranges, g.Phys, encode(g)) {
			t.Errorf("lime: %s %q not at physical address %#x", g.Kind, g.Value, g.Phys)
		}
	}
	// The same values as in the ELF core, range by range.
	_, coreFinds := scanFile(t, fx.core, Options{})
	if a, b := valuesOf(finds), valuesOf(coreFinds); a != b {
		t.Errorf("lime and core findings differ")
	}

	lay, rawFinds := scanFile(t, fx.raw, Options{})
	if lay.Container != ContainerRaw {
		t.Fatalf("raw: container %s", lay.Container)
	}
	checkExpected(t, "raw", rawFinds, fx.exp)
	checkAtOffsets(t, fx.raw, rawFinds)
}

func atPhys(ranges []testimage.Range, phys int64, want []byte) bool {
	for _, r := range ranges {
		if phys >= int64(r.Phys) && phys < int64(r.Phys)+int64(len(r.Data)) {
			o := phys - int64(r.Phys)
			if i := bytes.Index(want, []byte("[masked ")); i >= 0 {
				want = want[:i]
			}
			return o+int64(len(want)) <= int64(len(r.Data)) && bytes.Equal(r.Data[o:o+int64(len(want))], want)
		}
	}
	return false
}

func valuesOf(finds []got) string {
	var b strings.Builder
	for _, g := range finds {
		b.WriteString(g.Kind.String() + "|" + g.Encoding + "|" + g.Value + "\n")
	}
	return b.String()
}

func TestAVML(t *testing.T) {
	fx := loadFixture(t)
	lay, finds := scanFile(t, fx.avml, Options{})
	if lay.Container != ContainerAVML || len(lay.Ranges) != len(fx.ranges) {
		t.Fatalf("container %s with %d ranges, want avml with %d", lay.Container, len(lay.Ranges), len(fx.ranges))
	}
	checkExpected(t, "avml", finds, fx.exp)
	_, limeFinds := scanFile(t, fx.lime, Options{})
	if len(finds) != len(limeFinds) {
		t.Fatalf("avml: %d findings, lime %d", len(finds), len(limeFinds))
	}
	data, err := os.ReadFile(fx.avml)
	if err != nil {
		t.Fatal(err)
	}
	for i, g := range finds {
		l := limeFinds[i]
		if g.Kind != l.Kind || g.Value != l.Value || g.Phys != l.Phys {
			t.Fatalf("avml finding %d: %s %q at %#x, lime %s %q at %#x", i, g.Kind, g.Value, g.Phys, l.Kind, l.Value, l.Phys)
		}
		// The offset names the snappy data chunk holding the value.
		if g.Offset+4 > int64(len(data)) || (data[g.Offset] != 0 && data[g.Offset] != 1) {
			t.Fatalf("avml finding %d: offset %d is not a snappy data chunk", i, g.Offset)
		}
	}
}

// sink collects events and artifacts, as the engine's sink does.
type sink struct {
	events []timeline.Event
	arts   []artifacts.Artifact
	w      *artifacts.Writer
}

func (s *sink) Emit(ev *timeline.Event) error {
	c := *ev
	c.Extra = append([]timeline.KV(nil), ev.Extra...)
	for i := range c.Extra {
		c.Extra[i].Value = strings.Clone(c.Extra[i].Value)
	}
	for _, p := range []*string{&c.TimeDesc, &c.TimeOrig, &c.Zone, &c.Host, &c.Source, &c.Evidence, &c.RefPath,
		&c.Path, &c.User, &c.SrcIP, &c.DstIP, &c.Method, &c.URL, &c.UserAgent, &c.Action, &c.Message, &c.Tags} {
		*p = strings.Clone(*p)
	}
	c.Raw = append([]byte(nil), c.Raw...)
	s.events = append(s.events, c)
	return nil
}

func (s *sink) Artifact(a *artifacts.Artifact) error {
	c := *a
	c.Value, c.Context, c.Kind = strings.Clone(c.Value), strings.Clone(c.Context), strings.Clone(c.Kind)
	s.arts = append(s.arts, c)
	if s.w != nil {
		return s.w.Artifact(a)
	}
	return nil
}

func openInput(t *testing.T, path string) *parsers.Input {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fh.Close() })
	fi, _ := fh.Stat()
	return &parsers.Input{Name: filepath.Base(path), Evidence: "E0001", Host: "web01", ReaderAt: fh, Size: fi.Size(),
		ModTime: fi.ModTime(), ZoneSource: "default", Warn: func(m string) { t.Errorf("warning: %s", m) }}
}

func TestParseEventsAndArtifacts(t *testing.T) {
	fx := loadFixture(t)
	in := openInput(t, fx.lime)
	tab := filepath.Join(t.TempDir(), "E0001.arrow")
	w, err := artifacts.Create(tab)
	if err != nil {
		t.Fatal(err)
	}
	s := &sink{w: w}
	if err := Parse(context.Background(), in, s); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(fx.lime)
	var posts int
	for _, ev := range s.events {
		if ev.Source != "access-log" {
			continue
		}
		if !strings.Contains(ev.Tags, TagCarved) || ev.Evidence != "E0001" || ev.Host != "web01" || ev.RefPath != "server.lime" || ev.Line != timeline.Absent {
			t.Errorf("carved event reference: %+v", ev)
		}
		if ev.SrcIP != "127.0.0.1" || ev.Status != 200 || ev.Time == 0 || ev.Zone != "+0000" {
			t.Errorf("carved event fields: src %q status %d time %d zone %q", ev.SrcIP, ev.Status, ev.Time, ev.Zone)
		}
		if ev.Method == "POST" && ev.URL == "/checkout/pay" {
			posts++
		}
		if !bytes.HasPrefix(data[ev.Offset:], []byte("127.0.0.1 - - [")) {
			t.Errorf("event offset %d does not point at its line", ev.Offset)
		}
		phys := ""
		for _, kv := range ev.Extra {
			if kv.Key == "phys_addr" {
				phys = kv.Value
			}
		}
		if !strings.HasPrefix(phys, "0x") {
			t.Errorf("event extra %v: want phys_addr", ev.Extra)
		}
	}
	if posts < len(fx.exp.Cards) {
		t.Errorf("%d carved POST /checkout/pay events, want at least %d", posts, len(fx.exp.Cards))
	}
	// The artifacts table counts each card the client sent.
	counts, err := artifacts.Counts([]string{tab}, artifacts.KindCard)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int64{}
	for _, c := range counts {
		seen[c.Value] = c.N
	}
	for _, c := range fx.exp.Cards {
		if seen[c] == 0 {
			t.Errorf("card %s not counted in the artifacts table", c)
		}
	}
	m, err := artifacts.Matches([]string{tab}, artifacts.KindEmail, fx.exp.Emails[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(m) == 0 {
		t.Fatalf("no matches of %s", fx.exp.Emails[0])
	}
	for _, a := range m {
		if a.PhysAddr == artifacts.Absent || a.Evidence != "E0001" || a.RefPath != "server.lime" {
			t.Errorf("match %+v", a)
		}
	}
	if int64(len(s.arts)) != w.Rows() {
		t.Errorf("%d artifacts sent, %d rows written", len(s.arts), w.Rows())
	}
}

func TestDetect(t *testing.T) {
	fx := loadFixture(t)
	for _, tc := range []struct {
		path string
		min  int
	}{{fx.lime, 100}, {fx.avml, 100}, {fx.core, 90}} {
		head := make([]byte, parsers.HeadSize)
		fh, _ := os.Open(tc.path)
		n, _ := fh.Read(head)
		fh.Close()
		if s := Detect(filepath.Base(tc.path), head[:n]); s < tc.min {
			t.Errorf("Detect(%s) = %d, want >= %d", tc.path, s, tc.min)
		}
	}
	for name, want := range map[string]int{"host.mem": 40, "x.vmem": 40, "memdump.raw": 30, "disk.raw": 5, "notes.txt": 0} {
		if s := Detect(name, []byte("plain bytes")); s != want {
			t.Errorf("Detect(%s) = %d, want %d", name, s, want)
		}
	}
}

func TestBashHistoryCore(t *testing.T) {
	fx := loadFixture(t)
	_, finds := scanFile(t, fx.bash, Options{})
	checkAtOffsets(t, fx.bash, finds)
	found := map[string]bool{}
	for _, g := range finds {
		if g.Kind == carve.KindCommand {
			found[g.Value] = true
		}
	}
	for _, c := range fx.commands {
		if !found[c] {
			t.Errorf("command %q not found in the bash core", c)
		}
	}
	// Parse turns them into bash-history events at the history's times.
	s := &sink{}
	if err := Parse(context.Background(), openInput(t, fx.bash), s); err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, ev := range s.events {
		if ev.Source == FormatName && ev.Tags == "bash-history,carved" && ev.Action == timeline.ActionExecute {
			got[ev.Message] = ev.Time
		}
	}
	for _, c := range fx.commands {
		want, ok := fx.history[c]
		if !ok {
			t.Fatalf("command %q not in the history file", c)
		}
		if got[c] != want*1e9 {
			t.Errorf("bash-history event %q at %d, want %d", c, got[c], want*1e9)
		}
	}
}
