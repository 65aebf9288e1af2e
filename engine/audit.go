package engine

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/user"
	"time"
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

// appendAudit adds an entry to the case's audit log under an exclusive lock.
func appendAudit(path string, e AuditEntry) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := lockFile(f, true); err != nil {
		return fmt.Errorf("%s: lock: %w", path, err)
	}
	defer unlockFile(f)
	prev, err := lastLineHash(path)
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
	_, err = f.Write(append(b, '\n'))
	return err
}

func lastLineHash(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var last []byte
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		last = append(last[:0], sc.Bytes()...)
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	if len(last) == 0 {
		return "", nil
	}
	return sha256Hex(last), nil
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
