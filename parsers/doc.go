// Package parsers holds the format registry and what every parser shares:
// the Input a parser reads, line scanning with offsets and line numbers, the
// event kept for a line that does not parse, and fast time arithmetic.
//
// Each format lives in its own sub-package and registers itself in init;
// parsers/all imports every one of them. A parser knows nothing of cases,
// indexes or the CLI: it reads an Input and emits events into a Sink.
package parsers
