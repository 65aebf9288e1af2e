// Package ext4 reads ext2, ext3 and ext4 file systems into timeline events:
// every inode of every block group, allocated or not, with its full path from
// the directory tree (linear and htree directories, extents and block maps),
// names of deleted files recovered from directory entries and from the slack
// of directory blocks, and older copies of inodes kept in the jbd2 journal.
//
// The package decodes the on-disk structures itself (superblock, group
// descriptors, inode bitmaps, inodes, extent trees, block maps, directory
// blocks, journal). It reads through an io.ReaderAt and never writes. Names and
// modes are printed the way the Sleuth Kit's `fls -r -m` prints them, so that a
// bodyfile made from these events lines up with one made by the Sleuth Kit;
// docs/ext4.md describes what is read and where the output differs.
//
// Inodes whose mtime or atime looks set back are tagged timestomp:<rule> on
// all their events, and timestomp:untrusted on the contradicted mtime/atime
// events (stomp.go; docs/ext4.md "Timestomp evidence").
//
// It registers the file system "ext4" with parsers.RegisterFileSystem: the
// disk-image layer calls Detect and Parse with a parsers.Volume.
package ext4
