package taxonomy

import (
	"strings"
	"testing"
)

func TestCategory(t *testing.T) {
	cases := []struct {
		name   string
		f      Findings
		want   string
		reason string // a part of the reason
	}{
		{"nothing", Findings{}, CatOther, "nothing found"},
		{"scan of many ports", Findings{ScanRows: 600, ScanTargets: 60}, CatScan, "600 probe(s) over 60 targets"},
		{"scan at the threshold", Findings{ScanRows: 5, ScanTargets: ScanMinTargets}, CatScan, "5 probe(s)"},
		{"too few targets for a scan", Findings{ScanRows: 3, ScanTargets: ScanMinTargets - 1}, CatOther, "too few for a scan"},
		{"flood", Findings{DenyVolume: FloodPerSecond, FloodSources: 400, ScanRows: 90000, ScanTargets: 3}, CatDoS, "from 400 source(s)"},
		{"below flood rate is a scan", Findings{DenyVolume: FloodPerSecond - 1, ScanRows: 90000, ScanTargets: 1000}, CatScan, "90000 probe(s)"},
		{"compromise after a scan", Findings{CompromisedHosts: 2, ScanRows: 600, ScanTargets: 60}, CatIntrusion, "2 compromised host(s)"},
		{"compromise beats flood", Findings{CompromisedHosts: 1, DenyVolume: 5000}, CatIntrusion, "1 compromised"},
		{"skimmer injected", Findings{CompromisedHosts: 1, ModifiedWebFiles: 1, ScanRows: 60, ScanTargets: 12}, CatWebTampering, "1 served web file(s)"},
		{"malware served", Findings{CompromisedHosts: 1, ModifiedWebFiles: 3, MalwareFiles: 2}, CatMalwareHost, "2 malware file(s)"},
		{"phishing kit", Findings{CompromisedHosts: 1, ModifiedWebFiles: 40, MalwareFiles: 1, PhishingPages: 12}, CatPhishing, "12 phishing page(s)"},
		{"targeted mail led in", Findings{TargetedMail: 1, CompromisedHosts: 3, PhishingPages: 1}, CatTargeted, "led to 3 compromised"},
		{"targeted mail, no compromise", Findings{TargetedMail: 2}, CatOther, "no compromise found"},
		{"targeted mail and a scan, no compromise", Findings{TargetedMail: 2, ScanRows: 50, ScanTargets: 50}, CatScan, "50 probe(s)"},
		{"control system first", Findings{ControlSystems: 1, TargetedMail: 1, CompromisedHosts: 1}, CatControlSystem, "1 control-system"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := Category(c.f)
			if d.Category != c.want || !strings.Contains(d.Reason, c.reason) {
				t.Errorf("Category(%+v) = %+v, want %s with %q", c.f, d, c.want, c.reason)
			}
		})
	}
}
