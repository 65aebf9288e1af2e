package ntfs

import (
	"strings"
	"testing"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
)

func TestCharlieAgainstTSK(t *testing.T) {
	img := bunzip(t, corpus.Path(t, "disk/go-ntfs/charlie.dd.bz2"))
	evs, warns := parseImage(t, img, nil)
	ref := tskBody(t, corpus.Path(t, "disk/go-ntfs/charlie.dd.reference.tsk_fls_bodyfile.txt"))
	ours := ourBody(evs)
	for _, k := range sortedKeys(ref) {
		if ours[k] != ref[k] {
			t.Errorf("tsk  %s\nours %s", ref[k], ours[k])
		}
	}
	for _, k := range sortedKeys(ours) {
		if _, ok := ref[k]; !ok {
			t.Logf("extra %s", ours[k])
		}
	}
	t.Logf("warnings: %s", strings.Join(warns, "\n"))
}
