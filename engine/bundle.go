package engine

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
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

// LoadBundle reads dir/bundle.yaml if present; without it every file of the
// directory is evidence with defaults.
func LoadBundle(dir string) (*Bundle, error) {
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
	raw, err := os.ReadFile(filepath.Join(abs, BundleManifestName))
	switch {
	case os.IsNotExist(err):
	case err != nil:
		return nil, err
	default:
		if err := yaml.Unmarshal(raw, b); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(dir, BundleManifestName), err)
		}
		b.Dir = abs
	}
	if b.Case == "" {
		b.Case = filepath.Base(abs)
	}
	if _, err := b.location(""); err != nil {
		return nil, err
	}
	for i, it := range b.Evidence {
		if it.Path == "" {
			return nil, fmt.Errorf("%s: evidence entry %d has no path", BundleManifestName, i+1)
		}
		if filepath.IsAbs(it.Path) || strings.HasPrefix(filepath.Clean(it.Path), "..") {
			return nil, fmt.Errorf("%s: evidence path %q must be inside the bundle", BundleManifestName, it.Path)
		}
		if _, err := b.location(it.Timezone); err != nil {
			return nil, err
		}
		if it.ClockOffset != "" {
			if _, err := time.ParseDuration(it.ClockOffset); err != nil {
				return nil, fmt.Errorf("%s: evidence %s: clock_offset %q: %w", BundleManifestName, it.Path, it.ClockOffset, err)
			}
		}
	}
	return b, nil
}

// location returns the zone for an item: its own, else the bundle's, else UTC.
func (b *Bundle) location(itemZone string) (*time.Location, error) {
	name := itemZone
	if name == "" {
		name = b.Timezone
	}
	if name == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("%s: timezone %q: %w", BundleManifestName, name, err)
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
}

// Files lists every evidence file in a stable order. A file covered by
// several manifest entries takes the most specific (longest path) one.
// Without manifest entries every file below the bundle is evidence.
func (b *Bundle) Files() ([]BundleFile, error) {
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
		st, err := os.Stat(abs)
		if err != nil {
			return err
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
		st, err := os.Stat(p)
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
