package taxonomy

import "fmt"

// Incident categories of national CSIRT statistics (domain.md).
const (
	CatScan          = "scan"
	CatIntrusion     = "intrusion"
	CatDoS           = "dos"
	CatMalwareHost   = "malware-hosting"
	CatPhishing      = "phishing"
	CatWebTampering  = "web-tampering"
	CatControlSystem = "control-system"
	CatTargeted      = "targeted-attack"
	CatOther         = "other"
)

// Findings are the plain counts a category is decided from; the caller
// (scope, the report) fills what it found. Zero means "none found".
type Findings struct {
	CompromisedHosts int   // hosts with evidence of intrusion (attacker login, web shell, tool)
	ModifiedWebFiles int   // files served by a web server changed by the intruder (defacement, injected script)
	MalwareFiles     int   // malware the compromised hosts served to others
	PhishingPages    int   // pages imitating another site served from the hosts
	ControlSystems   int   // hosts or devices of an industrial control system involved
	TargetedMail     int   // messages crafted for the victim organisation that delivered the intrusion
	ScanRows         int64 // probes and scans: denied or refused connection attempts, 404 probes
	ScanTargets      int   // distinct addresses or ports those probes touched
	DenyVolume       int64 // denied packets or connections in the busiest second
	FloodSources     int   // distinct sources in that second
}

// Decision is a category with the reason it was chosen.
type Decision struct {
	Category string `json:"category"`
	Reason   string `json:"reason"`
}

// Thresholds of the decision table.
const (
	// ScanMinTargets: one refused connection is a probe; a scan touches a
	// set of targets (Sandia). Five addresses or ports is more than a
	// mistyped address or a retried connection ever touches.
	ScanMinTargets = 5
	// FloodPerSecond: denied packets in one second beyond which the volume
	// itself, not a search for services, is the aim. A port scan at full
	// speed from one source stays below it on a sensor's deny log; a
	// flood of hundreds of sources passes it at once.
	FloodPerSecond = 1000
)

// Category decides the incident category from findings, the most specific
// first: an incident that touches a control system, or that was aimed at
// the victim, is reported as such whatever else it did; what the
// compromised hosts were used for (phishing, malware, defaced pages) comes
// before the compromise itself; a flood before a scan (both are seen from
// outside); anything else found is "other".
func Category(f Findings) Decision {
	switch {
	case f.ControlSystems > 0:
		return Decision{CatControlSystem, fmt.Sprintf("%d control-system host(s) or device(s) involved", f.ControlSystems)}
	case f.TargetedMail > 0 && f.CompromisedHosts > 0:
		return Decision{CatTargeted, fmt.Sprintf("%d message(s) crafted for the victim led to %d compromised host(s)", f.TargetedMail, f.CompromisedHosts)}
	case f.PhishingPages > 0:
		return Decision{CatPhishing, fmt.Sprintf("%d phishing page(s) served", f.PhishingPages)}
	case f.MalwareFiles > 0:
		return Decision{CatMalwareHost, fmt.Sprintf("%d malware file(s) served", f.MalwareFiles)}
	case f.ModifiedWebFiles > 0:
		return Decision{CatWebTampering, fmt.Sprintf("%d served web file(s) modified by the intruder", f.ModifiedWebFiles)}
	case f.CompromisedHosts > 0:
		return Decision{CatIntrusion, fmt.Sprintf("%d compromised host(s)", f.CompromisedHosts)}
	case f.DenyVolume >= FloodPerSecond:
		return Decision{CatDoS, fmt.Sprintf("%d denied packets in one second from %d source(s) (flood at %d/s)", f.DenyVolume, f.FloodSources, FloodPerSecond)}
	case f.ScanRows > 0 && f.ScanTargets >= ScanMinTargets:
		return Decision{CatScan, fmt.Sprintf("%d probe(s) over %d targets, no compromise found", f.ScanRows, f.ScanTargets)}
	case f.TargetedMail > 0:
		return Decision{CatOther, fmt.Sprintf("%d targeted message(s) but no compromise found", f.TargetedMail)}
	case f.ScanRows > 0:
		return Decision{CatOther, fmt.Sprintf("%d probe(s) over %d target(s): too few for a scan (%d)", f.ScanRows, f.ScanTargets, ScanMinTargets)}
	}
	return Decision{CatOther, "nothing found that fits a category"}
}
