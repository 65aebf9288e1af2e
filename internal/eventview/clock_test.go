package eventview

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestClockMatchesTimeFormat: the Clock's layouts equal time.Format's at
// random instants (every era, zone transitions, odd offsets) in several
// zones, walked in order and at random, so cached days and zone periods
// are crossed both ways.
func TestClockMatchesTimeFormat(t *testing.T) {
	zones := []*time.Location{time.UTC, time.FixedZone("odd", -(3*3600 + 30*60 + 17)), time.FixedZone("JST", 9*3600)}
	for _, name := range []string{"Asia/Tokyo", "America/New_York", "Europe/London", "Australia/Lord_Howe"} {
		if loc, err := time.LoadLocation(name); err == nil {
			zones = append(zones, loc)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, loc := range zones {
		c := NewClock(loc)
		ns := int64(-1 << 62)
		for i := 0; i < 200000; i++ {
			switch i % 3 {
			case 0:
				ns = r.Int64() - 1<<62
			case 1:
				ns += r.Int64N(3 * 3600 * 1e9)
			default:
				ns = 1_700_000_000_000_000_000 + r.Int64N(1e18) - 5e17
			}
			tm := time.Unix(0, ns).In(loc)
			if got, want := string(c.AppendISO(nil, ns)), tm.Format(ISOLayout); got != want {
				t.Fatalf("%s %d ISO: %s, want %s", loc, ns, got, want)
			}
			if got, want := string(c.AppendRFC3339Nano(nil, ns)), tm.Format(time.RFC3339Nano); got != want {
				t.Fatalf("%s %d RFC3339Nano: %s, want %s", loc, ns, got, want)
			}
			b, zone := c.AppendL2T(nil, ns)
			wantZone, _ := tm.Zone()
			if got, want := string(b), tm.Format("01/02/2006,15:04:05"); got != want || zone != wantZone {
				t.Fatalf("%s %d l2t: %s %s, want %s %s", loc, ns, got, zone, want, wantZone)
			}
		}
	}
}
