package evtx

import (
	"encoding/hex"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/Velocidex/ordereddict"
	"github.com/kiseki-forensics/kiseki/parsers/internal/winart"
	"github.com/kiseki-forensics/kiseki/timeline"
	"www.velocidex.com/golang/evtx"
)

// Providers and channels whose event ids are normalised (an id means
// something only together with its provider).
const (
	provSecurity = "Microsoft-Windows-Security-Auditing"
	provEventlog = "Microsoft-Windows-Eventlog"
	provSCM      = "Service Control Manager"
	provTask     = "Microsoft-Windows-TaskScheduler"
	provSysmon   = "Microsoft-Windows-Sysmon"
	provPS       = "Microsoft-Windows-PowerShell"
	provRCM      = "Microsoft-Windows-TerminalServices-RemoteConnectionManager"
	provLSM      = "Microsoft-Windows-TerminalServices-LocalSessionManager"
)

// rule says how one kind of record fills the columns.
type rule struct {
	kind   string // Extra "kind"
	action string
	desc   string // TimeDesc; TimeLog when empty
	logon  bool   // source evtx-logon
	fill   func(d *fields, ev *timeline.Event)
}

type key struct {
	provider string
	id       int
}

// rules is the table of normalised records.
var rules = map[key]rule{
	{provSecurity, 4624}: {"logon", timeline.ActionLoginSuccess, timeline.TimeLogin, true, fillLogon},
	{provSecurity, 4625}: {"logon-failed", timeline.ActionLoginFailure, timeline.TimeLogin, true, fillLogon},
	{provSecurity, 4634}: {"logoff", timeline.ActionLogout, timeline.TimeLogout, true, fillLogon},
	{provSecurity, 4647}: {"logoff", timeline.ActionLogout, timeline.TimeLogout, true, fillLogon},
	{provSecurity, 4648}: {"explicit-credentials", timeline.ActionAuthenticate, "", true, fillExplicit},
	{provSCM, 7045}:      {"service-install", timeline.ActionCreate, "", false, fillService},
	{provSecurity, 4697}: {"service-install", timeline.ActionCreate, "", false, fillService},
	{provSecurity, 4698}: {"scheduled-task", timeline.ActionCreate, "", false, fillTask},
	{provTask, 106}:      {"scheduled-task", timeline.ActionCreate, "", false, fillTask},
	{provTask, 200}:      {"scheduled-task-run", timeline.ActionExecute, "", false, fillTask},
	{provSecurity, 4688}: {"process", timeline.ActionExecute, "", false, fillProcess},
	{provSysmon, 1}:      {"process", timeline.ActionExecute, "", false, fillProcess},
	{provSysmon, 3}:      {"network-connection", "", "", false, fillConnection},
	{provPS, 4104}:       {"powershell-script", timeline.ActionExecute, "", false, fillScript},
	{provRCM, 1149}:      {"rdp-auth", timeline.ActionAuthenticate, "", true, fillRDP},
	{provLSM, 21}:        {"rdp-logon", timeline.ActionLoginSuccess, timeline.TimeLogin, true, fillRDP},
	{provLSM, 22}:        {"rdp-shell-start", timeline.ActionLoginSuccess, timeline.TimeLogin, true, fillRDP},
	{provLSM, 23}:        {"rdp-logoff", timeline.ActionLogout, timeline.TimeLogout, true, fillRDP},
	{provLSM, 24}:        {"rdp-disconnect", timeline.ActionLogout, timeline.TimeLogout, true, fillRDP},
	{provLSM, 25}:        {"rdp-reconnect", timeline.ActionLoginSuccess, timeline.TimeLogin, true, fillRDP},
	{provSecurity, 4720}: {"account-created", timeline.ActionCreate, "", false, fillAccount},
	{provSecurity, 4722}: {"account-enabled", timeline.ActionModify, "", false, fillAccount},
	{provSecurity, 4723}: {"password-change", timeline.ActionModify, "", false, fillAccount},
	{provSecurity, 4724}: {"password-reset", timeline.ActionModify, "", false, fillAccount},
	{provSecurity, 4725}: {"account-disabled", timeline.ActionModify, "", false, fillAccount},
	{provSecurity, 4726}: {"account-deleted", timeline.ActionDelete, "", false, fillAccount},
	{provSecurity, 4738}: {"account-changed", timeline.ActionModify, "", false, fillAccount},
	{provSecurity, 4728}: {"group-member-added", timeline.ActionModify, "", false, fillAccount},
	{provSecurity, 4732}: {"group-member-added", timeline.ActionModify, "", false, fillAccount},
	{provSecurity, 4756}: {"group-member-added", timeline.ActionModify, "", false, fillAccount},
	{provEventlog, 1102}: {"log-cleared", timeline.ActionDelete, "", false, fillCleared},
	{provEventlog, 104}:  {"log-cleared", timeline.ActionDelete, "", false, fillCleared},
}

// logonTypes names the LogonType values of 4624/4625/4634.
var logonTypes = map[string]string{
	"0": "System", "2": "Interactive", "3": "Network", "4": "Batch", "5": "Service",
	"7": "Unlock", "8": "NetworkCleartext", "9": "NewCredentials",
	"10": "RemoteInteractive", "11": "CachedInteractive",
	"12": "CachedRemoteInteractive", "13": "CachedUnlock",
}

// fields is a record's EventData or UserData, flattened to name → text.
type fields struct {
	names  []string
	values map[string]string
}

func (d *fields) get(name string) string {
	v := d.values[name]
	if v == "-" {
		return "" // Windows writes "-" for "none"
	}
	return v
}

// first returns the first of names that has a value.
func (d *fields) first(names ...string) string {
	for _, n := range names {
		if v := d.get(n); v != "" {
			return v
		}
	}
	return ""
}

func (d *fields) add(name, value string) {
	if _, dup := d.values[name]; !dup {
		d.names = append(d.names, name)
	}
	d.values[name] = value
}

// flatten adds the leaves of v under prefix: nested names joined with ".",
// list items numbered.
func (d *fields) flatten(prefix string, v any) {
	switch t := v.(type) {
	case *ordereddict.Dict:
		for _, k := range t.Keys() {
			if strings.HasPrefix(k, "xmlns") {
				continue // namespace declarations, not values
			}
			x, _ := t.Get(k)
			d.flatten(join(prefix, k), x)
		}
	case []any:
		for i, x := range t {
			d.flatten(join(prefix, strconv.Itoa(i)), x)
		}
	default:
		if prefix == "" {
			prefix = "Data"
		}
		d.add(prefix, text(v))
	}
}

func join(prefix, k string) string {
	if prefix == "" {
		return k
	}
	return prefix + "." + k
}

// text renders a value the library decoded.
func text(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case []byte:
		return hex.EncodeToString(t)
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(t), 'f', -1, 32)
	case bool:
		return strconv.FormatBool(t)
	case int:
		return strconv.Itoa(t)
	case int32:
		return strconv.FormatInt(int64(t), 10)
	case int64:
		return strconv.FormatInt(t, 10)
	case uint8:
		return strconv.FormatUint(uint64(t), 10)
	case uint16:
		return strconv.FormatUint(uint64(t), 10)
	case uint32:
		return strconv.FormatUint(uint64(t), 10)
	case uint64:
		return strconv.FormatUint(t, 10)
	case []uint16, []uint64, []string:
		return strings.Trim(strings.Join(strings.Fields(strings.Trim(fmtAny(t), "[]")), ","), ",")
	}
	return fmtAny(v)
}

// record turns one rendered record into an event.
func (p *parser) record(r *evtx.EventRecord, off int64) error {
	ev := &p.ev
	ev.Reset()
	p.common(ev, off)
	root, _ := r.Event.(*ordereddict.Dict)
	event, ok := ordereddict.GetMap(root, "Event")
	if !ok {
		p.in.Problemf("evtx-record", int64(off), 0, "chunk %d: record %d has no Event element; kept unparsed", p.chunk, r.Header.RecordID)
		ev.Source, ev.TimeDesc = timeline.SourceRaw, timeline.TimeUnknown
		ev.Message = "EVTX record " + strconv.FormatUint(r.Header.RecordID, 10) + " has no Event element"
		return p.sink.Emit(ev)
	}
	sys, _ := ordereddict.GetMap(event, "System")
	ev.Time, _ = recordTime(sys, r.Header.FileTime)
	ev.TimeOrig = winart.RFC3339(ev.Time)
	ev.TimeDesc = timeline.TimeLog
	ev.Source = FormatName

	id := eventID(sys)
	provider, _ := ordereddict.GetString(sys, "Provider.Name")
	channel, _ := ordereddict.GetString(sys, "Channel")
	computer, _ := ordereddict.GetString(sys, "Computer")
	if ev.Host == "" {
		ev.Host = computer
	}
	ev.AddExtra("event_id", strconv.Itoa(id))
	ev.AddExtra("record_id", strconv.FormatUint(r.Header.RecordID, 10))
	ev.AddExtra("channel", channel)
	ev.AddExtra("provider", provider)
	ev.AddExtra("computer", computer)
	if sid, ok := ordereddict.GetString(sys, "Security.UserID"); ok && sid != "" {
		ev.AddExtra("user_sid", sid)
	}

	d := &fields{values: map[string]string{}}
	if _, ok := event.Get("EventData"); ok {
		evtx.NormalizeEventData(event)
		v, _ := event.Get("EventData")
		d.flatten("", namedData(v))
	}
	if v, ok := event.Get("UserData"); ok {
		d.flatten("", unwrap(v))
	}
	ev.Message = provider + " " + strconv.Itoa(id)
	if ru, ok := rules[key{provider, id}]; ok {
		ev.Action = ru.action
		if ru.desc != "" {
			ev.TimeDesc = ru.desc
		}
		if ru.logon {
			ev.Source = SourceLogon
		}
		ev.AddExtra("kind", ru.kind)
		ev.AddTag(ru.kind) // searchable: tag:log-cleared
		ru.fill(d, ev)
	}
	for _, n := range d.names {
		ev.AddExtra(n, d.values[n])
	}
	return p.sink.Emit(ev)
}

// namedData turns an EventData holding one <Data Name="n">v</Data> into
// {n: v}, as NormalizeEventData does for several.
func namedData(v any) any {
	ed, ok := v.(*ordereddict.Dict)
	if !ok {
		return v
	}
	data, ok := ordereddict.GetMap(ed, "Data")
	if !ok || data.Len() != 2 {
		return v
	}
	name, nok := ordereddict.GetString(data, "Name")
	val, vok := data.Get("Value")
	if !nok || !vok {
		return v
	}
	return ordereddict.NewDict().Set(name, val)
}

// unwrap drops the single element UserData wraps its values in
// (<UserData><EventXML>...</EventXML></UserData>).
func unwrap(v any) any {
	if d, ok := v.(*ordereddict.Dict); ok && d.Len() == 1 {
		x, _ := d.Get(d.Keys()[0])
		if _, ok := x.(*ordereddict.Dict); ok {
			return x
		}
	}
	return v
}

// eventID reads System/EventID, which is an element with a Qualifiers
// attribute or a bare value.
func eventID(sys *ordereddict.Dict) int {
	if id, ok := ordereddict.GetInt(sys, "EventID.Value"); ok {
		return id
	}
	id, _ := ordereddict.GetInt(sys, "EventID")
	return id
}

// setIP puts a textual address into SrcIP when it is one ("-", "" and
// names are left out); a port is kept when it is a number.
func setIP(ev *timeline.Event, addr, port string) {
	a, err := netip.ParseAddr(strings.TrimSpace(addr))
	if err != nil {
		return
	}
	ev.SrcIP = a.Unmap().String()
	if n, err := strconv.Atoi(port); err == nil && n > 0 && n < 65536 {
		ev.SrcPort = int32(n)
	}
}

func fillLogon(d *fields, ev *timeline.Event) {
	ev.User = d.first("TargetUserName", "SubjectUserName")
	if dom := d.first("TargetDomainName", "SubjectDomainName"); dom != "" {
		ev.AddExtra("domain", dom)
	}
	setIP(ev, d.get("IpAddress"), d.get("IpPort"))
	lt := d.get("LogonType")
	if lt != "" {
		ev.AddExtra("logon_type", lt)
		if name, ok := logonTypes[lt]; ok {
			ev.AddExtra("logon_type_name", name)
		}
	}
	ev.Path = d.get("ProcessName")
	msg := ev.Message + ": " + ev.Action + " " + ev.User
	if lt != "" {
		msg += " type " + lt
	}
	if ev.SrcIP != "" {
		msg += " from " + ev.SrcIP
	}
	ev.Message = msg
}

func fillExplicit(d *fields, ev *timeline.Event) {
	ev.User = d.get("TargetUserName")
	if dom := d.get("TargetDomainName"); dom != "" {
		ev.AddExtra("domain", dom)
	}
	ev.AddExtra("subject_user", d.get("SubjectUserName"))
	setIP(ev, d.get("IpAddress"), d.get("IpPort"))
	ev.Path = d.get("ProcessName")
	ev.Message += ": " + d.get("SubjectUserName") + " used the credentials of " + ev.User + " for " + d.get("TargetServerName")
}

func fillService(d *fields, ev *timeline.Event) {
	ev.Path = d.first("ImagePath", "ServiceFileName")
	ev.User = d.get("SubjectUserName")
	ev.Message += ": service " + d.get("ServiceName") + " installed: " + ev.Path
}

func fillTask(d *fields, ev *timeline.Event) {
	ev.Path = d.get("TaskName")
	ev.User = d.first("SubjectUserName", "UserContext", "UserName")
	if a := d.get("ActionName"); a != "" {
		ev.AddExtra("command", a)
	} else if c := taskCommand(d.get("TaskContent")); c != "" {
		ev.AddExtra("command", c)
	}
	ev.Message += ": task " + ev.Path
}

// taskCommand reads <Command> and <Arguments> out of a task's XML.
func taskCommand(xml string) string {
	cmd := element(xml, "Command")
	if args := element(xml, "Arguments"); args != "" {
		cmd += " " + args
	}
	return cmd
}

func element(xml, name string) string {
	i := strings.Index(xml, "<"+name+">")
	if i < 0 {
		return ""
	}
	rest := xml[i+len(name)+2:]
	j := strings.Index(rest, "</"+name+">")
	if j < 0 {
		return ""
	}
	return strings.TrimSpace(rest[:j])
}

func fillProcess(d *fields, ev *timeline.Event) {
	ev.Path = d.first("NewProcessName", "Image")
	ev.User = d.first("User", "TargetUserName", "SubjectUserName")
	if c := d.get("CommandLine"); c != "" {
		ev.AddExtra("command_line", c)
	}
	if pp := d.first("ParentProcessName", "ParentImage"); pp != "" {
		ev.AddExtra("parent", pp)
	}
	ev.Message += ": " + ev.Path
}

func fillConnection(d *fields, ev *timeline.Event) {
	ev.Path = d.get("Image")
	ev.User = d.get("User")
	setIP(ev, d.get("SourceIp"), d.get("SourcePort"))
	if a, err := netip.ParseAddr(d.get("DestinationIp")); err == nil {
		ev.DstIP = a.Unmap().String()
	}
	if n, err := strconv.Atoi(d.get("DestinationPort")); err == nil && n > 0 && n < 65536 {
		ev.DstPort = int32(n)
	}
	ev.Message += ": " + ev.Path + " " + ev.SrcIP + " -> " + ev.DstIP + ":" + d.get("DestinationPort")
}

func fillScript(d *fields, ev *timeline.Event) {
	ev.Path = d.get("Path")
	ev.Message += ": script block " + d.get("ScriptBlockId") + " part " + d.get("MessageNumber") + "/" + d.get("MessageTotal")
}

func fillRDP(d *fields, ev *timeline.Event) {
	ev.User = d.first("Param1", "User")
	if dom := d.get("Param2"); dom != "" {
		ev.AddExtra("domain", dom)
	}
	setIP(ev, d.first("Param3", "Address"), "")
	ev.Message += ": RDP " + ev.Action + " " + ev.User
	if ev.SrcIP != "" {
		ev.Message += " from " + ev.SrcIP
	}
}

// fillAccount: the account changed is TargetUserName, or for a group
// membership the member (its name, else its SID) with the group in Extra
// "group"; who did it is Extra "subject_user".
func fillAccount(d *fields, ev *timeline.Event) {
	ev.User = d.get("TargetUserName")
	if _, member := d.values["MemberSid"]; member {
		ev.AddExtra("group", d.get("TargetUserName"))
		ev.User = d.first("MemberName", "MemberSid")
	}
	ev.AddExtra("subject_user", d.get("SubjectUserName"))
	ev.Message += ": account " + ev.User + ", by " + d.get("SubjectUserName")
}

func fillCleared(d *fields, ev *timeline.Event) {
	ev.User = d.get("SubjectUserName")
	ch := d.get("Channel")
	if ch == "" {
		ch = "Security"
	}
	ev.Message += ": " + ch + " log cleared by " + ev.User
}

func fmtAny(v any) string { return fmt.Sprint(v) }
