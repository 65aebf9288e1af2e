package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The manifest is refused, naming the file and line, when it asks for what
// Kiseki must not do or would silently misread.
func TestLoadBundleRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, manifest, want string
	}{
		{"typo in an entry's key", "evidence:\n  - path: a.log\n    host: web01\n    log_fromat: '$remote_addr'\n",
			`bundle.yaml:4: unknown evidence entry key "log_fromat"`},
		{"typo at the top", "case: x\ntimzone: UTC\n", `bundle.yaml:2: unknown manifest key "timzone"`},
		{"the machine's zone", "timezone: Local\n", `timezone "Local"`},
		{"the machine's zone on an entry", "evidence:\n  - path: a.log\n    timezone: Local\n", `bundle.yaml:2: evidence entry 1: timezone "Local"`},
		{"a clock offset past int64", "evidence:\n  - path: a.log\n    clock_offset: 2562047h\n", "bundle.yaml:2: evidence entry 1: clock_offset \"2562047h\": more than 100 years"},
		{"a path out of the bundle", "evidence:\n  - path: ../../etc/passwd\n", "must be inside the bundle"},
		{"an entry without a path", "evidence:\n  - host: web01\n", "bundle.yaml:2: evidence entry 1: no path"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, "a.log", "x\n")
			write(t, dir, "bundle.yaml", tc.manifest)
			_, err := LoadBundle(dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// The keys the docs and fixtures use are all accepted.
func TestLoadBundleKnownKeys(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.log", "x\n")
	write(t, dir, "bundle.yaml", `case: c
timezone: Asia/Tokyo
year: 2025
hosts: {web01: [10.0.0.5]}
internal: [10.0.0.0/8]
evidence:
  - path: a.log
    host: web01
    format: nginx-combined
    timezone: UTC
    year: 2026
    clock_offset: -35s
    log_format: '$remote_addr'
    mount: /var/www
    docroot: /var/www/shop
    origin: web01
`)
	if _, err := LoadBundle(dir); err != nil {
		t.Fatal(err)
	}
}

// A manifest entry that is a symbolic link, or reaches its file through a
// symlinked directory, would pull files from outside the bundle.
func TestBundleRefusesSymlinks(t *testing.T) {
	outside := t.TempDir()
	write(t, outside, "secret/passwd", "root:x:0:0\n")
	for _, tc := range []struct{ name, link, target, entry string }{
		{"file", "passwd", filepath.Join(outside, "secret/passwd"), "passwd"},
		{"directory on the way", "etc", filepath.Join(outside, "secret"), "etc/passwd"},
		{"directory entry", "etc", filepath.Join(outside, "secret"), "etc/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.Symlink(tc.target, filepath.Join(dir, tc.link)); err != nil {
				t.Skip("no symbolic links here:", err)
			}
			write(t, dir, "bundle.yaml", "evidence:\n  - path: "+tc.entry+"\n")
			b, err := LoadBundle(dir)
			if err == nil {
				var files []BundleFile
				files, err = b.Files()
				for _, f := range files {
					t.Errorf("outside file is evidence: %s (%s)", f.Rel, f.Abs)
				}
			}
			if err == nil || !strings.Contains(err.Error(), "symbolic link") {
				t.Fatalf("err %v, want a refusal naming the symbolic link", err)
			}
		})
	}
}
