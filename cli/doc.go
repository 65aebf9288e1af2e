// Package cli holds Kiseki's commands. Each command lives in its own file and
// registers itself with register in init; the commands only parse flags and
// render what the engine, timeline and search packages answer.
package cli
