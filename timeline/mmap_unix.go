//go:build unix

package timeline

import (
	"os"
	"syscall"
)

// mapFile maps size bytes of f read-only; unmap releases the mapping. The
// mapping outlives f's descriptor.
func mapFile(f *os.File, size int) (data []byte, unmap func(), err error) {
	data, err = syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	return data, func() { syscall.Munmap(data) }, nil
}
