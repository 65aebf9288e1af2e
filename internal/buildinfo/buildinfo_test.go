package buildinfo

import (
	"runtime/debug"
	"testing"
)

func TestResolve(t *testing.T) {
	vcs := &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123"},
		{Key: "vcs.time", Value: "2026-12-01T10:00:00Z"},
		{Key: "vcs.modified", Value: "true"},
	}}
	cases := []struct {
		name           string
		ver, rev, date string
		bi             *debug.BuildInfo
		want           Info
		short          string
	}{
		{"nothing known", "", "", "", nil, Info{Version: fallbackVersion}, fallbackVersion},
		{"go build in a checkout", "", "", "", vcs,
			Info{Version: fallbackVersion, Revision: "0123456789abcdef0123+dirty", Date: "2026-12-01T10:00:00Z"},
			fallbackVersion + "+0123456789ab.dirty"},
		{"go install module@version", "", "", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.3.1"}},
			Info{Version: "0.3.1"}, "0.3.1"},
		{"linker wins", "v0.2.0", "abcdef0123456789", "2026-12-03T09:00:00Z", vcs,
			Info{Version: "0.2.0", Revision: "abcdef0123456789", Date: "2026-12-03T09:00:00Z"},
			"0.2.0+abcdef012345"},
	}
	for _, c := range cases {
		got := resolve(c.ver, c.rev, c.date, c.bi)
		if got.Version != c.want.Version || got.Revision != c.want.Revision || got.Date != c.want.Date {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
		if s := got.Short(); s != c.short {
			t.Errorf("%s: Short() = %q, want %q", c.name, s, c.short)
		}
		if got.Go == "" || got.Platform == "" {
			t.Errorf("%s: no Go version or platform: %+v", c.name, got)
		}
	}
}
