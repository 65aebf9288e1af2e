// Package timeline is Kiseki's event model and its on-disk columnar store.
//
// Parsers hand events to a Sink one at a time; the store packs them into sorted
// runs (Arrow IPC files written while parsing, memory bounded by the run size),
// and Merge combines every run into time-ordered segments with one dictionary
// per column. docs/timeline-format.md describes the files so that anyone with an
// Arrow reader can use a case without Kiseki.
package timeline
