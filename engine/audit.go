package engine

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/user"
	"path/filepath"
	"time"

	"github.com/kiseki-forensics/kiseki/internal/atomicfile"
)

// AuditEntry is one line of the audit log. Prev is the SHA-256 of the
// previous line, so removing or editing a line breaks the chain visibly.
type AuditEntry struct {
	Time    time.Time `json:"time"`
	User    string    `json:"user"`
	Machine string    `json:"machine"`
	Action  string    `json:"action"`
	// Kiseki is the version and revision that wrote the entry (entries
	// written before it was recorded have none and still verify: the chain
	// hashes each line's bytes as written).
	Kiseki string            `json:"kiseki,omitempty"`
	Args   []string          `json:"args,omitempty"`
	Result any               `json:"result,omitempty"`
	Hashes map[string]string `json:"hashes,omitempty"` // evidence id → SHA-256
	Prev   string            `json:"prev"`
}

func currentUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return os.Getenv("USER")
}

// auditAnchor is the chain's head kept in a second place (audit.head beside
// the log), rewritten with every entry: removing the last lines of the log,
// or rewriting the whole chain, leaves a log that no longer ends where the
// anchor says.
type auditAnchor struct {
	Lines int    `json:"lines"` // lines in the log
	Head  string `json:"head"`  // SHA-256 of its last line
	// Adopted is how many lines the log had when its anchor was first
	// written (a case older than anchors); 0 for a case anchored from its
	// first entry.
	Adopted int `json:"adopted,omitempty"`
}

func anchorPath(auditPath string) string { return filepath.Join(filepath.Dir(auditPath), "audit.head") }

// appendAudit adds an entry to the case's audit log under an exclusive lock,
// syncs it, and moves the anchor forward. An anchor that does not match
// the log (lines removed or rewritten) is left as it is, so the mismatch
// stays visible to kiseki verify.
func appendAudit(path string, e AuditEntry) (err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	if err := lockFile(f, true); err != nil {
		return fmt.Errorf("%s: lock: %w", path, err)
	}
	defer unlockFile(f)
	lines, prev, err := chainState(path)
	if err != nil {
		return err
	}
	anchor, keep, err := nextAnchor(path, lines, prev)
	if err != nil {
		return err
	}
	e.Prev = prev
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	if e.User == "" {
		e.User = currentUser()
	}
	if e.Machine == "" {
		e.Machine, _ = os.Hostname()
	}
	if e.Kiseki == "" {
		e.Kiseki = Version
	}
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if !keep {
		return nil
	}
	anchor.Lines, anchor.Head = lines+1, sha256Hex(b)
	ab, err := json.Marshal(anchor)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(anchorPath(path), append(ab, '\n'), 0o644)
}

// nextAnchor reads the anchor and says whether it matches the log as it is
// (then it moves forward with the new entry). A log without an anchor
// adopts one, noting how many lines it had.
func nextAnchor(path string, lines int, head string) (auditAnchor, bool, error) {
	var a auditAnchor
	err := readJSON(anchorPath(path), &a)
	switch {
	case os.IsNotExist(err):
		return auditAnchor{Adopted: lines}, true, nil
	case err != nil:
		return a, false, fmt.Errorf("%s: %w", anchorPath(path), err)
	}
	return a, a.Lines == lines && a.Head == head, nil
}

// chainState counts the log's lines and hashes its last one.
func chainState(path string) (int, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	var last []byte
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		last = append(last[:0], sc.Bytes()...)
		n++
	}
	if err := sc.Err(); err != nil {
		return 0, "", fmt.Errorf("%s: %w", path, err)
	}
	if len(last) == 0 {
		return n, "", nil
	}
	return n, sha256Hex(last), nil
}

// sha256Hex is the chain's link: the SHA-256 of a line's bytes, in hex.
func sha256Hex[T string | []byte](line T) string {
	sum := sha256.Sum256([]byte(line))
	return hex.EncodeToString(sum[:])
}

// VerifyAuditChain checks that every line's prev matches the line before it.
// It returns the 1-based number of the first broken line, or 0.
func VerifyAuditChain(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	prev := ""
	for i, line := range bytes.Split(bytes.TrimRight(b, "\n"), []byte{'\n'}) {
		var e AuditEntry
		if err := json.Unmarshal(line, &e); err != nil || e.Prev != prev {
			return i + 1, nil
		}
		prev = sha256Hex(line)
	}
	return 0, nil
}

// AuditCheck is what kiseki verify says of the audit log.
type AuditCheck struct {
	Lines    int `json:"lines"`
	BrokenAt int `json:"chain_broken_at_line"` // 0: the chain is intact
	// Anchor is "ok", "mismatch" (lines removed or the chain rewritten since
	// the anchor was written) or "missing".
	Anchor       string `json:"anchor"`
	AnchorLines  int    `json:"anchor_lines"`
	AnchorAdopts int    `json:"anchor_adopted_at_line,omitempty"` // a case older than anchors
}

// OK reports whether the chain is intact and ends where its anchor says.
func (a *AuditCheck) OK() bool { return a.BrokenAt == 0 && a.Anchor == "ok" }

// CheckAudit verifies the chain and its anchor.
func CheckAudit(path string) (*AuditCheck, error) {
	broken, err := VerifyAuditChain(path)
	if err != nil {
		return nil, err
	}
	lines, head, err := chainState(path)
	if err != nil {
		return nil, err
	}
	res := &AuditCheck{Lines: lines, BrokenAt: broken, Anchor: "ok"}
	var a auditAnchor
	switch err := readJSON(anchorPath(path), &a); {
	case os.IsNotExist(err):
		res.Anchor = "missing"
	case err != nil:
		return nil, fmt.Errorf("%s: %w", anchorPath(path), err)
	case a.Lines != lines || a.Head != head:
		res.Anchor, res.AnchorLines = "mismatch", a.Lines
	default:
		res.AnchorLines, res.AnchorAdopts = a.Lines, a.Adopted
	}
	return res, nil
}

// auditRecords reads what the chain recorded: the SHA-256 of each evidence
// id at registration, and the timeline manifest of the last ingest.
func auditRecords(path string) (hashes map[string]string, manifest string, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	hashes = map[string]string{}
	for _, line := range bytes.Split(bytes.TrimRight(b, "\n"), []byte{'\n'}) {
		var e struct {
			Action string            `json:"action"`
			Result json.RawMessage   `json:"result"`
			Hashes map[string]string `json:"hashes"`
		}
		if json.Unmarshal(line, &e) != nil {
			continue // VerifyAuditChain names the line
		}
		switch e.Action {
		case "register":
			maps.Copy(hashes, e.Hashes)
		case "ingest-done":
			var r struct {
				Manifest string `json:"timeline_manifest"`
			}
			if json.Unmarshal(e.Result, &r) == nil && r.Manifest != "" {
				manifest = r.Manifest
			}
		}
	}
	return hashes, manifest, nil
}
