//go:build windows

package atomicfile

// syncDir: Windows cannot open a directory for syncing; NTFS journals the
// rename itself.
func syncDir(string) error { return nil }
