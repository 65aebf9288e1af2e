//go:build unix

package cli_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// SIGTERM stops a running ingest with exit 1 and frees the case lock; the
// next ingest resumes and completes.
func TestSIGTERMReleasesLock(t *testing.T) {
	bundle := bigBundle(t, 4, 15000)
	caseDir := filepath.Join(t.TempDir(), "case")
	cmd := command("ingest", bundle, "--case", caseDir, "-q")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second) // a guard against a hang, not a measurement
	for !exists(filepath.Join(caseDir, "evidence.json")) && time.Now().Before(deadline) && !exited(cmd) {
		time.Sleep(2 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if err == nil {
		t.Skip("the ingest finished before the signal")
	}
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("ingest after SIGTERM: %v, want exit status 1", err)
	}
	f, err := os.OpenFile(filepath.Join(caseDir, "lock"), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatalf("case lock still held after SIGTERM: %v", err)
	}
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	if res := ingest(t, bundle, caseDir); res.Events != 60000 {
		t.Errorf("resumed ingest: %d events, want 60000", res.Events)
	}
}
