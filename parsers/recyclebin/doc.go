// Package recyclebin parses the $I records of the Windows Recycle Bin
// ($Recycle.Bin\<SID>\$I??????.ext, Vista and later): each one says which
// file was deleted, from where, how large it was and when. The deleted
// file's content is the $R file of the same suffix beside it.
//
//	version 1 (Vista to 8.1): version (8), size (8), deletion FILETIME (8),
//	                          path (260 UTF-16 characters, NUL padded): 544 bytes
//	version 2 (10 and later): version (8), size (8), deletion FILETIME (8),
//	                          path length in characters (4), path (UTF-16, NUL ended)
//
// Detection is by content (a version of 1 or 2, a file size that fits the
// version, a deletion time between 1990 and 2100 and a path that starts
// with a drive letter or \\): records found inside a file system under any
// name are claimed. A file named $I... with the right size and version
// scores higher.
//
// One event per record: Time the deletion (TimeDesc "dtime"), action
// delete, Path the original path, Bytes the original size; Extras
// "recycle_version" and, when the record's name is known, "content_file"
// (the $R name). Offset 16 (the deletion time's position).
//
// Format name and event source: "recyclebin" (class host-artifact).
package recyclebin
