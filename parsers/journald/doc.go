// Package journald reads systemd journal files (*.journal, system@....journal
// archives, user-UID.journal) into timeline events: one event per entry
// object, at its __REALTIME_TIMESTAMP (UTC, microseconds), with MESSAGE as
// the message and the fields an investigator reads first in extra
// (SYSLOG_IDENTIFIER, _PID, _UID, _COMM, _EXE, _CMDLINE, _SYSTEMD_UNIT,
// _HOSTNAME, _TRANSPORT, PRIORITY, _BOOT_ID, the seqnum). Entries of
// authentication programs (sshd, sudo, su, systemd-logind, PAM) are read as
// their auth.log lines are (authlog.Message) and become "auth" events when
// that finds a user, address or action in them.
//
// The format is decoded here from systemd's "Journal File Format"
// description: the header, then every object of the arena in file order;
// entry objects list their data objects (regular 16-byte or compact 4-byte
// items), data objects hold FIELD=value, compressed with XZ, LZ4 or ZSTD
// when their flag says so. github.com/Velocidex/go-journalctl was
// considered: it does not decompress data objects (the XZ and ZSTD journals
// of the corpus come out as compressed bytes) and walks the file in a
// goroutine of its own where a panic cannot be recovered, so the few
// structures needed are read here, every offset and size checked against
// the file.
//
// A journal given compressed (.journal.xz) is read into memory, up to
// maxJournal bytes.
//
// Format name and source: "journald".
package journald
