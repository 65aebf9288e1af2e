// Package syslog parses syslog files as Unix hosts and log servers write
// them: RFC 3164 / traditional lines ("Mar  6 04:07:28 host tag[pid]: msg",
// with or without a <PRI> prefix), rsyslog's high-precision RFC 3339 stamps,
// ChromeOS lines, and RFC 5424 lines.
//
// Traditional lines carry neither a year nor a zone. The zone comes from the
// case (Input.Zone); the year is the manifest's year for the file's first
// line, or else is inferred from the file's modification time, and advances
// when the month steps back by six months or more (December → January), so
// a year boundary inside a file is handled; Years.For has the details.
//
// Format name: "syslog".
package syslog
