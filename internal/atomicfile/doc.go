// Package atomicfile replaces files and directories durably: the new content
// is written beside the old under a temporary name, synced to disk, renamed
// over the old name, and the parent directory is synced so the rename itself
// survives a crash. A reader sees the old file or the new one, never a mix,
// and a power cut after Write returns loses neither.
//
// It is the one way every package of Kiseki replaces a file (case.json,
// evidence.json, the timeline's manifest and CURRENT, the index state,
// exports).
package atomicfile
