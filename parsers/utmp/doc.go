// Package utmp parses the binary login records of Unix systems: utmp (who
// is logged in), wtmp (login history) and btmp (failed logins), as
// glibc's struct utmp lays them out:
//
//	384 bytes  x86_64, i386, and other 32-bit-time layouts (little or big endian)
//	400 bytes  aarch64, s390x, ppc64 and others with 64-bit ut_session / ut_tv
//	628 bytes  macOS utmpx (/var/run/utmpx), with its "utmpx-1.00" signature record
//
// The layout is not written in the file: every candidate is tried on the
// first records and scored for plausibility (record type 0-9, pid range,
// a time between 1980 and 2100 or zero, NUL-padded printable strings, file
// size a multiple of the record size); the best one wins and is recorded on
// each event (Extra "layout").
//
// Each record is an event at ut_tv (seconds and microseconds, UTC) with the
// record's offset as its reference: USER_PROCESS is login-success (in a
// btmp file, USER_PROCESS and LOGIN_PROCESS are login-failure), DEAD_PROCESS
// is logout; BOOT_TIME, RUN_LVL, NEW_TIME/OLD_TIME, INIT_PROCESS,
// LOGIN_PROCESS (a getty waiting) and EMPTY records are events without an
// action, their type in Extra "type". User, line, id, host, pid, exit
// status and session are kept; ut_addr_v6 gives SrcIP (an IPv4 address in
// the first word, else IPv6), or ut_host when it is an address.
//
// A record whose type is out of range, or a partial record at the end of
// the file, is reported with in.Problemf naming its offset and kept as an
// unparsed event with its raw bytes; the walk goes on with the next record.
//
// Format name and event source: "utmp".
package utmp
