// Package taxonomy labels events in the common language CSIRTs exchange
// (shared/docs/domain.md): the Sandia action (probe, scan, flood,
// authenticate, bypass, spoof, read, copy, steal, modify, delete) and target
// (account, process, data, component, computer, network, internetwork) that
// an event's own evidence supports, and a benign label for traffic that
// looks like an attack but is not (an inbound ident connection answering the
// host's own outgoing one). The rules are data: one table per kind of source
// in rules.go, first matching rule wins. Labels are computed from the
// timeline's existing columns when an event is displayed or searched; no
// column is stored.
//
// Category decides the incident category of national CSIRT statistics
// (scan, intrusion, DoS, malware hosting, phishing, web tampering,
// control-system, targeted attack, other) from plain counts, with a reason.
package taxonomy
