// Package memory reads memory images (format "memory"): raw physical memory
// (.mem .vmem, and .raw .bin by name), LiME (range headers, physical
// addresses kept), AVML (LiME-style headers with snappy framed ranges), ELF
// core files (PT_LOAD segments: gcore, QEMU dump-guest-memory, virsh dump
// --memory-only), Windows crash dumps (full dumps: their physical memory
// runs; bitmap dumps, the default since Windows 8: the pages their bitmap
// marks present; other dump types whole) and hibernation files (carved whole, the
// compressed pages are not decompressed), detected by content.
//
// It also registers the format "strings" (strings.go), which claims with
// the lowest score any binary file no other format recognises: such a file,
// or a disk image with no partition table or file system (package disk),
// is carved as raw memory, and when that finds no event its printable
// strings become events with their offsets, as `strings -a -t d` lists them.
//
// One pass over the image, in chunks scanned in parallel with overlapping
// windows (scan.go), finds text runs in ASCII and UTF-16LE and hands them to
// package carve. Log lines that a registered line format recognises
// (parsers.Format.ParseLine) become timeline events with that format's
// source, the tag "carved", the dump offset and the physical (or virtual)
// address. Bash-history entries become "memory" events too (tags
// "bash-history,carved", action execute): "#EPOCH" then the command, as the
// history file holds them or as bash keeps that file's buffer in memory,
// cut in place into "#EPOCH\0command\0". Everything else found (URLs, addresses, domains, e-mail
// addresses, cards, phone numbers, HTTP headers, commands) goes to the
// artifacts table when the sink handed to Parse implements ArtifactSink, and
// is only counted otherwise.
//
// The image is read through Input.ReaderAt, window by window: it is never
// read whole into memory, and memory use is bounded by the chunk size times
// the number of workers.
package memory
