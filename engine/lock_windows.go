//go:build windows

package engine

import (
	"errors"
	"os"
	"unsafe"

	"golang.org/x/sys/windows"
)

// lockRange is the byte range LockFileEx locks: the whole file and beyond
// (Windows locks ranges, not files; every caller locks the same range).
const lockRange = ^uint32(0)

// lockFile takes an exclusive lock on f (LockFileEx). With wait false it
// fails at once with errLocked when another process holds it. Windows
// drops the lock when the process dies.
func lockFile(f *os.File, wait bool) error {
	flags := uint32(windows.LOCKFILE_EXCLUSIVE_LOCK)
	if !wait {
		flags |= windows.LOCKFILE_FAIL_IMMEDIATELY
	}
	err := windows.LockFileEx(windows.Handle(f.Fd()), flags, 0, lockRange, lockRange, new(windows.Overlapped))
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
		return errLocked
	}
	return err
}

// unlockFile releases lockFile's lock.
func unlockFile(f *os.File) error {
	return windows.UnlockFileEx(windows.Handle(f.Fd()), 0, lockRange, lockRange, new(windows.Overlapped))
}

// openEvidence opens an evidence file read-only.
func openEvidence(path string) (*os.File, error) { return os.Open(path) }

// stampOf is what a write to f changes (Windows has no ctime to read here:
// size and mtime, and the change time of the file's basic information).
func stampOf(f *os.File) (fileStamp, error) {
	var fi fileBasicInfo
	if err := windows.GetFileInformationByHandleEx(windows.Handle(f.Fd()), windows.FileBasicInfo, (*byte)(unsafe.Pointer(&fi)), uint32(unsafe.Sizeof(fi))); err != nil {
		return fileStamp{}, err
	}
	st, err := f.Stat()
	if err != nil {
		return fileStamp{}, err
	}
	return fileStamp{size: st.Size(), mtime: fi.LastWriteTime, ctime: fi.ChangeTime}, nil
}

// fileBasicInfo is FILE_BASIC_INFO (times in 100 ns since 1601).
type fileBasicInfo struct {
	CreationTime, LastAccessTime, LastWriteTime, ChangeTime int64
	FileAttributes                                          uint32
	_                                                       uint32
}
