package engine

import (
	"errors"
	"os"
)

// The case service: what the server, the report and the command line read
// of a case goes through Case — its directory's file names (casefiles.go),
// the evidence registry and the records events point at (records.go), the
// annotation log (annotations.go), the audit log (audit.go) and the
// normalisation ingest applied (normalise.go).

// InUse reports whether another process holds the case (an ingest is
// running). It takes and at once drops the case lock, so it is for a
// reader deciding when to open what an ingest is still writing (the
// server opening a freshly built index), not a check to run in a loop.
func (c *Case) InUse() bool {
	f, err := os.Open(c.path(LockFile)) // no lock file: never ingested into
	if err != nil {
		return false
	}
	defer f.Close()
	if err := lockFile(f, false); err != nil {
		return errors.Is(err, errLocked)
	}
	unlockFile(f)
	return false
}
