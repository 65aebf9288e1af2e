// Package devlog holds what the parsers of device and host logs (Cisco,
// Juniper, netfilter and friends, auth.log, bash history) share: the per-file
// parse loop with year inference and unparsed-line keeping, device clock
// stamps that may lack a year or a zone ("*Mar  1 00:00:01.123:",
// "Mar 11 2026 10:00:00 UTC"), tolerant syslog headers, and allocation-free
// field helpers (key=value scanning, address/port splitting).
//
// Byte slices and strings it returns point into the caller's line and are
// valid only until the next line is read.
package devlog
