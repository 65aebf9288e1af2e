package search

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

var timeLayouts = []string{"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02"}

// ParseTime reads a time bound as the CLI and the server take it: Unix
// nanoseconds, RFC 3339, or YYYY-MM-DD[ HH:MM[:SS[.frac]]] in loc. An end
// bound given to the day, minute or whole second covers all of it. An empty
// value is 0 (no bound).
func ParseTime(v string, loc *time.Location, end bool) (int64, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && len(v) > 12 {
		return n, nil
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
			switch len(v) {
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
	return 0, fmt.Errorf("time %q: want RFC 3339 (2026-03-01T10:00:00Z) or YYYY-MM-DD[ HH:MM[:SS]] in %s", v, loc)
}
