// Package buildinfo says which Kiseki made a case or an audit entry: the
// version, the VCS revision and the build date. A release build sets them
// with the linker (see scripts/release):
//
//	go build -ldflags "-X github.com/kiseki-forensics/kiseki/internal/buildinfo.version=v0.2.0 \
//	  -X github.com/kiseki-forensics/kiseki/internal/buildinfo.revision=abc123 \
//	  -X github.com/kiseki-forensics/kiseki/internal/buildinfo.date=2026-12-03T09:00:00Z"
//
// A plain `go build` or `go install` in a checkout leaves them empty, and
// they are then read from the binary's embedded build information
// (debug.ReadBuildInfo: the module version and the vcs.revision and
// vcs.time settings the go command records).
package buildinfo
