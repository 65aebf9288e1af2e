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
// A differencing VHD opened with OpenFile reads its parent, found by the
// name it records in the file's directory, for the sectors its bitmaps do
// not mark. Refused, with an error naming the file and what is missing:
// images that need another file (a QCOW2 backing file or external data
// file, a differencing VHDX, a VMDK descriptor whose extents are separate
// files, a VHD whose parent is not beside it), encrypted QCOW2 images, and
// QCOW2 extended L2 entries. QCOW2
// internal snapshots are not read: the active L1 table is.
package vdisk
