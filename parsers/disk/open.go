package disk

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/kiseki-forensics/kiseki/parsers"
)

// Image is an opened disk image: its decoded bytes (E01 chunks
// decompressed, split parts joined), for reading back what an event's
// reference points at.
type Image struct {
	R    io.ReaderAt
	Size int64
	img  *image
}

// OpenImage opens the parts of an image (one raw file, the parts of a split
// raw image, or the segments of an E01) read-only.
func OpenImage(parts []string) (*Image, error) {
	if len(parts) == 0 {
		return nil, fmt.Errorf("disk-image: no parts to open")
	}
	in := &parsers.Input{Name: parts[0], Parts: parts}
	var f *os.File
	if len(parts) == 1 {
		var err error
		if f, err = os.Open(parts[0]); err != nil { // read-only
			return nil, err
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, err
		}
		in.ReaderAt, in.Size = f, st.Size()
	}
	img, err := openImage(in)
	if err != nil {
		if f != nil {
			f.Close()
		}
		return nil, fmt.Errorf("%s: %w", parts[0], err)
	}
	if f != nil {
		inner := img.closer
		img.closer = func() { inner(); f.Close() }
	}
	return &Image{R: img.r, Size: img.size, img: img}, nil
}

// Close releases the image's files.
func (im *Image) Close() { im.img.closer() }

// SplitRef splits an event's reference path into the partition it names
// after the image's name ("#p<N>"; 0 for a bare file system) and what
// follows (a path inside the file system, when the reference points into a
// file), as Parse writes them.
func SplitRef(image, refPath string) (partition int, rest string, err error) {
	after, ok := strings.CutPrefix(refPath, image)
	if !ok {
		return 0, "", fmt.Errorf("reference %q is not inside image %q", refPath, image)
	}
	digits, ok := strings.CutPrefix(after, "#p")
	if !ok {
		return 0, after, nil
	}
	j := 0
	for j < len(digits) && digits[j] >= '0' && digits[j] <= '9' {
		j++
	}
	n, err := strconv.Atoi(digits[:j])
	if err != nil || n <= 0 {
		return 0, "", fmt.Errorf("reference %q: bad partition number %q", refPath, digits[:j])
	}
	return n, digits[j:], nil
}

// Partition returns partition n of the image (0: the whole image, a bare
// file system) as its byte range.
func (im *Image) Partition(n int) (start, length int64, err error) {
	if n == 0 {
		return 0, im.Size, nil
	}
	for _, p := range readTable(im.R, im.Size).Parts {
		if p.Num == n {
			return p.Start, min(p.Length, im.Size-p.Start), nil
		}
	}
	return 0, 0, fmt.Errorf("partition p%d: not in the image's partition table", n)
}
