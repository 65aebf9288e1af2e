// Package w3c reads W3C extended log files (https://www.w3.org/TR/WD-logfile):
// Microsoft IIS, other servers that write the format, and AWS CloudFront
// standard logs, which are W3C extended logs with tab-separated values.
//
// Columns are placed by the names of the "#Fields:" directive, never by
// position, and a new "#Fields:" line (IIS writes one after every restart)
// changes the columns for the lines that follow. A CloudFront file without
// its header (a concatenation of log bodies, or lines carved from memory) is
// read with CloudFront's documented 33-field order.
//
// Times: the W3C draft and IIS write date and time in UTC, and so does
// CloudFront; events carry Zone "UTC". A "#GMT-Offset:" directive (Oracle Web
// Cache) gives the offset of the times that follow, and IIS Advanced Logging's
// date-local/time-local columns are read in the case's zone. A file with a
// time column but no date column takes its date from "#Date:" and rolls over
// to the next day when the clock goes back.
//
// Values: "-" is an absent value and is not recorded. CloudFront URL-encodes
// the user agent and referer (a space is %20), IIS writes a space in the user
// agent as '+'; both are decoded. URL is cs-uri-stem, then "?" and
// cs-uri-query when there is a query, as the server logged them (still
// encoded: decoding would make "%2F" and "/" the same path). Every column not
// mapped to an event field is kept in Extra under its W3C name (cs(Referer)
// becomes "referer", cs(Host) "vhost", cs-protocol-version "proto",
// x-forwarded-for "x_forwarded_for" with its first address as "client_ip").
//
// Two formats are registered: "cloudfront" (events with source cloudfront)
// and "w3c" (source w3c, or cloudfront when the header names CloudFront's
// columns).
package w3c
