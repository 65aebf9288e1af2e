// Package scope answers "what did the intrusion touch, and when": from
// indicators (addresses, CIDR blocks, domains, user names, file paths, URL
// paths) it expands, round by round up to a depth (default 2):
//
//  1. events that mention a seed → the hosts they reached (a CDN's requests
//     reach its origin, a firewall's connections the host with the
//     destination address) and the accounts involved; a host is compromised
//     at its first successful access (a 2xx request other than GET/HEAD, or
//     to a seed path; a successful login);
//  2. what compromised hosts did after that time: files created, modified or
//     changed on them (file system events), with the web path that reaches
//     each (bundle.yaml mount + docroot), outbound connections to outside
//     addresses, and lateral movement (logins from their addresses to other
//     hosts, connections to internal hosts, bursts of probes to many ports
//     or hosts: scans);
//  3. the next round's seeds: outside addresses found, accounts, and the web
//     paths of files created on compromised hosts (so other addresses that
//     used a web shell are found).
//
// Tampering is part of the result: requests in a CDN's log with no matching
// line in the origin's own log for the same span (client, method, URL, time
// within a tolerance; cache hits excluded), file times tagged as altered
// (timestomp), and gaps in otherwise continuous logs of hosts in scope.
// Memory artifacts (addresses, domains, URLs, e-mail addresses) that match
// a seed are listed with their offsets.
//
// Everything is computed from the timeline's Arrow columns through
// search.Searcher.Scan: each step is one pass over the segments with a few
// queries, reading only columns of matching rows. Every row of the result
// carries references to its events (capped, all counted).
package scope
