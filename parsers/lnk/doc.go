// Package lnk parses Windows shortcut files (.lnk, MS-SHLLINK), recognised
// by their 76-byte header and link CLSID, not by name: the shortcut keeps
// the target's times, size and attributes as they were when it was last
// resolved, the volume it was on (drive type, serial, label) and, in its
// tracker block, the NetBIOS name of the machine it was created on.
//
// Events: one per target time that is set, TimeDesc "target_crtime",
// "target_mtime", "target_atime" (FILETIME, UTC), action read, Path the
// target (local base path and common path suffix, else the network share
// path, else the environment-variable target, else the relative path).
// A shortcut with no target time gives one event at the file's own
// modification time ("file_mtime") so that it is never lost.
//
// Extras: target_size, target_attributes (hex), drive_type, volume_serial
// (hex), volume_label, network_share, machine_id, droid_volume,
// droid_file, description, relative_path, working_dir, arguments,
// icon_location, env_target, flags (hex). Offset is the time's offset in
// the file.
//
// Damage: string or block offsets that point outside the file are
// reported with in.Warnf naming the offset; what was read before them is
// kept.
//
// Format name and event source: "lnk" (class host-artifact).
package lnk
