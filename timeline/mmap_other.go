//go:build !unix

package timeline

import (
	"io"
	"os"
)

// mapFile reads size bytes of f into memory. On systems without mmap(2)
// (Windows) a segment is read whole instead of mapped: the results are the
// same, and a scan then costs the segment's size in memory rather than
// the pages of the columns it reads. (A CreateFileMapping version would
// restore the paging; it is not written because it could not be tested
// here.)
func mapFile(f *os.File, size int) (data []byte, unmap func(), err error) {
	data = make([]byte, size)
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, nil, err
	}
	return data, func() {}, nil
}
