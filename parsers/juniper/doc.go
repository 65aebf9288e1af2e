// Package juniper parses Juniper SRX and Junos OS logs: the RT_FLOW session
// log (RT_FLOW_SESSION_CREATE / _CLOSE / _DENY) in both forms the SRX
// writes,
//
//	structured (sd-syslog): <14>1 2024-01-29T14:30:15.000+00:00 SRX-01 RT_FLOW - RT_FLOW_SESSION_CREATE [junos@2636.1.1.1.2.36 source-address="192.168.1.100" source-port="54321" ...] session created ...
//	plain:                  Sep 15 08:12:44 fw RT_FLOW: RT_FLOW_SESSION_CREATE: session created 10.0.0.1/1->10.0.0.2/443 junos-https ...
//
// AppTrack's APPTRACK_SESSION_* records (same fields), the RT_SCREEN_*
// attack screens (floods and scans the SRX dropped: deny,
// tagged scan), and the Junos management events investigators use: UI_LOGIN_EVENT,
// UI_LOGOUT_EVENT, UI_AUTH_EVENT, UI_CMDLINE_READ_LINE, UI_COMMIT,
// SSHD_LOGIN_FAILED, LOGIN_FAILED, and sshd's own messages (read as
// parsers/authlog reads them). Field names follow the Junos OS System Log
// Reference (RT_FLOW and UI message descriptions,
// https://www.juniper.net/documentation/us/en/software/junos/system-log-messages/).
//
// Session create and close are permit, deny is deny (close adds duration,
// bytes from client and server, and the close reason); logins are
// login-success / login-failure / logout; CLI commands and commits are
// execute.
//
// Times: an RFC 3339 stamp in the line (the SRX's own, also behind a relay's
// header) wins; else the syslog header's, whose missing year and zone come
// from the case. Format name and event source: "juniper".
package juniper
