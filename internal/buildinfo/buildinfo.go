package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Set by the linker with -X (see the package comment); empty otherwise.
var (
	version  string
	revision string
	date     string
)

// fallbackVersion is reported when neither the linker nor the go command
// gave a version (a `go build` in a checkout reports "(devel)").
const fallbackVersion = "0.1.0-dev"

// Info is what the binary knows about its own build.
type Info struct {
	Version  string `json:"version"`
	Revision string `json:"revision,omitempty"` // VCS commit; "+dirty" when the tree had changes
	Date     string `json:"date,omitempty"`     // RFC 3339, UTC: build date, or the commit's time
	Go       string `json:"go"`
	Platform string `json:"platform"` // GOOS/GOARCH
}

// Get returns the build information: the linker's values first, then the
// binary's embedded build information.
func Get() Info {
	bi, _ := debug.ReadBuildInfo()
	return resolve(version, revision, date, bi)
}

// resolve fills what the linker left empty from bi (which may be nil).
func resolve(ver, rev, day string, bi *debug.BuildInfo) Info {
	in := Info{Version: ver, Revision: rev, Date: day, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi != nil {
		if in.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			in.Version = bi.Main.Version
		}
		dirty := false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if in.Revision == "" {
					in.Revision = s.Value
				}
			case "vcs.time":
				if in.Date == "" {
					in.Date = s.Value
				}
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if dirty && rev == "" && in.Revision != "" {
			in.Revision += "+dirty"
		}
	}
	if in.Version == "" {
		in.Version = fallbackVersion
	}
	in.Version = strings.TrimPrefix(in.Version, "v")
	return in
}

// String is the one-line form `kiseki --version` prints.
func (in Info) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "kiseki %s", in.Version)
	if in.Revision != "" {
		fmt.Fprintf(&b, " revision %s", in.Revision)
	}
	if in.Date != "" {
		fmt.Fprintf(&b, " built %s", in.Date)
	}
	fmt.Fprintf(&b, " (%s %s)", in.Go, in.Platform)
	return b.String()
}

// Short is the version and revision, as recorded in case.json and the
// audit log: "0.2.0" or "0.2.0+abc1234".
func (in Info) Short() string {
	if in.Revision == "" {
		return in.Version
	}
	r, dirty := strings.CutSuffix(in.Revision, "+dirty")
	if len(r) > shortRevision {
		r = r[:shortRevision]
	}
	if dirty {
		r += ".dirty"
	}
	return in.Version + "+" + r
}

// shortRevision is the length of an abbreviated commit id: git's default,
// unique in any repository of this size.
const shortRevision = 12
