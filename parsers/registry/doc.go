// Package registry parses Windows registry hives (SYSTEM, SOFTWARE, SAM,
// SECURITY, NTUSER.DAT, UsrClass.dat, Amcache.hve; "regf" header, any
// name) with www.velocidex.com/golang/regparser.
//
// Every key is an event at its last-write time (100 ns, read from the key
// node; TimeDesc "mtime"), Path the key's path from the hive root
// ("\Software\Microsoft\Windows\CurrentVersion\Run"), Offset the key
// node's file offset, Extras "values", "subkeys" and "hive" (the file name
// the hive's base block records). On top of that (the kind is also the
// event's tag, so tag:run-key finds them):
//
//	Run keys      (…\CurrentVersion\Run, RunOnce, RunOnceEx, Policies\Explorer\Run):
//	              one event per value at the key's time, kind "run-key",
//	              path the command, Extra "value_name"
//	services      (ControlSet00n\Services\<name>): the key's event gets
//	              kind "service", path the ImagePath, Extras service_name,
//	              start, type, display_name, object_name
//	UserAssist    (…\UserAssist\{GUID}\Count): one event per value at its
//	              last run (TimeDesc "last_run", action execute), path the
//	              ROT13-decoded name, Extras run_count, focus_count, focus_ms
//	BAM           (ControlSet00n\Services\bam\[State\]UserSettings\<SID>):
//	              one event per executable at its last run (action execute,
//	              TimeDesc "last_run"), user the SID
//	SAM accounts  (SAM\Domains\Account\Users\<RID>): events at the last
//	              login (login-success), password set (modify) and last
//	              failed login (login-failure), user the account name,
//	              Extras rid, login_count, failed_count, flags, full_name,
//	              comment
//	ShimCache     (ControlSet00n\Control\Session Manager\AppCompatCache):
//	              one event per entry at the file modification time it
//	              records (TimeDesc "file_mtime"), kind "shimcache", Extras
//	              position and shim_format (Windows 7 x86/x64 read here,
//	              8 to 11 by the library's appcompatcache package, whole
//	              seconds)
//	AmCache       (Root\File\<volume>\<id>, Root\InventoryApplicationFile\<id>):
//	              the key's event gets kind "amcache", path the program's
//	              path, Extra "sha1" and, for File entries, file_mtime,
//	              file_crtime and entry_written (values 11, 12, 17)
//
// Damage: a key reached twice (a loop in a crafted hive), a walk deeper
// than maxDepth, a value larger than maxValue, or a subkey list the
// library cannot read are reported with in.Warnf naming the key's offset
// and path; the rest of the hive is still walked. Transaction logs
// (.LOG1/.LOG2) are not applied.
//
// Format name and event source: "registry" (class host-artifact).
package registry
