package engine

// The names of a case directory's files and directories, in one place
// (docs/timeline-format.md describes each).
const (
	CaseFile         = "case.json"         // CaseMeta
	EvidenceFile     = "evidence.json"     // the evidence registry
	AuditFile        = "audit.jsonl"       // the hash-chained audit log
	AnnotationsFile  = "annotations.jsonl" // stars, tags, comments, saved searches
	LockFile         = "lock"              // held by the process writing the case
	TimelineDirName  = "timeline"          // segments and manifest
	IndexDirName     = "index"             // the full-text index
	ArtifactsDirName = "artifacts"         // non-timed findings
	RunsDirName      = "runs"              // per-unit ingest work
)
