package engine

import (
	"github.com/kiseki-forensics/kiseki/timeline"
)

// VerifyReport is what kiseki verify finds: every evidence file against
// the hash the audit log recorded, the audit chain against its anchor, and
// the timeline's segments against its manifest and the manifest against
// the last ingest's audit entry.
type VerifyReport struct {
	Items    []VerifyResult `json:"items"`
	Failed   int            `json:"failed"`
	Audit    *AuditCheck    `json:"audit"`
	Timeline TimelineCheck  `json:"timeline"`
}

// TimelineCheck is the check of the timeline's own files.
type TimelineCheck struct {
	// Manifest is "ok", "mismatch" (not the manifest the last ingest
	// recorded), "unrecorded" (merged before manifests were recorded) or
	// "none" (nothing merged).
	Manifest  string `json:"manifest"`
	Checked   int    `json:"segments_checked"`
	Unchecked int    `json:"segments_unchecked"` // merged before segment hashes
	// Problems are segments whose file is not what the manifest recorded.
	Problems []timeline.SegmentProblem `json:"problems,omitempty"`
}

// OK reports whether nothing failed.
func (r *VerifyReport) OK() bool {
	return r.Failed == 0 && r.Audit.OK() && r.Timeline.Manifest != "mismatch" && len(r.Timeline.Problems) == 0
}

// VerifyAll re-hashes the evidence (Verify, which records the check in
// the audit log), then checks the audit log and the timeline.
func (c *Case) VerifyAll(bundleDir string, progress func(int64)) (*VerifyReport, error) {
	items, err := c.Verify(bundleDir, progress)
	if err != nil {
		return nil, err
	}
	r := &VerifyReport{Items: items}
	for _, it := range items {
		if it.Status != "ok" {
			r.Failed++
		}
	}
	if r.Audit, err = CheckAudit(c.AuditPath()); err != nil {
		return nil, err
	}
	ms, checked, problems, err := c.TimelineStore().VerifySegments()
	if err != nil {
		return nil, err
	}
	_, recorded, err := auditRecords(c.AuditPath())
	if err != nil {
		return nil, err
	}
	r.Timeline.Checked = checked
	for _, p := range problems {
		if p.Want == "" && p.Actual != "" {
			r.Timeline.Unchecked++
			continue
		}
		r.Timeline.Problems = append(r.Timeline.Problems, p)
	}
	switch {
	case ms == "":
		r.Timeline.Manifest = "none"
	case recorded == "":
		r.Timeline.Manifest = "unrecorded"
	case recorded != ms:
		r.Timeline.Manifest = "mismatch"
	default:
		r.Timeline.Manifest = "ok"
	}
	return r, nil
}
