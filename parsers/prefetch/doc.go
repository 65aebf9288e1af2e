// Package prefetch parses Windows prefetch files (.pf): format versions 17
// (XP, 2003), 23 (Vista, 7), 26 (8, 8.1), 30 and 31 (10, 11; compressed
// with LZXPRESS Huffman behind a "MAM\x04" header), recognised by their
// "SCCA" signature or MAM header, not by name. Structure, file list and
// decompression come from www.velocidex.com/golang/go-prefetch; the run
// times are read here from the raw FILETIMEs, at 100 ns (the library keeps
// whole seconds).
//
// Each stored run time is an event (action execute): the last run with
// TimeDesc "last_run", earlier ones (versions 26 and up keep eight)
// "previous_run". Path is the executable's full path where the file gives
// it (version 30+), else the file-list entry ending in the executable's
// name, else the name alone. Extras: executable, run_count, hash,
// prefetch_version, run_index (0 = last), files (count of files loaded in
// the first ten seconds) and, on the last-run event, files_loaded (the
// list, one per line); volume_path, volume_serial and volume_created for
// the first volume.
//
// Reference: Offset is the run time's byte offset in the SCCA data, i.e.
// after decompression for MAM files (Extra "compressed" is then "true").
//
// Format name and event source: "prefetch" (class host-artifact).
package prefetch
