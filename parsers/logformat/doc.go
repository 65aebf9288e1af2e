// Package logformat reads web server access logs written with a custom
// format: the nginx log_format or Apache LogFormat string the user pastes into
// bundle.yaml (evidence item option log_format). Registered as format
// "log-format"; events have source "log-format".
//
// The format string is compiled once into a sequence of literal and field
// steps (no regular expressions). A line is matched step by step: a literal
// must be there as written; a field runs up to the next literal (past the
// spaces a field such as $time_local is known to contain). The whole nginx
// configuration statement (log_format main '...' '...';) or Apache's
// (LogFormat "..." combined) may be given as well as the bare string.
//
// Fields (nginx variable / Apache directive):
//
//	$remote_addr %h %a        SrcIP          $remote_port %{remote}p  SrcPort
//	$server_addr %A           DstIP          $server_port %p          DstPort
//	$remote_user %u           User           $status %>s %s           Status
//	$body_bytes_sent %b %B    Bytes          $http_user_agent %{User-Agent}i  UserAgent
//	$request %r               Method, URL and Extra "proto" (a request that is
//	                          not "METHOD URL PROTO" is kept whole in Message)
//	$request_method %m, $request_uri, $uri %U (+ $args, $query_string %q)  Method, URL
//	$time_local %t, $time_iso8601, $msec, %{strftime}t, %{sec|msec|usec}t  Time
//	$http_referer %{Referer}i Extra "referer"
//	$http_x_forwarded_for %{X-Forwarded-For}i  Extra "x_forwarded_for", and
//	                          its first address as Extra "client_ip"
//	$host $http_host $server_name %v %V  Extra "vhost"
//	$request_time %T, %D      Extra "request_time" (seconds), "request_time_us"
//
// and any other field into Extra under its variable name (Apache headers as
// nginx names them: %{Foo-Bar}i is "http_foo_bar").
//
// Times: $time_local and %t carry their offset (Zone is that offset);
// $time_iso8601 carries it too; $msec is UTC. A strftime time without %z is
// read in the case's zone. Detection cannot see the manifest's options, so
// Detect never claims a file: the engine chooses this format for an evidence
// item that has a log_format option.
package logformat
