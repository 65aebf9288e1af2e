package engine

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestCaseLock: a second lock on a case fails at once with a message,
// and the case is free again after unlock.
func TestCaseLock(t *testing.T) {
	c, err := CreateOrOpenCase(filepath.Join(t.TempDir(), "c"), CaseMeta{Name: "l"})
	if err != nil {
		t.Fatal(err)
	}
	unlock, err := c.lock()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.lock(); err == nil || !strings.Contains(err.Error(), "in use by another kiseki process") {
		t.Errorf("second lock: %v, want in use", err)
	}
	unlock()
	again, err := c.lock()
	if err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	again()
}
