// Package vdisk undoes the containers of virtual machine disks so that the
// disk-image format can read the media inside them: QCOW2 (versions 2 and
// 3), VHD (fixed and dynamic), VHDX (through
// github.com/Velocidex/go-vhdx) and VMDK sparse extents (monolithicSparse
// and streamOptimized, the hosted sparse format with or without compressed
// grains).
//
// Open returns an io.ReaderAt over the virtual disk, which then goes
// through partition detection like a raw image. Unallocated clusters,
// blocks and grains read as zeros. The readers decode the tables
// themselves (QCOW2 L1/L2 tables, VHD block allocation table, VMDK grain
// directory and tables), check every offset against the file size before
// reading, and never write.
//
// Opened with OpenFile, a differencing VHD reads its parent for the sectors
// its bitmaps do not mark, and a QCOW2 overlay its backing file for the
// clusters it never wrote, each found by the name it records in the file's
// directory. Refused, with an error naming the file and what is missing:
// images that need another file that is not there (a QCOW2 backing file, a
// VHD's parent), a QCOW2 external data file, a differencing VHDX, a VMDK
// descriptor whose extents are separate files, encrypted QCOW2 images, and
// QCOW2 extended L2 entries. QCOW2
// internal snapshots are not read: the active L1 table is.
package vdisk
