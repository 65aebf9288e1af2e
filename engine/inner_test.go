package engine

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// sampleManifest is the sample bundle's zone and year for web01's files.
const sampleManifest = "case: inner\ntimezone: Asia/Tokyo\nyear: 2025\nevidence:\n  - path: %s\n    host: web01\n"

// caseEvents ingests a bundle and returns the summary and every event.
func caseEvents(t *testing.T, bundle string) (*IngestSummary, []timeline.Event) {
	t.Helper()
	return ingestCase(t, bundle, filepath.Join(t.TempDir(), "case"))
}

// ingestCase ingests a bundle into caseDir and returns the summary and
// every event of the case.
func ingestCase(t *testing.T, bundle, caseDir string) (*IngestSummary, []timeline.Event) {
	t.Helper()
	sum, err := Ingest(context.Background(), bundle, caseDir, IngestOptions{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	c, err := OpenCase(caseDir)
	if err != nil {
		t.Fatal(err)
	}
	dir, m, err := c.TimelineStore().Current()
	if err != nil {
		t.Fatal(err)
	}
	var out []timeline.Event
	for _, si := range m.Segments {
		seg, err := timeline.OpenSegment(dir, si)
		if err != nil {
			t.Fatal(err)
		}
		for i := range seg.Len() {
			var ev timeline.Event
			seg.Event(i, &ev)
			ev.Extra = append([]timeline.KV(nil), ev.Extra...)
			ev.Raw = append([]byte(nil), ev.Raw...)
			out = append(out, ev)
		}
		seg.Release()
	}
	return sum, out
}

// looseWeb01 is a bundle of the sample's web01 files as given loose.
func looseWeb01(t *testing.T) string {
	t.Helper()
	src := filepath.Join(corpus.Root(t), "fixtures", "sample", "web01")
	dir := t.TempDir()
	for _, rel := range []string{"log/auth.log", "nginx/access.log", "nginx/access.log.1.gz"} {
		b, err := os.ReadFile(filepath.Join(src, rel))
		if err != nil {
			t.Fatal(err)
		}
		write(t, dir, filepath.Join("web01", rel), string(b))
	}
	write(t, dir, "bundle.yaml", fmt.Sprintf(sampleManifest, "web01/"))
	return dir
}

// imageBundle is a bundle holding one gunzipped fixture image.
func imageBundle(t *testing.T, fixture string) (dir, img string) {
	t.Helper()
	f, err := os.Open(filepath.Join(corpus.Root(t), "fixtures", "inner", fixture))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	img = strings.TrimSuffix(fixture, ".gz")
	out, err := os.Create(filepath.Join(dir, img))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, zr); err != nil {
		t.Fatal(err)
	}
	out.Close()
	write(t, dir, "bundle.yaml", fmt.Sprintf(sampleManifest, img))
	return dir, img
}

// contentKey orders events by what they say, not where they came from.
func contentKey(ev *timeline.Event) string {
	return fmt.Sprintf("%020d|%s|%08d|%012d|%s", ev.Time, ev.Source, ev.Line, ev.Offset, ev.Message)
}

// TestImageGivesLooseEvents: the sample's web01 logs inside an ext4 and an
// NTFS image give the events the loose files give, field by field, except
// the reference columns (evidence, reference path, inode or MFT entry),
// which point into the image; the deleted /var/log/gone.log, whose data
// is still there, is parsed too, tagged recovered.
func TestImageGivesLooseEvents(t *testing.T) {
	_, loose := caseEvents(t, looseWeb01(t))
	sort.Slice(loose, func(i, j int) bool { return contentKey(&loose[i]) < contentKey(&loose[j]) })
	if len(loose) < 1000 {
		t.Fatalf("loose sample gave %d events", len(loose))
	}
	for _, tc := range []struct {
		fixture, fs string
	}{{"web01-ext4.img.gz", "ext4"}, {"web01-ntfs.img.gz", "ntfs"}} {
		t.Run(tc.fs, func(t *testing.T) {
			dir, img := imageBundle(t, tc.fixture)
			caseDir := filepath.Join(t.TempDir(), "case")
			sum, all := ingestCase(t, dir, caseDir)
			checkImage(t, tc.fs, img, sum, all, loose)
			// resumed: nothing parsed again, nothing duplicated
			again, all2 := ingestCase(t, dir, caseDir)
			if again.Parsed != 0 || len(all2) != len(all) || again.Items[0].Events != sum.Items[0].Events || len(again.Items[0].Inner) != len(sum.Items[0].Inner) {
				t.Errorf("second ingest: parsed %d, %d events (first %d), inner %d", again.Parsed, len(all2), len(all), len(again.Items[0].Inner))
			}
		})
	}
}

func checkImage(t *testing.T, fsName, img string, sum *IngestSummary, all, loose []timeline.Event) {
	var inner, recovered []timeline.Event
	filler := 0
	for _, ev := range all {
		switch {
		case parsers.ClassOf(ev.Source) == parsers.ClassFS:
		case strings.HasSuffix(ev.RefPath, "!/filler"): // NTFS: what took secure.2's clusters
			filler++
		case strings.Contains(ev.Tags, TagRecovered):
			recovered = append(recovered, ev)
		default:
			inner = append(inner, ev)
		}
	}
	sort.Slice(inner, func(i, j int) bool { return contentKey(&inner[i]) < contentKey(&inner[j]) })
	if len(inner) != len(loose) {
		t.Fatalf("%d events from the files inside the image, %d from the loose files", len(inner), len(loose))
	}
	bad := 0
	for i := range inner {
		a, b := inner[i], loose[i]
		if !strings.HasPrefix(a.RefPath, img+"!/var/log/") || a.Evidence == "" {
			t.Errorf("event %d: reference %s:%s", i, a.Evidence, a.RefPath)
		}
		if fsName == "ext4" && (a.Inode <= 0 || a.MFT != timeline.Absent) || fsName == "ntfs" && (a.MFT <= 0 || a.Inode != timeline.Absent) {
			t.Errorf("event %d: inode %d MFT %d", i, a.Inode, a.MFT)
		}
		// the loose file's path inside the bundle and the image's path
		// inside the volume name the same file
		if !strings.HasSuffix(a.RefPath, strings.TrimPrefix(strings.TrimPrefix(b.RefPath, "web01/log"), "web01")) {
			t.Errorf("event %d: %s in the image, %s loose", i, a.RefPath, b.RefPath)
		}
		a.Evidence, a.RefPath, a.Inode, a.MFT = b.Evidence, b.RefPath, b.Inode, b.MFT
		if !reflect.DeepEqual(a, b) && bad < 5 {
			bad++
			t.Errorf("event %d differs:\nimage %+v\nloose %+v", i, a, b)
		}
	}
	// gone.log (3 lines) on both; on NTFS also secure.1 (60 lines, its
	// clusters free), never secure.2 (its clusters reallocated)
	wantRecovered := map[string]int{"/var/log/gone.log": 3}
	if fsName == "ntfs" {
		wantRecovered["/var/log/secure.1"] = 60
	}
	gotRecovered := map[string]int{}
	for _, ev := range recovered {
		_, p, _ := strings.Cut(ev.RefPath, "!")
		gotRecovered[p]++
		if ev.Source != "auth" || ev.Host != "web01" {
			t.Errorf("recovered event: %+v", ev)
		}
	}
	if !reflect.DeepEqual(gotRecovered, wantRecovered) {
		t.Errorf("events from deleted files %v, want %v", gotRecovered, wantRecovered)
	}
	// The summary lists the files under their image.
	if len(sum.Items) != 1 {
		t.Fatalf("items: %+v", sum.Items)
	}
	it := sum.Items[0]
	got := map[string]string{}
	var innerEvents int64
	for _, in := range it.Inner {
		got[strings.TrimPrefix(in.Path, img+"!")] = fmt.Sprintf("%s/%s", in.Format, in.Status)
		innerEvents += in.Events
	}
	want := map[string]string{
		"/var/log/auth.log":              "auth/parsed",
		"/var/log/gone.log":              "auth/parsed",
		"/var/log/nginx/access.log":      "access-log/parsed",
		"/var/log/nginx/access.log.1.gz": "access-log+gzip/parsed",
	}
	if fsName == "ntfs" {
		want["/var/log/secure.1"] = "auth/parsed"
		want["/filler"] = "syslog/parsed"
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("inner files %v, want %v", got, want)
	}
	if innerEvents != int64(len(inner)+len(recovered)+filler) || it.Events != int64(len(all)) || sum.Events != int64(len(all)) {
		t.Errorf("counts: inner %d (events %d), image %d, case %d, timeline %d", innerEvents, len(inner)+len(recovered), it.Events, sum.Events, len(all))
	}
}

// TestImageWindowsSamples: EVTX and registry samples of the shared corpus,
// copied into the NTFS fixture with ntfscp, are handed to whatever parser
// claims them; the ingest stays clean. Formats that exist are checked for
// events.
func TestImageWindowsSamples(t *testing.T) {
	evtx := corpus.Path(t, "evtx/Velocidex-evtx/testdata/Security_1_record.evtx")
	if _, err := exec.LookPath("ntfscp"); err != nil {
		t.Skip("ntfscp (Debian ntfs-3g) not installed")
	}
	dir, img := imageBundle(t, "web01-ntfs.img.gz")
	cp := exec.Command("ntfscp", "-f", filepath.Join(dir, img), evtx, "/Windows/System32/winevt/Logs/Security.evtx")
	if out, err := cp.CombinedOutput(); err != nil {
		t.Fatalf("ntfscp: %v\n%s", err, out)
	}
	sum, _ := caseEvents(t, dir)
	it := sum.Items[0]
	if it.Status != "parsed" {
		t.Fatalf("image: %+v", it)
	}
	var evtxItem *ItemSummary
	for i := range it.Inner {
		if strings.HasSuffix(it.Inner[i].Path, "Security.evtx") {
			evtxItem = &it.Inner[i]
		}
	}
	if _, ok := parsers.Lookup("evtx"); ok && (evtxItem == nil || evtxItem.Events == 0) {
		t.Errorf("an evtx format is registered but Security.evtx inside the image gave %+v", evtxItem)
	}
	if _, ok := parsers.Lookup("evtx"); !ok && evtxItem != nil {
		t.Errorf("no evtx format, yet Security.evtx was claimed: %+v", evtxItem)
	}
}

// TestImageArchives: plaso's syslog_image.dd (ext2) holds its syslog in a
// tar.gz and a zip under /logs; the members are parsed as a bundle's
// archive members are, listed under the image with both paths, and their
// events carry the archive file's inode (fls: 11 hidden.zip, 12 sys.tgz).
func TestImageArchives(t *testing.T) {
	src := corpus.Path(t, "disk/plaso/syslog_image.dd")
	dir := t.TempDir()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "syslog_image.dd", string(b))
	write(t, dir, "bundle.yaml", "year: 2012\nevidence:\n  - path: syslog_image.dd\n    host: plaso\n")
	sum, all := caseEvents(t, dir)
	got := map[string]string{}
	for _, in := range sum.Items[0].Inner {
		got[in.Path] = fmt.Sprintf("%s/%d", in.Format, in.Events-in.Unparsed)
	}
	want := map[string]string{"syslog_image.dd!/logs/hidden.zip!syslog": "syslog/13", "syslog_image.dd!/logs/sys.tgz!syslog.gz": "syslog+gzip/13"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("inner %v, want %v", got, want)
	}
	inodes := map[string]int64{}
	for _, ev := range all {
		if strings.Contains(ev.RefPath, "!/logs/") {
			inodes[ev.RefPath] = ev.Inode
		}
	}
	if inodes["syslog_image.dd!/logs/hidden.zip!syslog"] != 11 || inodes["syslog_image.dd!/logs/sys.tgz!syslog.gz"] != 12 {
		t.Errorf("inodes %v", inodes)
	}
}
