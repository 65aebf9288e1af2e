// Package evtx parses Windows XML event logs (.evtx, "ElfFile" header)
// with www.velocidex.com/golang/evtx, chunk by chunk, and normalises the
// records an investigator reads first into the timeline's columns:
//
//	4624 / 4625            logon / failed logon: login-success / login-failure,
//	                       user (TargetUserName), src_ip/port (IpAddress/IpPort),
//	                       logon type in Extra "logon_type" (and its name)
//	4634 / 4647            logoff: logout
//	4648                   logon with explicit credentials: authenticate,
//	                       user = the account used, Extra "subject_user"
//	7045 / 4697            service installed: create, path = the image
//	4698, TaskScheduler 106 scheduled task registered: create, path = task name
//	TaskScheduler 200      task action started: execute
//	4688, Sysmon 1         process created: execute, path = image, Extra
//	                       "command_line", "parent"
//	Sysmon 3               network connection: src/dst ip and port, path = image
//	PowerShell 4104        script block logged: execute, Extra "ScriptBlockText"
//	RemoteConnectionManager 1149  RDP authentication: authenticate, user, src_ip
//	LocalSessionManager 21/22/25  RDP logon / shell start / reconnect:
//	                       login-success; 23/24 logoff / disconnect: logout
//	4720/4722-4726/4738    account created, enabled, password changed/reset,
//	4728/4732/4756         disabled, deleted, changed, added to a group:
//	                       create/modify/delete, user = the account (the
//	                       member for groups, Extra "group")
//	1102 (Security), 104 (System) log cleared: delete, Extra "kind" log-cleared
//
// Every other record is kept as an event of source "evtx" with its event
// id, channel and provider; nothing is dropped. Every record's EventData or
// UserData values are kept as extras (nested names joined with "."), with
// "event_id", "channel", "provider", "record_id" and "computer"; a
// normalised record also has Extra "kind" and the same word as its tag
// (logon, logon-failed, logoff, explicit-credentials, service-install,
// scheduled-task, scheduled-task-run, process, powershell-script,
// rdp-auth, rdp-logon, rdp-shell-start, rdp-logoff, rdp-disconnect,
// rdp-reconnect, account-created, account-enabled, password-change,
// password-reset, account-disabled, account-deleted, account-changed,
// group-member-added, network-connection, log-cleared).
//
// Sources: "evtx-logon" (class login) for the logon, logoff, explicit
// credential and RDP session records above, "evtx" (class system-log) for
// everything else.
//
// Reference: Offset is the record's byte offset in the file; Extra
// "chunk" is its chunk number. Time is the record's TimeCreated at the
// 100 ns of the record header's FILETIME (the two agree in every sample;
// when they do not, TimeCreated wins, at microsecond precision).
//
// Damage: a chunk with a bad magic or that cannot be parsed, a truncated
// last chunk (parsed as far as its bytes go), and records the library
// cannot render are reported with in.Warnf naming the chunk and offset;
// records found by walking the chunk's record headers that the library did
// not render are kept as unparsed events with their bytes, so a damaged
// log never loses a record silently.
package evtx
