// Package accesslog parses web server access logs in the NCSA common and
// combined formats that nginx and Apache write by default, with the common
// variations: a leading virtual host (Apache vhost_combined, "host:port"),
// missing ident/user fields, and trailing fields after the user agent
// (X-Forwarded-For, request time, upstream fields) kept as extras.
//
// Format name: "access-log". Times carry their own offset ("+0900") and a
// year, so no case defaults are needed.
package accesslog
