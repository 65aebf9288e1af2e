// Package netfilter parses the logs of Linux and appliance firewalls:
//
//   - "iptables": netfilter kernel log lines ("[UFW BLOCK] IN=eth0 OUT=
//     MAC=... SRC=1.2.3.4 DST=5.6.7.8 LEN=60 ... PROTO=TCP SPT=4444 DPT=22"),
//     syslog-wrapped, from UniFi gateways ("[WAN_LOCAL-D-2000] DESCR=...")
//     and from the Proxmox VE firewall log ("0 3 PVEFW-HOST-IN 20/Jun/2022:
//     13:09:14 +0200 policy DROP: IN=..."). The log prefix decides permit or
//     deny when it says so (BLOCK, DROP, REJECT, DENY / ACCEPT, ALLOW, PASS).
//   - "pfsense": pfSense/OPNsense filterlog CSV lines (IPv4 and IPv6; tcp,
//     udp, icmp; block/pass), after a BSD or RFC 5424 syslog header.
//   - "fortigate": FortiGate/FortiOS key=value logs (date= time= tz=
//     devname= srcip= dstip= srcport= dstport= action= user=; type=traffic,
//     event, utm), bare or syslog-wrapped.
//   - "mikrotik": RouterOS logs ("firewall,info input: in:ether1 out:(unknown
//     0), src-mac ..., proto TCP (SYN), 1.2.3.4:5678->5.6.7.8:22, len 60" and
//     "login failure for user admin from 1.2.3.4 via ssh").
//
// A syslog line of the same file that is none of these (an sshd line on a
// gateway) is still an event, with what parsers/authlog reads from it.
//
// Times: syslog headers may lack year and zone (from the case); Proxmox and
// RFC 5424 stamps carry both; FortiGate's date/time carry the year and, with
// tz=, the zone.
package netfilter
