package timeline

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A segment name in the manifest pointing outside the case was opened
// (../../etc/passwd); so was a generation named by CURRENT.
func TestManifestNamesStayInside(t *testing.T) {
	for _, tc := range []struct{ name, current, segment, want string }{
		{"segment", "g1", "../../etc/passwd", "is not a segment of this directory"},
		{"absolute segment", "g1", "/etc/passwd", "is not a segment of this directory"},
		{"generation", "../../etc", "seg-000000.arrow", "not a generation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			gen := filepath.Join(dir, "g1")
			os.MkdirAll(gen, 0o755)
			m := Manifest{Schema: SchemaVersion, Generation: 1, Rows: 1, Segments: []SegmentInfo{{File: tc.segment, Rows: 1}}}
			b, _ := json.Marshal(m)
			os.WriteFile(filepath.Join(gen, manifestName), b, 0o644)
			os.WriteFile(filepath.Join(dir, currentName), []byte(tc.current+"\n"), 0o644)
			_, _, err := Store{Dir: dir}.Current()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
}
