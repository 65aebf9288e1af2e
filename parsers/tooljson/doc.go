// Package tooljson imports the JSON-lines timelines that investigators'
// other tools write, each record an event with its own time and fields:
//
//   - hayabusa: Hayabusa's `json-timeline -L` (JSONL) detections from
//     Windows event logs: Timestamp ("2021-12-12 18:44:58.000 +09:00",
//     or ISO 8601 with --ISO-8601), RuleTitle, Level, Computer, Channel,
//     EventID, RecordID, Details and ExtraFieldInfo objects, RuleFile,
//     EvtxFile;
//   - chainsaw: Chainsaw's `hunt --jsonl` detections: name, level, group,
//     kind, timestamp (RFC 3339), tags, and the matched document
//     (document.kind, document.path, document.data.Event.System ...);
//   - plaso-jsonl: plaso's psort `-o json_line` events: timestamp
//     (microseconds since 1970, UTC), timestamp_desc, data_type, parser,
//     message, hostname, username, filename/display_name, inode, tag and
//     the event data's own attributes.
//
// The computer a record names is the event's host (the bundle item's host
// when it names none); user, addresses and the level (as a tag) are
// normalised; every other field is kept in Extra, nested objects flattened
// with dots. A line that is not a record of the format is kept raw.
package tooljson
