// Package stats counts the denied packets and connections of a case's
// firewall sensors as national observation systems publish them: per hour
// and sensor, by destination port (ICMP by type) with the number of distinct
// sources, by source block (/24 for IPv4, /48 for IPv6), by source country
// (from a MaxMind-format database the user supplies), or per sensor; and
// draws the hourly stacked bars of the top ports as SVG or PNG.
//
// The counts come from one pass over the timeline's columns (action,
// source, host, time, ports, source address, and the protocol in the
// extras) through search.ScanPrepared: segments are aggregated in parallel
// and no event is materialised. They are exact, not sampled.
package stats
