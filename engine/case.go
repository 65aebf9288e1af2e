package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kiseki-forensics/kiseki/internal/atomicfile"
	"github.com/kiseki-forensics/kiseki/internal/buildinfo"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Version is this binary's version and revision, recorded in case.json and
// in every audit entry (see internal/buildinfo for how a build sets it).
var Version = buildinfo.Get().Short()

// Case is an open case directory.
type Case struct {
	Dir  string
	Meta CaseMeta
}

// CaseMeta is case.json.
type CaseMeta struct {
	Name     string    `json:"name"`
	Created  time.Time `json:"created"`
	Kiseki   string    `json:"kiseki"`
	Timezone string    `json:"timezone"` // the case zone: for --from/--to and display
	Year     int       `json:"year,omitempty"`
	Bundle   string    `json:"bundle,omitempty"` // absolute path of the bundle last ingested
}

// Paths inside a case directory.
func (c *Case) path(elem ...string) string {
	return filepath.Join(append([]string{c.Dir}, elem...)...)
}

// AuditPath is the append-only audit log.
func (c *Case) AuditPath() string { return c.path(AuditFile) }

// TimelineStore is the merged timeline.
func (c *Case) TimelineStore() timeline.Store { return timeline.Store{Dir: c.path(TimelineDirName)} }

// IndexDir holds the full-text index.
func (c *Case) IndexDir() string { return c.path(IndexDirName) }

// ArtifactsDir holds non-timed findings (memory carving).
func (c *Case) ArtifactsDir() string { return c.path(ArtifactsDirName) }

func (c *Case) runsDir() string { return c.path(RunsDirName) }

// ErrNoCase means the directory is not a Kiseki case.
var ErrNoCase = errors.New("not a Kiseki case directory (no case.json)")

// OpenCase opens an existing case.
func OpenCase(dir string) (*Case, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	c := &Case{Dir: abs}
	b, err := os.ReadFile(c.path(CaseFile))
	if os.IsNotExist(err) {
		return nil, fmt.Errorf("%s: %w", dir, ErrNoCase)
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &c.Meta); err != nil {
		return nil, fmt.Errorf("%s: case.json: %w", dir, err)
	}
	return c, nil
}

// CreateOrOpenCase opens dir as a case, creating it when it does not exist
// or is empty.
func CreateOrOpenCase(dir string, meta CaseMeta) (*Case, error) {
	if c, err := OpenCase(dir); err == nil {
		return c, nil
	} else if !errors.Is(err, ErrNoCase) {
		return nil, err
	}
	// A creation killed before case.json was renamed into place leaves only
	// its temporary file: that directory is still empty of any case.
	if entries, err := os.ReadDir(dir); err == nil {
		for _, e := range entries {
			if !strings.HasPrefix(e.Name(), ".case.json.tmp") && e.Name() != "case.json.tmp" {
				return nil, fmt.Errorf("%s: exists, is not empty and is not a Kiseki case", dir)
			}
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, err
	}
	c := &Case{Dir: abs, Meta: meta}
	c.Meta.Created = time.Now().UTC()
	c.Meta.Kiseki = Version
	if err := c.saveMeta(); err != nil {
		return nil, err
	}
	return c, c.Audit("case-create", nil, map[string]string{"name": meta.Name}, nil)
}

func (c *Case) saveMeta() error { return writeJSONAtomic(c.path(CaseFile), c.Meta) }

// Audit appends an entry to the case's audit log.
func (c *Case) Audit(action string, args []string, result any, hashes map[string]string) error {
	return appendAudit(c.AuditPath(), AuditEntry{Action: action, Args: args, Result: result, Hashes: hashes})
}

// Location returns the case zone.
func (c *Case) Location() *time.Location {
	if c.Meta.Timezone != "" {
		if loc, err := time.LoadLocation(c.Meta.Timezone); err == nil {
			return loc
		}
	}
	return time.UTC
}

// lock takes an exclusive lock on the case for the life of the process: two
// ingests of one case at once would race on its files. The kernel releases
// it when the process dies, so a killed ingest never leaves a stale lock.
func (c *Case) lock() (func(), error) {
	f, err := os.OpenFile(c.path(LockFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := lockFile(f, false); err != nil {
		f.Close()
		if errors.Is(err, errLocked) {
			return nil, fmt.Errorf("case %s is in use by another kiseki process", c.Dir)
		}
		return nil, fmt.Errorf("case %s: lock: %w", c.Dir, err)
	}
	return func() { unlockFile(f); f.Close() }, nil
}

// errLocked: another process holds the lock.
var errLocked = errors.New("locked by another process")

func writeJSONAtomic(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, append(b, '\n'), 0o644)
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// HashFile returns the SHA-256 of a file, reading it once; progress, if set,
// is called with the bytes read. Only a regular file is read (a FIFO would
// block, a device never end).
func HashFile(path string, progress func(n int64)) (string, error) {
	f, err := openEvidence(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil {
		return "", err
	} else if !st.Mode().IsRegular() {
		return "", fmt.Errorf("%s is not a regular file (%s)", path, st.Mode().Type())
	}
	h := sha256.New()
	var w io.Writer = h
	if progress != nil {
		w = progressWriter{h, progress}
	}
	if _, err := io.CopyBuffer(w, f, make([]byte, 1<<20)); err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

type progressWriter struct {
	w  io.Writer
	fn func(int64)
}

func (p progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.fn(int64(n))
	return n, err
}

// CheckOutput refuses a path a command would write (report --out) when it
// would overwrite evidence or the case's own files: inside the case
// directory, inside the bundle last ingested, or the same file as any
// registered evidence file. Symbolic links are resolved first.
func (c *Case) CheckOutput(out string) error {
	real := resolvePath(out)
	within := func(root string) bool {
		r, err := filepath.Rel(resolvePath(root), real)
		return err == nil && filepath.IsLocal(r)
	}
	if within(c.Dir) {
		return &InputError{fmt.Errorf("%s is inside the case directory %s: write it elsewhere", out, c.Dir)}
	}
	if c.Meta.Bundle != "" && within(c.Meta.Bundle) {
		return &InputError{fmt.Errorf("%s is inside the evidence bundle %s, which is never written: write it elsewhere", out, c.Meta.Bundle)}
	}
	reg, err := c.LoadRegistry()
	if err != nil {
		return err
	}
	st, serr := os.Stat(out)
	for _, it := range reg.Items {
		if resolvePath(it.Abs) == real {
			return &InputError{fmt.Errorf("%s is evidence %s: write it elsewhere", out, it.ID)}
		}
		if serr == nil {
			if est, err := os.Stat(it.Abs); err == nil && os.SameFile(st, est) {
				return &InputError{fmt.Errorf("%s is the same file as evidence %s (%s): write it elsewhere", out, it.ID, it.Path)}
			}
		}
	}
	return nil
}

// maxLinkHops bounds the symbolic links followed by resolvePath (the
// kernel's own limit for a path lookup is 40).
const maxLinkHops = 40

// resolvePath makes p absolute and resolves symbolic links in it, a link to
// a file that does not exist yet included (where writing would create it).
func resolvePath(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	for range maxLinkHops {
		st, err := os.Lstat(abs)
		if err != nil || st.Mode()&os.ModeSymlink == 0 {
			break
		}
		t, err := os.Readlink(abs)
		if err != nil {
			break
		}
		if !filepath.IsAbs(t) {
			t = filepath.Join(filepath.Dir(abs), t)
		}
		abs = t
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		return r
	}
	if d, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		return filepath.Join(d, filepath.Base(abs))
	}
	return abs
}
