// Package linux parses the Linux host artifacts that preserved servers hold
// besides syslog, auth logs, utmp and shell histories (which have their own
// packages):
//
//   - "auditd": the Linux audit log (/var/log/audit/audit.log), raw and
//     "enriched" (resolved names after a 0x1D byte); one event per record
//     with the record type, serial, process fields, and the user, address,
//     command and result of user-space messages (msg='...').
//   - "dpkg": /var/log/dpkg.log, one event per line (install, upgrade,
//     remove, purge, configure, status, conffile, trigproc, startup).
//   - "apt-history": /var/log/apt/history.log, one event per
//     Start-Date/End-Date block with the command line, requester and the
//     package lists.
//   - "docker-json": Docker's json-file container logs
//     (/var/lib/docker/containers/ID/ID-json.log), one event per record
//     with its stream and the container id from the path.
//
// Times without a zone (dpkg, apt) are read in the case zone (Input.Zone);
// audit and Docker times are UTC epochs or RFC 3339.
package linux
