// Package ntfs is the NTFS file system timeline: it registers the "ntfs"
// parsers.FileSystem that the disk-image format hands NTFS volumes to.
//
// The volume is opened with www.velocidex.com/golang/go-ntfs (boot sector,
// the $MFT stream with its runlists and attribute lists, the $UsnJrnl:$J
// stream). The MFT entries themselves are decoded here, from the raw
// records: go-ntfs turns a FILETIME of 0 into 2185, keys paths by the
// header's record-number field (left 0 by mkntfs in entries 16-23) and its
// ParseMFTFile drops entries without $SI/$FN, so Kiseki applies the fixups,
// reads the attributes and builds its own path map by entry index.
//
// Every MFT entry, allocated or deleted, becomes events: one per nonzero
// $STANDARD_INFORMATION and $FILE_NAME timestamp (TimeDesc si_mtime ...
// fn_crtime), named and numbered as the Sleuth Kit's `fls -r -m` bodyfile
// names them (the typed Event.FS fields: attribute, mode, owner, size), so that a bodyfile written
// from them reads like TSK's. $UsnJrnl:$J records become "usnjrnl" events.
// Where the bodyfile Kiseki's events make differs from fls -r -m + mactime
// (tests explain each case): the root directory and allocated entries that
// no directory names (reserved entries 12-23) are listed too; every
// $FILE_NAME, DOS names included, gets its own "name ($FILE_NAME)" line
// with its own times (fls prints the last non-DOS one under every hard
// link); a FILETIME of 0 stays 0 (fls prints 2076-11-29); the uid is 0 where
// $SI has no owner id (fls reads past the 48-byte $SI); TSK's virtual
// /$OrphanFiles directory has no line. Orphans, whose parent entry was
// reused, have Path "<orphan>/name" and TSK's name "/$OrphanFiles/name".
//
// Timestomping is tagged on the entry's events with the rule that fired:
// timestomp:si-before-fn, timestomp:zero-subsec,
// timestomp:si-mtime-before-crtime.
package ntfs
