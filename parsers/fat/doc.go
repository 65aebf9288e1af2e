// Package fat reads FAT12, FAT16, FAT32 and exFAT file systems into
// timeline events. It registers the file systems "fat" and "exfat" with
// parsers.RegisterFileSystem: the disk-image layer hands it volumes (bare,
// or partitions of a raw, E01 or virtual machine disk).
//
// The package decodes the structures itself (boot sector, FAT, directory
// clusters; exFAT directory entry sets): Velocidex/go-fat lists neither
// deleted entries nor exFAT, and keeps no entry offsets. Every directory
// entry, allocated or deleted (FAT 0xE5, exFAT in-use bit clear), becomes
// one event per nonzero time: mtime (write), atime (FAT: access date at
// local midnight) and crtime (creation, with the 10 ms field). Long file
// names (VFAT LFN, exFAT name entries) are assembled, the NT lowercase flags
// applied, and deleted directories are followed when their first cluster
// still starts with a "." entry. Names, meta addresses and modes are those
// of the Sleuth Kit's `fls -r -m` (a deleted short name's lost first
// character is '_'; meta addresses count 32-byte entry slots from the first
// data sector, plus 3), so a bodyfile made from these events lines up with
// TSK's.
//
// FAT times are local times without a zone: they are read in the zone the
// case manifest gives the evidence (Input.Zone; UTC when it gives none), never
// the machine's, and the zone is recorded on every event. exFAT times that
// carry a valid UTC offset use it.
package fat
