package artifacts

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
)

// Dir is where a case keeps its artifact tables: CASEDIR/artifacts.
func Dir(caseDir string) string { return filepath.Join(caseDir, "artifacts") }

// TablePath is the table of one evidence item in a case:
// CASEDIR/artifacts/EVIDENCE.arrow. Writing it again (a resumed ingest)
// replaces it, so nothing is counted twice.
func TablePath(caseDir, evidence string) string {
	return filepath.Join(Dir(caseDir), evidence+".arrow")
}

// Files lists the artifact tables (*.arrow) in dir, sorted. A missing
// directory holds none.
func Files(dir string) ([]string, error) {
	m, err := filepath.Glob(filepath.Join(dir, "*.arrow"))
	if err != nil {
		return nil, err
	}
	sort.Strings(m)
	return m, nil
}

// Each calls fn for every row of the table in path, in file order. The
// artifact's strings are valid only during the call.
func Each(path string, fn func(a *Artifact) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := ipc.NewFileReader(f)
	if err != nil {
		return fmt.Errorf("artifacts %s: %w", path, err)
	}
	defer r.Close()
	if !r.Schema().Equal(Schema) {
		return fmt.Errorf("artifacts %s: schema is not %s", path, SchemaVersion)
	}
	var a Artifact
	for b := 0; b < r.NumRecords(); b++ {
		rec, err := r.RecordBatch(b)
		if err != nil {
			return fmt.Errorf("artifacts %s: batch %d: %w", path, b, err)
		}
		str := func(c int) *array.String { return rec.Column(c).(*array.String) }
		i64 := func(c int) *array.Int64 { return rec.Column(c).(*array.Int64) }
		kind := rec.Column(ColKind).(*array.Dictionary)
		kinds := kind.Dictionary().(*array.String)
		enc := rec.Column(ColEncoding).(*array.Dictionary)
		encs := enc.Dictionary().(*array.String)
		ev, rp, val, ctx := str(ColEvidence), str(ColRefPath), str(ColValue), str(ColContext)
		off, phys, virt := i64(ColOffset), i64(ColPhysAddr), i64(ColVirtAddr)
		for i := 0; i < int(rec.NumRows()); i++ {
			a = Artifact{
				Evidence: ev.Value(i), RefPath: rp.Value(i), Offset: off.Value(i),
				PhysAddr: Absent, VirtAddr: Absent,
				Kind: kinds.Value(kind.GetValueIndex(i)), Value: val.Value(i), Context: ctx.Value(i),
				Encoding: encs.Value(enc.GetValueIndex(i)),
			}
			if !phys.IsNull(i) {
				a.PhysAddr = phys.Value(i)
			}
			if !virt.IsNull(i) {
				a.VirtAddr = virt.Value(i)
			}
			if err := fn(&a); err != nil {
				return err
			}
		}
	}
	return nil
}

// Count is how often one distinct value was found.
type Count struct {
	Kind  string `json:"kind"`
	Value string `json:"value"` // normalised (Normalize)
	N     int64  `json:"count"`
}

// Counts counts the rows of the tables per distinct (kind, normalised
// value), most frequent first (ties by kind, then value). kinds limits the
// count to those kinds; none means all.
func Counts(paths []string, kinds ...string) ([]Count, error) {
	type key struct{ kind, value string }
	n := map[key]int64{}
	want := map[string]bool{}
	for _, k := range kinds {
		want[k] = true
	}
	for _, p := range paths {
		err := Each(p, func(a *Artifact) error {
			if len(want) > 0 && !want[a.Kind] {
				return nil
			}
			n[key{a.Kind, strings.Clone(Normalize(a.Kind, a.Value))}]++
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	out := make([]Count, 0, len(n))
	for k, c := range n {
		out = append(out, Count{k.kind, k.value, c})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].N != out[j].N {
			return out[i].N > out[j].N
		}
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Value < out[j].Value
	})
	return out, nil
}

// Matches returns the rows whose normalised value equals value's (in the
// given kind, or any kind when kind is ""), in file order.
func Matches(paths []string, kind, value string) ([]Artifact, error) {
	var out []Artifact
	for _, p := range paths {
		err := Each(p, func(a *Artifact) error {
			if kind != "" && a.Kind != kind {
				return nil
			}
			if Normalize(a.Kind, a.Value) != Normalize(a.Kind, value) {
				return nil
			}
			c := *a
			c.Evidence, c.RefPath = strings.Clone(c.Evidence), strings.Clone(c.RefPath)
			c.Kind, c.Value = strings.Clone(c.Kind), strings.Clone(c.Value)
			c.Context, c.Encoding = strings.Clone(c.Context), strings.Clone(c.Encoding)
			out = append(out, c)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
