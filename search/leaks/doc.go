// Package leaks counts what left: distinct records fetched by an attacker's
// requests (attacker mode), distinct values of successful requests during a
// window such as the time a payment page was altered (window mode, the
// window optionally taken from a file's modification and restoration times
// on a disk image), and distinct personal data in memory artifacts and event
// text (content mode: e-mail addresses, Luhn- and issuer-checked card
// numbers, phone numbers, masked unless revealed).
//
// Counts run on the Arrow columns through search.Searcher.Scan: the query
// language selects rows (source class, method, URL prefix, status, client
// address, time), the few per-row checks (URL path glob through the URL
// dictionary, X-Forwarded-For client) read columns of matching rows only.
//
// A request logged by the CDN and by the origin counts once: values are
// tallied per log class (cdn, origin) and compared; when they differ the
// result says so and counts from the class with more values.
package leaks
