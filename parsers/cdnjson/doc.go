// Package cdnjson reads CDN access logs written as JSON lines, one request
// per line, with a zero-allocation scanner over each object (no reflection,
// no map per line):
//
//   - "cloudflare": Cloudflare Logpush http_requests
//     (https://developers.cloudflare.com/logs/reference/log-fields/zone/http_requests/).
//     EdgeStartTimestamp may be RFC 3339, Unix seconds or Unix nanoseconds
//     (the Logpush timestamp_format option); all three are read.
//   - "akamai": Akamai DataStream 2 JSON
//     (https://techdocs.akamai.com/datastream2/reference/log-format): every
//     value is a string, reqTimeSec is Unix seconds (with milliseconds), and
//     UA and referer are URL-encoded (decoded here).
//   - "fastly": Fastly real-time logging with a JSON format string, as the
//     customer writes it, bare or wrapped in a syslog header
//     ("2021-11-12T16:59:46.613304+00:00 1.1.1.1 {...}"); the usual key names
//     of Fastly's JSON examples are recognised (timestamp, client_ip, host,
//     url, request_method, response_status, response_body_size,
//     request_user_agent, request_referer, request_protocol).
//
// Event fields: SrcIP the client, Method, URL (path and query as sent),
// Status, Bytes, UserAgent; Extra keeps "vhost", "referer", "proto",
// "x_forwarded_for" and "client_ip" under these common names, and every other
// non-empty member under its own key (RayID, CacheCacheStatus, reqId, ...).
// The syslog wrapper's time, host and tag go to Extra "syslog_time",
// "syslog_host" and "syslog_tag". Times are UTC unless the record writes an
// offset (Zone is then that offset); the request's own timestamp is the
// event time, the syslog wrapper's only when the record has none.
package cdnjson
