// Package awslb reads AWS Elastic Load Balancing access logs, registered as
// format "aws-alb" (events with source aws-alb): Application Load Balancer
// lines (first field the request type: http, https, h2, grpcs, ws, wss),
// Classic Load Balancer lines (first field the timestamp) and Network Load
// Balancer TLS lines ("tls 2.0 ..."), in one file or mixed.
// Field lists: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html,
// https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/access-log-collection.html,
// https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-access-logs.html.
//
// Times are UTC (ISO 8601 with Z; NLB writes no zone, and AWS documents UTC).
// An ALB event's time is request_creation_time, when the load balancer
// received the request, with the response time (the line's first time) kept
// in Extra "response_time"; a Classic ELB's timestamp is already the request
// time; an NLB line is a TLS connection and its time, the end of the
// connection, has TimeDesc "log".
//
// Event fields: the client is SrcIP/SrcPort, the target (backend) DstIP/
// DstPort, Status the load balancer's status code, Bytes sent_bytes, and the
// request line gives Method, URL (path and query as sent), and Extra
// "scheme", "vhost", "port" and "proto". Every other field is kept in Extra
// under AWS's name, except "-" values, which are absent.
package awslb
