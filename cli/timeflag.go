package cli

import (
	"time"
)

var timeLayouts = []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02"}

// parseTimeFlag reads RFC 3339, or YYYY-MM-DD[ HH:MM[:SS]] in the case zone.
// An end bound given as a bare date or minute covers the whole day/minute.
func parseTimeFlag(name, v string, loc *time.Location, end bool) (int64, error) {
	if v == "" {
		return 0, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UnixNano(), nil
	}
	for _, l := range timeLayouts {
		t, err := time.ParseInLocation(l, v, loc)
		if err != nil {
			continue
		}
		if end {
			switch len(l) {
			case len("2006-01-02"):
				t = t.AddDate(0, 0, 1).Add(-1)
			case len("2006-01-02 15:04"):
				t = t.Add(time.Minute - 1)
			case len("2006-01-02 15:04:05"):
				t = t.Add(time.Second - 1)
			}
		}
		return t.UnixNano(), nil
	}
	return 0, usageErrorf("--%s %q: want RFC 3339 (2026-03-01T10:00:00Z) or YYYY-MM-DD[ HH:MM[:SS]] in the case zone (%s)", name, v, loc)
}

// displayZone resolves --tz: "UTC", "case" or an IANA zone name.
func displayZone(v string, caseLoc *time.Location) (*time.Location, error) {
	switch v {
	case "", "UTC", "utc":
		return time.UTC, nil
	case "case":
		return caseLoc, nil
	}
	loc, err := time.LoadLocation(v)
	if err != nil {
		return nil, usageErrorf("--tz %q: %v", v, err)
	}
	return loc, nil
}

func fmtTime(ns int64, loc *time.Location) string {
	return time.Unix(0, ns).In(loc).Format("2006-01-02T15:04:05.000000000Z07:00")
}
