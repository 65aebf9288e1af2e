package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
)

// WriteFile replaces path with data (mode perm for a new file).
func WriteFile(path string, data []byte, perm os.FileMode) error {
	return Write(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// Write replaces path with what fill writes. On any error the old file is
// left as it was and the temporary file is removed.
func Write(path string, perm os.FileMode, fill func(w io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	err = fill(f)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return errors.Join(err, removeQuiet(tmp))
	}
	return Rename(tmp, path)
}

// Rename moves a finished file or directory from tmp to path, replacing a
// file of that name, and syncs the parent directories of both so the move
// is on disk when it returns. The caller has synced tmp's content.
func Rename(tmp, path string) error {
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	if err := SyncDir(filepath.Dir(path)); err != nil {
		return err
	}
	if d := filepath.Dir(tmp); d != filepath.Dir(path) {
		return SyncDir(d)
	}
	return nil
}

// SyncDir flushes a directory's entries (new, renamed and removed names) to
// disk. Where directories cannot be synced (Windows) it does nothing.
func SyncDir(dir string) error { return syncDir(dir) }

// SyncFile flushes a finished file's content to disk (for files written by
// other means than Write, before Rename).
func SyncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func removeQuiet(path string) error {
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return err
	}
	return nil
}
