package cli

import (
	"time"

	"github.com/kiseki-forensics/kiseki/search"
)

// parseTimeFlag reads --from/--to (search.ParseTime) in the case zone; bad
// input is a usage error.
func parseTimeFlag(name, v string, loc *time.Location, end bool) (int64, error) {
	t, err := search.ParseTime(v, loc, end)
	if err != nil {
		return 0, usageErrorf("--%s: %v", name, err)
	}
	return t, nil
}

// parseTimeRange reads --from and --to; a range that ends before it starts
// is a usage error (it would silently select nothing).
func parseTimeRange(from, to string, loc *time.Location) (int64, int64, error) {
	f, err := parseTimeFlag("from", from, loc, false)
	if err != nil {
		return 0, 0, err
	}
	t, err := parseTimeFlag("to", to, loc, true)
	if err != nil {
		return 0, 0, err
	}
	if from != "" && to != "" && f > t {
		return 0, 0, usageErrorf("--from %q is after --to %q", from, to)
	}
	return f, t, nil
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
