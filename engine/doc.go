// Package engine runs a case: the case directory and its evidence registry,
// the append-only audit log, bundle discovery, and ingest orchestration
// (hashing, format detection, parallel parsing into sorted runs, the merge
// into the timeline, the index build), resumable after a kill at any point.
// It knows no single format: parsers come from the registry in parsers/.
package engine
