package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"go.yaml.in/yaml/v3"
)

// BundleManifestName is the optional manifest at a bundle's root.
const BundleManifestName = "bundle.yaml"

// Bundle is an evidence bundle: a directory and what its manifest says.
type Bundle struct {
	Dir      string         `yaml:"-"`
	Case     string         `yaml:"case"`
	Timezone string         `yaml:"timezone"`
	Year     int            `yaml:"year"`
	Evidence []BundleItem   `yaml:"evidence"`
	Extra    map[string]any `yaml:",inline"`

	expanded atomic.Int64 // bytes expanded out of its archives (see maxBundleExpanded)
}

// BundleItem is one evidence entry of the manifest.
type BundleItem struct {
	Path        string `yaml:"path"`
	Host        string `yaml:"host"`
	Format      string `yaml:"format"`
	Timezone    string `yaml:"timezone"`
	Year        int    `yaml:"year"`
	ClockOffset string `yaml:"clock_offset"`
	// Everything else (mount, docroot, log_format, ...) is handed to the
	// parser as options.
	Options map[string]any `yaml:",inline"`
}

// Manifest keys Kiseki reads. A key not listed here is refused with its line,
// so a typo (log_fromat) is not silently ignored.
var (
	// bundleKeys are the manifest's top-level keys. hosts and internal are
	// read by search/vocab (host addresses, the internal address blocks).
	bundleKeys = []string{"case", "timezone", "year", "evidence", "hosts", "internal"}
	// itemKeys are the keys of an evidence entry: the engine's own, then the
	// parser options (log_format: parsers/logformat; mount: the ext4 and NTFS
	// parsers and search/vocab; docroot, origin: search/vocab).
	itemKeys = []string{"path", "host", "format", "timezone", "year", "clock_offset", "log_format", "mount", "docroot", "origin"}
)

// maxClockOffset bounds clock_offset: a device clock wrong by more than a
// century is a wrong setting, not a drift, and the bound keeps every shifted
// time far inside int64 nanoseconds (±292 years around 1970).
const maxClockOffset = 100 * 365 * 24 * time.Hour

// InputError is an error in what the user gave: a bundle directory that is
// not there, a manifest that is refused. The command line exits 2 on it.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

func inputError(err error) error {
	if err == nil {
		return nil
	}
	return &InputError{err}
}

// LoadBundle reads dir/bundle.yaml if present; without it every file of the
// directory is evidence with defaults. Errors name the manifest and line and
// are InputErrors.
func LoadBundle(dir string) (*Bundle, error) {
	b, err := loadBundle(dir)
	return b, inputError(err)
}

func loadBundle(dir string) (*Bundle, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("bundle %s: not a directory", dir)
	}
	b := &Bundle{Dir: abs}
	name := filepath.Join(dir, BundleManifestName)
	raw, err := os.ReadFile(filepath.Join(abs, BundleManifestName))
	switch {
	case os.IsNotExist(err):
	case err != nil:
		return nil, err
	default:
		if err := decodeManifest(name, raw, b); err != nil {
			return nil, err
		}
		b.Dir = abs
	}
	if b.Case == "" {
		b.Case = filepath.Base(abs)
	}
	if _, err := b.location(""); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return b, nil
}

// decodeManifest parses the manifest, refusing unknown keys and checking
// each entry, with the line of what is wrong.
func decodeManifest(name string, raw []byte, b *Bundle) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if len(doc.Content) == 0 {
		return nil // an empty manifest
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("%s:%d: the manifest must be a mapping of keys (case, timezone, evidence, ...)", name, root.Line)
	}
	if err := knownKeys(name, root, bundleKeys, "manifest"); err != nil {
		return err
	}
	if err := root.Decode(b); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	var entries []*yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "evidence" && root.Content[i+1].Kind == yaml.SequenceNode {
			entries = root.Content[i+1].Content
		}
	}
	if len(entries) != len(b.Evidence) {
		return fmt.Errorf("%s: evidence must be a list of entries", name)
	}
	for i, n := range entries {
		if n.Kind != yaml.MappingNode {
			return fmt.Errorf("%s:%d: evidence entry %d is not a mapping (path:, host:, ...)", name, n.Line, i+1)
		}
		if err := knownKeys(name, n, itemKeys, "evidence entry"); err != nil {
			return err
		}
		if err := checkItem(b, &b.Evidence[i]); err != nil {
			return fmt.Errorf("%s:%d: evidence entry %d: %w", name, n.Line, i+1, err)
		}
	}
	return nil
}

// knownKeys refuses a key of mapping n that is not in known.
func knownKeys(name string, n *yaml.Node, known []string, what string) error {
	for i := 0; i < len(n.Content); i += 2 {
		k := n.Content[i]
		if !slices.Contains(known, k.Value) {
			return fmt.Errorf("%s:%d: unknown %s key %q (known: %s)", name, k.Line, what, k.Value, strings.Join(known, ", "))
		}
	}
	return nil
}

// checkItem validates one evidence entry: a path inside the bundle that no
// symbolic link leads out of, a zone, a clock offset within bounds.
func checkItem(b *Bundle, it *BundleItem) error {
	if it.Path == "" {
		return errors.New("no path")
	}
	if filepath.IsAbs(it.Path) || !filepath.IsLocal(filepath.FromSlash(it.Path)) {
		return fmt.Errorf("path %q must be inside the bundle", it.Path)
	}
	if err := noSymlinks(b.Dir, it.Path); err != nil {
		return err
	}
	if _, err := b.location(it.Timezone); err != nil {
		return err
	}
	if it.ClockOffset != "" {
		d, err := time.ParseDuration(it.ClockOffset)
		if err != nil {
			return fmt.Errorf("clock_offset %q: %w", it.ClockOffset, err)
		}
		if d > maxClockOffset || d < -maxClockOffset {
			return fmt.Errorf("clock_offset %q: more than %d years", it.ClockOffset, int(maxClockOffset/(365*24*time.Hour)))
		}
	}
	return nil
}

// noSymlinks refuses a path whose file or any directory on the way is a
// symbolic link: a link could pull in files from anywhere (/etc/passwd).
// A path that does not exist is left to Files, which names it.
func noSymlinks(root, rel string) error {
	p := root
	for _, elem := range strings.Split(filepath.ToSlash(filepath.Clean(filepath.FromSlash(rel))), "/") {
		p = filepath.Join(p, elem)
		st, err := os.Lstat(p)
		if err != nil {
			return nil
		}
		if st.Mode()&fs.ModeSymlink != 0 {
			r, _ := filepath.Rel(root, p)
			return fmt.Errorf("path %q: %s is a symbolic link; evidence must be files inside the bundle", rel, filepath.ToSlash(r))
		}
	}
	return nil
}

// location returns the zone for an item: its own, else the bundle's, else UTC.
// "Local" is refused: the machine's zone is not the evidence's.
func (b *Bundle) location(itemZone string) (*time.Location, error) {
	name := itemZone
	if name == "" {
		name = b.Timezone
	}
	if name == "" {
		return time.UTC, nil
	}
	if name == "Local" {
		return nil, errors.New(`timezone "Local" is the zone of the machine running Kiseki, not of the evidence: name the zone (Asia/Tokyo, UTC)`)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("timezone %q: %w", name, err)
	}
	return loc, nil
}

// BundleFile is one file of the bundle with the manifest settings that apply.
type BundleFile struct {
	Rel  string // slash-separated path relative to the bundle
	Abs  string
	Size int64
	Mod  time.Time
	Item BundleItem // the manifest entry that covers it (zero when none)

	src *sourceFile // set while its unit is parsed: the one descriptor read and hashed
}

// Files lists every evidence file in a stable order. A file covered by
// several manifest entries takes the most specific (longest path) one.
// Without manifest entries every file below the bundle is evidence.
func (b *Bundle) Files() ([]BundleFile, error) {
	files, err := b.files()
	return files, inputError(err)
}

func (b *Bundle) files() ([]BundleFile, error) {
	var out []BundleFile
	seen := map[string]int{}
	add := func(abs string, it BundleItem, specificity int) error {
		rel, err := filepath.Rel(b.Dir, abs)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == BundleManifestName {
			return nil
		}
		st, err := os.Lstat(abs)
		if err != nil {
			return err
		}
		if !st.Mode().IsRegular() {
			// A FIFO would block the open, a device (/dev/zero) never end.
			return fmt.Errorf("%s: %s is not a regular file (%s); only regular files are evidence", BundleManifestName, rel, st.Mode().Type())
		}
		if i, ok := seen[rel]; ok {
			if specificity > len(out[i].Item.Path) {
				out[i].Item = it
			}
			return nil
		}
		seen[rel] = len(out)
		out = append(out, BundleFile{Rel: rel, Abs: abs, Size: st.Size(), Mod: st.ModTime(), Item: it})
		return nil
	}
	walk := func(root string, it BundleItem) error {
		return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.Type()&fs.ModeSymlink != 0 {
				// Evidence must be inside the bundle; a link could point anywhere.
				return nil
			}
			if d.IsDir() || !d.Type().IsRegular() {
				return nil
			}
			return add(p, it, len(it.Path))
		})
	}
	if len(b.Evidence) == 0 {
		if err := walk(b.Dir, BundleItem{}); err != nil {
			return nil, err
		}
	}
	for _, it := range b.Evidence {
		p := filepath.Join(b.Dir, filepath.FromSlash(it.Path))
		if err := noSymlinks(b.Dir, it.Path); err != nil {
			return nil, fmt.Errorf("%s: evidence %s: %w", BundleManifestName, it.Path, err)
		}
		st, err := os.Lstat(p)
		if err != nil {
			return nil, fmt.Errorf("%s: evidence %s: %w", BundleManifestName, it.Path, err)
		}
		if st.IsDir() {
			err = walk(p, it)
		} else {
			err = add(p, it, len(it.Path))
		}
		if err != nil {
			return nil, err
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Rel < out[j].Rel })
	return out, nil
}
