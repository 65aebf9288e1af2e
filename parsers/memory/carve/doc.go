// Package carve finds investigative values in text carved out of memory:
// URLs, IPv4 and IPv6 addresses, domain names, e-mail addresses, payment card
// numbers (Luhn plus issuer ranges), phone numbers (Japanese and E.164), HTTP
// request and response headers (Cookie and Authorization values masked),
// shell command lines next to a prompt or in bash-history form, and log line
// candidates (lines holding a time of day) for the registered line parsers.
//
// The scanners are hand-written and keyed on cheap triggers ('@', '.', ':',
// a digit after a non-digit, '+', a line start): no regexp, no allocation per
// match. Every match is defined by the bytes around it only (bounded look
// behind and look ahead, see MaxMatch), so a caller that scans overlapping
// windows of a large buffer finds each value exactly once by keeping only the
// matches whose Anchor lies in the window's own part.
package carve
