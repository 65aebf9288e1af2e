// Package xfs reads XFS file systems (version 4 and 5 superblocks, the
// default of RHEL-family servers) into timeline events. It registers the
// file system "xfs" with parsers.RegisterFileSystem: the disk-image layer
// hands it volumes (bare, or partitions of a raw, E01 or virtual machine
// disk).
//
// The package decodes the on-disk structures itself, big-endian as XFS
// writes them: the superblock, each allocation group's AGI and inode B+tree
// (sparse inode chunks included), inode cores (legacy and bigtime
// timestamps, v3 creation times, 64-bit extent counters), data forks in
// extent and B+tree (bmbt) form, and directories in short form, block, leaf
// and node form. Every inode the inode B+trees list becomes one event per
// nonzero time (mtime, atime, ctime, crtime) under every name the directory
// tree gives it; allocated inodes that no directory names are
// "<inode N>", and freed inodes whose core still holds times are
// "/$OrphanFiles/OrphanFile-N" (Path "<deleted inode N>"), as package ext4
// names them. Names of deleted entries are recovered from the free regions
// of directory data blocks, where XFS overwrites only the first four bytes
// (the high half of the inode number) of the old entry.
//
// The Sleuth Kit 4.11 does not read XFS; tests cross-check names, inode
// numbers and times with xfs_db (xfsprogs) on images made by mkfs.xfs.
package xfs
