package cli

import (
	"github.com/kiseki-forensics/kiseki/internal/eventview"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// The event renderings live in internal/eventview, shared with the web server
// and the report.
type jsonEvent = eventview.Event

func sanitize(s string) string                            { return eventview.Sanitize(s) }
func summary(ev *timeline.Event) string                   { return eventview.Summary(ev) }
func toJSONEvent(row int64, ev *timeline.Event) jsonEvent { return eventview.JSON(row, ev) }
