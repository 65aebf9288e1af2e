// Package disk is the container and volume layer for whole-disk evidence:
// the "disk-image" format.
//
// It reaches the bytes of an image (raw/dd, split raw .000/.001/.aa, E01
// and split E01 through github.com/Velocidex/go-ewf), serves them through an
// io.ReaderAt with page-aligned cached reads, reads the partition table (MBR
// with extended/logical partitions, GPT, or none for a bare file system) and
// hands every partition that holds a registered file system
// (parsers.FileSystems) to that file system's parser as a parsers.Volume
// whose RefPath is the image name plus "#p<N>".
//
// What is extracted from a file system lives in the file system's own
// package (parsers/ntfs, parsers/ext4); this package only knows how bytes are
// reached, as Velociraptor's accessors do. Partitions it cannot read
// (unknown file system, empty, pointing past the end of the image) are
// reported through Input.Problemf with their offset, never skipped silently.
// Evidence is only ever opened read-only.
package disk
