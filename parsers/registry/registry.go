package registry

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/internal/winart"
	"github.com/kiseki-forensics/kiseki/timeline"
	"www.velocidex.com/golang/regparser"
)

// FormatName is the registered name and the events' source.
const FormatName = "registry"

func init() {
	parsers.Register(&parsers.Format{
		Name:        FormatName,
		Description: "Windows registry hives: every key's last-write time; Run keys, services, UserAssist, ShimCache, AmCache",
		HasZone:     true, // FILETIMEs are UTC
		HasYear:     true,
		Detect:      detect,
		Parse:       parse,
		Sources:     []parsers.Source{{Name: FormatName, Class: parsers.ClassHostArtifact}},
	})
}

const (
	// hbinStart is where the hive bins start (cell offsets count from it).
	hbinStart = 0x1000
	// maxHive bounds a hive read into memory: Windows refuses hives past
	// 2 GiB and real SOFTWARE hives are a few hundred MiB.
	maxHive = 2 << 30
	// maxDepth bounds the key walk: real hives nest about 30 deep; a
	// crafted one could nest until the stack runs out.
	maxDepth = 512
	// maxValue bounds one value's data: the largest real values
	// (AppCompatCache, certificates) are about 1 MiB.
	maxValue = 16 << 20
)

func detect(name string, head []byte) int {
	if len(head) >= 4 && string(head[:4]) == "regf" {
		if len(head) >= hbinStart+4 && string(head[hbinStart:hbinStart+4]) == "hbin" {
			return 100
		}
		return 90
	}
	return 0
}

type walker struct {
	ctx  context.Context
	in   *parsers.Input
	sink timeline.Sink
	reg  *regparser.Registry
	ev   timeline.Event
	hive string
	seen map[int64]bool
}

func parse(ctx context.Context, in *parsers.Input, sink timeline.Sink) error {
	b, err := winart.ReadAll(in, maxHive)
	if err != nil {
		return err
	}
	if len(b) < hbinStart || string(b[:4]) != "regf" {
		return fmt.Errorf("%s: not a registry hive (no regf header)", in.Name)
	}
	reg, err := regparser.NewRegistry(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("%s: %w", in.Name, err)
	}
	w := &walker{ctx: ctx, in: in, sink: sink, reg: reg, seen: map[int64]bool{},
		hive: winart.UTF16(b[0x30 : 0x30+64])}
	root := reg.Profile.HCELL(reg.Reader, hbinStart+int64(reg.BaseBlock.RootCell())).KeyNode()
	if root == nil {
		in.Problemf("registry-root", 48, 0, "no root key at cell %#x", reg.BaseBlock.RootCell())
		return nil
	}
	return w.key(root, "", 0)
}

// key emits one key and walks its subkeys.
func (w *walker) key(k *regparser.CM_KEY_NODE, path string, depth int) error {
	if w.seen[k.Offset] {
		w.in.Problemf("registry-loop", int64(k.Offset), 0, "key %s reached a second time: a loop in the hive, not followed", path)
		return nil
	}
	w.seen[k.Offset] = true
	if len(w.seen)%4096 == 0 {
		if err := w.ctx.Err(); err != nil {
			return err
		}
	}
	subs, err := subkeys(k)
	if err != nil {
		w.in.Problemf("registry-subkeys", int64(k.Offset), 0, "subkeys of %s: %v", path, err)
	}
	vals := w.values(k, path)
	if err := w.emitKey(k, path, vals, len(subs)); err != nil {
		return err
	}
	if depth >= maxDepth && len(subs) > 0 {
		w.in.Problemf("registry-depth", int64(k.Offset), 0, "%s is %d keys deep; its %d subkeys are not walked", path, depth, len(subs))
		return nil
	}
	for _, s := range subs {
		if err := w.key(s, path+`\`+s.Name(), depth+1); err != nil {
			return err
		}
	}
	return nil
}

// subkeys lists a key's subkeys, turning a panic of the library on a
// damaged list into an error.
func subkeys(k *regparser.CM_KEY_NODE) (subs []*regparser.CM_KEY_NODE, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("subkey list unreadable: %v", r)
		}
	}()
	if k.SubKeyCounts()[0] == 0 {
		return nil, nil
	}
	return k.Subkeys(), nil
}

// value is one value of a key, decoded.
type value struct {
	name string
	typ  uint32
	str  string // REG_SZ, REG_EXPAND_SZ, REG_MULTI_SZ (joined by ";"), numbers
	data []byte
}

func (w *walker) values(k *regparser.CM_KEY_NODE, path string) (out []value) {
	defer func() {
		if r := recover(); r != nil {
			w.in.Problemf("registry-values", int64(k.Offset), 0, "values of %s unreadable: %v", path, r)
		}
	}()
	if k.ValueList().Count() == 0 {
		return nil
	}
	for _, v := range k.Values() {
		if v.DataSize() > maxValue {
			w.in.Problemf("registry-value-size", int64(v.Offset), 0, "value %q of %s claims %d bytes, more than %d; not read", v.ValueName(), path, v.DataSize(), maxValue)
			continue
		}
		d := v.ValueData()
		val := value{name: v.ValueName(), typ: d.Type, data: d.Data}
		switch d.Type {
		case regparser.REG_SZ, regparser.REG_EXPAND_SZ:
			val.str = strings.TrimRight(d.String, "\x00") // the stored terminator
		case regparser.REG_MULTI_SZ:
			val.str = strings.Join(d.MultiSz, ";")
		case regparser.REG_DWORD, regparser.REG_DWORD_BIG_ENDIAN, regparser.REG_QWORD:
			val.str = strconv.FormatUint(d.Uint64, 10)
		}
		out = append(out, val)
	}
	return out
}

func get(vals []value, name string) string {
	for _, v := range vals {
		if strings.EqualFold(v.name, name) {
			return v.str
		}
	}
	return ""
}

// lastWrite reads a key's last-write FILETIME (the library rounds it to
// seconds).
func (w *walker) lastWrite(k *regparser.CM_KEY_NODE) (int64, bool) {
	return winart.UnixNano(regparser.ParseUint64(w.reg.Reader, k.Profile.Off_CM_KEY_NODE_LastWriteTime+k.Offset))
}

// start fills the fields every event of a key has.
func (w *walker) start(k *regparser.CM_KEY_NODE) *timeline.Event {
	ev := &w.ev
	ev.Reset()
	ev.Evidence, ev.RefPath, ev.Host, ev.Offset = w.in.Evidence, w.in.Name, w.in.Host, k.Offset
	ev.Source, ev.Zone = FormatName, "UTC"
	return ev
}

func (w *walker) at(ev *timeline.Event, ns int64, ok bool, desc string) {
	if !ok {
		ev.Time, ev.TimeDesc = 0, timeline.TimeUnknown
		return
	}
	ev.Time, ev.TimeOrig, ev.TimeDesc = ns, winart.RFC3339(ns), desc
}

func (w *walker) emitKey(k *regparser.CM_KEY_NODE, path string, vals []value, nsub int) error {
	if path == "" {
		path = `\`
	}
	ns, ok := w.lastWrite(k)
	ev := w.start(k)
	w.at(ev, ns, ok, timeline.TimeModified)
	ev.Message = "key last written: " + path
	ev.AddExtra("key", path)
	ev.AddExtra("values", strconv.Itoa(len(vals)))
	ev.AddExtra("subkeys", strconv.Itoa(nsub))
	if w.hive != "" {
		ev.AddExtra("hive", w.hive)
	}
	ev.Path = path
	lower := strings.ToLower(path)
	enrichKey(ev, lower, vals)
	if err := w.sink.Emit(ev); err != nil {
		return err
	}
	return w.plugins(k, path, lower, vals, ns, ok)
}
