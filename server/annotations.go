package server

import "github.com/kiseki-forensics/kiseki/engine"

// The annotation log is the case's (engine.Annotations): one type and one
// fold for the server and the report. These names keep the server's API
// and its tests readable.
type (
	// Annotation is one line of the annotation log.
	Annotation = engine.Annotation
	// EventNotes is the folded state of one event's annotations.
	EventNotes = engine.EventNotes
)

// Annotation kinds.
const (
	KindStar    = engine.KindStar
	KindUnstar  = engine.KindUnstar
	KindTag     = engine.KindTag
	KindUntag   = engine.KindUntag
	KindComment = engine.KindComment
	KindSearch  = engine.KindSearch
)
