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
// names them (Extra "meta", "name", "mode", ...), so that a bodyfile written
// from them reads like TSK's. $UsnJrnl:$J records become "usnjrnl" events.
// Timestomping is tagged on the entry's events with the rule that fired:
// timestomp:si-before-fn, timestomp:zero-subsec,
// timestomp:si-mtime-before-crtime.
package ntfs
