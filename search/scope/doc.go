// Package scope answers "what did the intruder do, and when" — and, as
// important, what only looks like it. From indicators (addresses, CIDR
// blocks, domains, user names, file paths, URL paths) it expands round by
// round up to a depth (default 2), each round a few passes over the
// timeline's Arrow columns (search.Scan), one file per rule family:
//
//   - mentions.go: rows that mention a seed, or request a path the seeds
//     only ever failed on (their probes);
//   - activity.go: the rows of the hosts the seeds reached — their file
//     system since then, their firewall and login rows all the time (what
//     a host did before the first seed activity is its baseline);
//   - compromise.go: a host is compromised at the intruder's first
//     successful action: an upload whose file is then requested, a request
//     of a file born after the intrusion began, a login new against the
//     baseline from a seed or a compromised host;
//   - decide_web.go, decide_login.go, decide_net.go, decide_files.go: the
//     intruder's requests, logins, new destinations (C2, exfiltration,
//     lateral movement, scans) and the file changes tied to them (their
//     uploads, web shell commands, sessions); and the look-alikes, each with
//     its rule and reason: scanners, brute force, ident replies, baseline
//     destinations, logins and sessions, other clients' uploads;
//   - grow.go: the next round's seeds, each with the row that found it;
//   - tamper_origin.go: requests a CDN forwarded that the origin's own log
//     lacks, and the clients that fetched a file while the intruder had it
//     modified (victims, counted, not listed as intruders);
//   - tamper_gap.go: log gaps against the log's own hour-of-day baseline;
//   - assemble.go: the contract's rows, the window (first to last intruder
//     action, never a time a timestomp rule contradicts) and timestomped
//     files.
//
// What a row is (web origin, CDN, firewall, file system, login) comes from
// the class its source declares in the parser registry, through
// search/vocab, the vocabulary scope shares with leaks. Thresholds are named
// in options.go with their reasons. Every row carries references to its
// events (capped, all counted), a rule and a reason.
package scope
