// Package cisco parses Cisco firewall and router logs as syslog servers and
// the devices' own buffers keep them.
//
// "cisco-asa": ASA, FTD, PIX and FWSM messages ("%ASA-6-302013: ..."). The
// message ids investigators rely on become normalised events, the id in
// Extra "msgid" and the severity (0-7) in Extra "severity":
//
//	302013/302015/302017  Built connection: src/dst address, port and interface, direction  permit
//	302014/302016/302018  Teardown: duration, bytes, reason                                 permit
//	302020/302021         ICMP build/teardown (faddr/gaddr/laddr, type/code)                 permit
//	106001/106006/106007/106010/106014/106015/106023  packets denied (106023: access group)  deny
//	106100                access-list hits (acl name, hit count)                             permit|deny
//	710001/710002/710003/710005  traffic to the device itself permitted / denied            permit|deny
//	305011/305012         NAT translation built / torn down (real and mapped address)        (none)
//	113004/113012/605005/611101/113039/716001  AAA / admin / VPN login                       login-success
//	113005/113015/605004/611102                rejected login                                login-failure
//	611103/113019/716002/315011                logout, VPN or SSH session ended              logout
//	111008/111010         admin commands                                                     execute
//	502103                privilege level change                                             authenticate
//	430001-430005         FTD connection events (key: value pairs)                           permit|deny
//	304001/304002         URL accessed / access denied (URL filtering)                       permit|deny
//	338xxx                Botnet Traffic (Dynamic) Filter: blacklisted traffic, tag blacklist permit|deny
//
// An ASA configured with "names" writes host names where addresses go;
// those are kept as src_host / dst_host, never as an address.
//
// Message wording follows the Cisco ASA Series Syslog Messages guide
// (https://www.cisco.com/c/en/us/td/docs/security/asa/syslog/b_syslog.html)
// and TAC document 116149 on build/teardown messages
// (https://www.cisco.com/c/en/us/support/docs/security/adaptive-security-appliance-asa-software/116149-qanda-ASA-00.html).
// For "Built outbound" the connection was opened by the host on the "to"
// side, so source and destination are swapped against the text; a teardown
// takes the direction of its build when the file holds it.
//
// "cisco-ios": IOS and IOS-XE messages ("%SEC-6-IPACCESSLOGP: list 102
// denied tcp 10.1.1.1(1234) -> 10.2.2.2(23), 1 packet", %SEC_LOGIN-5-
// LOGIN_SUCCESS / -4-LOGIN_FAILED, %SYS-5-CONFIG_I, %PARSER-5-
// CFGLOG_LOGGEDCMD, %SSH-5-SSH2_USERAUTH / SSH2_CLOSE); every other
// message is an event with its facility, severity and mnemonic.
//
// Times: the device's own stamp (the one nearest the message) is the event
// time; a syslog server's stamp before it is kept in Extra "syslog_time".
// Device clocks often omit the year ("Mar  1 00:00:01.123", '*' when the
// clock is not synchronised) and the zone; missing parts come from the case
// (Input.Year or the file's mtime, Input.Zone). Unambiguous zone names
// (UTC, JST, CET, EST...) are honoured; others fall back to the case zone.
// A message with no time at all is kept as an unparsed line.
package cisco
