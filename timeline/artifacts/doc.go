// Package artifacts stores the non-timed findings carved from evidence (URLs,
// addresses, domains, e-mail addresses, card and phone numbers, HTTP headers,
// shell commands) as an Arrow IPC file beside the timeline, and reads them
// back: counts per distinct value (for leak counts) and the matches of one
// value (for search and scope).
//
// On disk: one Arrow IPC file per writer, schema Schema, record batches of
// up to BatchRows rows. Columns:
//
//	evidence   utf8                      evidence id in the case registry
//	ref_path   utf8                      reference path inside the evidence item
//	offset     int64                     byte offset in the evidence file
//	phys_addr  int64, null when unknown  physical address (memory images)
//	virt_addr  int64, null when unknown  virtual address (process core files)
//	kind       dictionary<int8, utf8>    one of Kinds
//	value      utf8                      the value as found (not masked)
//	context    utf8                      a short printable-escaped excerpt
//	encoding   dictionary<int8, utf8>    ascii or utf16le
//
// The kind and encoding dictionaries are fixed (Kinds, Encodings), so every
// batch shares them, as the IPC file format requires. Values are stored
// unmasked: the layers that print them (leak counts, reports) mask on output.
// HTTP Cookie and Authorization header values are masked before they get
// here, by the carver.
package artifacts
