// Package cef parses ArcSight Common Event Format lines, the export format
// of many firewalls, IDS and gateways (UniFi, Fortinet, Check Point, Palo
// Alto, Trend Micro...), bare or behind a syslog header:
//
//	CEF:Version|Device Vendor|Device Product|Device Version|Signature ID|Name|Severity|Extension
//	Sep  8 08:32:20 UDM-Gent CEF: 0|Ubiquiti|UniFi Network|9.4.19|201|Threat Detected and Blocked|9|proto=TCP src=192.168.100.252 spt=65020 dst=192.168.1.100 dpt=80 ...
//
// Header fields escape '|' and '\' with a backslash; the extension is
// key=value pairs whose values run to the next " key=" and escape '=' and
// '\' (and '\n' for a newline), as the CEF specification ("Implementing
// ArcSight Common Event Format", Micro Focus) describes. Escaped values are
// unescaped into a per-line buffer.
//
// Normalised fields: src/dst/spt/dpt (and the IPv6 c6a2/c6a3) give the
// addresses and ports, suser the user (duser kept as target_user), request
// and requestMethod the URL and method, in+out the bytes, act the action
// (block/deny/drop/reject: deny; allow/accept/permit/pass: permit; a name
// saying "Blocked"/"Denied"/"Dropped" when there is no act). Header fields
// and every extension pair are kept as extras (cef_vendor, cef_product,
// cef_version, cef_signature_id, cef_name, cef_severity, then the
// extension keys as the device wrote them).
//
// Time: the event's own rt / start / end / deviceReceiptTime (epoch
// milliseconds, or "MMM dd [yyyy] HH:mm:ss[.SSS] [zone]"), else an RFC 3339
// value of a vendor key ending in "Time" (UniFi's UNIFIutcTime), else the
// syslog header's; a line with none of them takes the time of the line
// before it, TimeDesc "unknown" and the tag "no-timestamp".
//
// Format name and event source: "cef".
package cef
