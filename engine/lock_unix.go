//go:build unix

package engine

import (
	"errors"
	"os"
	"syscall"
)

// lockFile takes an exclusive advisory lock on f (flock(2)). With wait
// false it fails at once with errLocked when another process holds it. The
// kernel drops the lock when the process dies.
func lockFile(f *os.File, wait bool) error {
	how := syscall.LOCK_EX
	if !wait {
		how |= syscall.LOCK_NB
	}
	err := syscall.Flock(int(f.Fd()), how)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return errLocked
	}
	return err
}

// unlockFile releases lockFile's lock.
func unlockFile(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
