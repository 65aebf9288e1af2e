package engine

import (
	"fmt"
	"os"
	"sort"
	"time"
)

// EvidenceRecord is one registered evidence file.
type EvidenceRecord struct {
	ID         string    `json:"id"`
	Path       string    `json:"path"` // relative to the bundle, slash-separated
	Abs        string    `json:"abs"`  // where it was read from
	Size       int64     `json:"size"`
	SHA256     string    `json:"sha256"`
	ModTime    time.Time `json:"mtime"`
	Registered time.Time `json:"registered"`
	Host       string    `json:"host,omitempty"`
	Format     string    `json:"format,omitempty"` // detected or given; set after parsing
	// Normalisation is what ingest applied to its times (set after parsing).
	Normalisation *Normalisation `json:"normalisation,omitempty"`
}

// Registry is the case's evidence registry (evidence.json).
type Registry struct {
	Items []EvidenceRecord `json:"items"`
}

func (c *Case) registryPath() string { return c.path(EvidenceFile) }

// LoadRegistry reads the registry; a new case has an empty one.
func (c *Case) LoadRegistry() (*Registry, error) {
	var r Registry
	err := readJSON(c.registryPath(), &r)
	if os.IsNotExist(err) {
		return &r, nil
	}
	if err != nil {
		return nil, fmt.Errorf("evidence registry: %w", err)
	}
	return &r, nil
}

func (c *Case) saveRegistry(r *Registry) error {
	sort.Slice(r.Items, func(i, j int) bool { return r.Items[i].ID < r.Items[j].ID })
	return writeJSONAtomic(c.registryPath(), r)
}

// ByPath returns the record for a bundle-relative path.
func (r *Registry) ByPath(rel string) *EvidenceRecord {
	for i := range r.Items {
		if r.Items[i].Path == rel {
			return &r.Items[i]
		}
	}
	return nil
}

// ByID returns the record with an id.
func (r *Registry) ByID(id string) *EvidenceRecord {
	for i := range r.Items {
		if r.Items[i].ID == id {
			return &r.Items[i]
		}
	}
	return nil
}

func (r *Registry) nextID() string {
	return fmt.Sprintf("E%04d", len(r.Items)+1)
}

// VerifyResult is the outcome of re-hashing one evidence file.
type VerifyResult struct {
	ID       string `json:"evidence"`
	Path     string `json:"path"`
	Expected string `json:"sha256"`
	Actual   string `json:"actual,omitempty"`
	// Audited is the SHA-256 the audit log recorded at registration: the
	// file is compared with it, and evidence.json must agree with it.
	Audited string `json:"audited_sha256,omitempty"`
	// Status: ok, mismatch (the file changed), missing, unhashed (its
	// ingest never finished), registry-edited (evidence.json disagrees
	// with the audit log), unaudited (no registration in the audit log).
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
}

// Verify re-hashes every registered evidence file (Rehash) and records it
// in the audit log.
func (c *Case) Verify(bundleDir string, progress func(int64)) ([]VerifyResult, error) {
	out, err := c.Rehash(bundleDir, progress)
	if err != nil {
		return nil, err
	}
	hashes := map[string]string{}
	bad := 0
	for _, r := range out {
		hashes[r.ID] = r.Actual
		if r.Status != "ok" {
			bad++
		}
	}
	err = c.Audit("verify", nil, map[string]int{"items": len(out), "failed": bad}, hashes)
	return out, err
}

// Rehash re-hashes every registered evidence file and compares it with the
// registry, writing nothing. bundleDir, if set, is where relative paths are
// resolved (the bundle may have moved).
func (c *Case) Rehash(bundleDir string, progress func(int64)) ([]VerifyResult, error) {
	reg, err := c.LoadRegistry()
	if err != nil {
		return nil, err
	}
	audited, _, err := auditRecords(c.AuditPath())
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	var out []VerifyResult
	for _, it := range reg.Items {
		path := it.Abs
		if bundleDir != "" {
			path = bundleDir + "/" + it.Path
		}
		res := VerifyResult{ID: it.ID, Path: it.Path, Expected: it.SHA256, Audited: audited[it.ID]}
		sum, err := HashFile(path, progress)
		switch {
		case it.SHA256 == "":
			res.Status, res.Error = "unhashed", "not hashed yet: the ingest that registered it did not finish parsing it"
		case res.Audited == "":
			res.Status, res.Actual, res.Error = "unaudited", sum, "the audit log records no registration of this file"
		case res.Audited != it.SHA256:
			res.Status, res.Actual, res.Error = "registry-edited", sum, "evidence.json says "+it.SHA256+", the audit log recorded "+res.Audited+" at registration"
		case err != nil:
			res.Status, res.Error = "missing", err.Error()
		case sum != it.SHA256:
			res.Status, res.Actual = "mismatch", sum
		default:
			res.Status, res.Actual = "ok", sum
		}
		out = append(out, res)
	}
	return out, nil
}
