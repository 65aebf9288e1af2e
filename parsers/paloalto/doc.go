// Package paloalto parses Palo Alto Networks PAN-OS firewall logs as the
// firewall sends them to syslog: comma-separated values whose fourth field
// is the log type, behind a syslog header (BSD or RFC 3339):
//
//	2023-07-06T08:11:40+02:00 fw01 1,2023/07/06 08:11:40,016401002737,THREAT,vulnerability,2561,2023/07/06 08:11:40,1.2.3.2,1.2.3.3,...
//
// Field positions follow the PAN-OS syslog field descriptions
// (https://docs.paloaltonetworks.com/pan-os/11-0/pan-os-admin/monitoring/use-syslog-for-monitoring/syslog-field-descriptions):
//
//	TRAFFIC, THREAT: receive time, serial, type, subtype, generated time,
//	  source/destination address, NAT addresses, rule, source/destination
//	  user, application, vsys, zones, interfaces, log forwarding profile,
//	  session id, repeat count, ports, NAT ports, flags, protocol, action;
//	  TRAFFIC then bytes (sent, received), packets, start time, elapsed
//	  time; THREAT then URL or file name, threat id, category, severity,
//	  direction, sequence number, action flags, source/destination country.
//	CONFIG: host (the admin's address), vsys, command, admin, client, result.
//	SYSTEM: event id, object, module, severity, description.
//
// Actions: allow/alert → permit; deny, drop, reset-*, block-*, sinkhole →
// deny; CONFIG is execute; SYSTEM auth-success / auth-fail (and admin
// "logged in/out" descriptions) are login-success / login-failure / logout.
// Other types (GLOBALPROTECT, USERID...) are events with their type. Every CSV value
// is kept positionally in the line; the named ones are extras.
//
// Time: the syslog header's RFC 3339 stamp, else the high-resolution
// timestamp PAN-OS 10+ adds near the end of the record, else the receive
// time in the case zone. Format name and event source: "paloalto".
package paloalto
