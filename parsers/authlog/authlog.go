package authlog

import (
	"bytes"
	"path/filepath"
	"strings"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/internal/devlog"
	"github.com/kiseki-forensics/kiseki/parsers/syslog"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// FormatName is the registered name and the events' source.
const FormatName = "auth"

func init() {
	devlog.Register(&parsers.Format{
		Name:        FormatName,
		Sources:     []parsers.Source{{Name: FormatName, Class: parsers.ClassLogin}},
		Description: "Linux auth.log / secure: sshd, sudo, su, PAM, login, CRON (syslog-wrapped, yearless)",
		HasZone:     false,
		HasYear:     false,
		Detect:      detect,
	}, ParseLine, "not an auth/syslog line")
}

var str = devlog.Str

// ParseLine parses one auth.log line into ev. Strings point into line.
func ParseLine(s *devlog.State, line []byte, ev *timeline.Event) bool {
	prog, msg, ok := s.SyslogEvent(line, ev, FormatName)
	if !ok {
		return false
	}
	Message(prog, msg, ev)
	return true
}

// Message reads the normalised fields out of the message of program prog.
func Message(prog, msg []byte, ev *timeline.Event) {
	if bytes.HasPrefix(msg, []byte("pam_")) {
		pam(msg, ev)
		return
	}
	switch {
	case bytes.HasPrefix(prog, []byte("sshd")): // sshd, sshd-session
		sshd(msg, ev)
	case string(prog) == "sudo":
		sudo(msg, ev)
	case string(prog) == "su":
		su(msg, ev)
	case string(prog) == "CRON" || string(prog) == "cron" || string(prog) == "crond":
		cron(msg, ev)
	case string(prog) == "login":
		login(msg, ev)
	case string(prog) == "systemd-logind":
		logind(msg, ev)
	case string(prog) == "useradd" || string(prog) == "usermod" || string(prog) == "userdel" ||
		string(prog) == "groupadd" || string(prog) == "gpasswd" || string(prog) == "passwd" || string(prog) == "chpasswd":
		accounts(prog, msg, ev)
	}
}

// accounts: shadow-utils messages that create or change accounts, the
// persistence investigators look for:
//
//	useradd: new user: name=backdoor, UID=0, GID=0, home=/root, shell=/bin/bash, from=/dev/pts/0
//	usermod: add 'alice' to group 'sudo'
//	userdel: delete user 'bob'
//	passwd: password for 'root' changed by 'alice'
func accounts(prog, m []byte, ev *timeline.Event) {
	switch {
	case devlog.HasPrefix(m, "new user: "), devlog.HasPrefix(m, "new group: "):
		ev.Action = timeline.ActionCreate
		for _, part := range bytes.Split(m[bytes.IndexByte(m, ':')+2:], []byte(", ")) {
			k, v, ok := bytes.Cut(part, []byte{'='})
			if !ok {
				continue
			}
			switch string(k) {
			case "name":
				if devlog.HasPrefix(m, "new user: ") {
					ev.User = str(v)
				} else {
					ev.AddExtra("group", str(v))
				}
			case "UID":
				ev.AddExtra("uid", str(v))
			case "GID":
				ev.AddExtra("gid", str(v))
			case "home":
				ev.AddExtra("home", str(v))
			case "shell":
				ev.AddExtra("shell", str(v))
			}
		}
	case devlog.HasPrefix(m, "add '"), devlog.HasPrefix(m, "change user '"), devlog.HasPrefix(m, "lock user '"),
		devlog.HasPrefix(m, "delete user '"), devlog.HasPrefix(m, "delete '"), devlog.HasPrefix(m, "password for '"),
		devlog.HasPrefix(m, "user '"):
		ev.Action = timeline.ActionModify
		if devlog.HasPrefix(m, "delete") {
			ev.Action = timeline.ActionDelete
		}
		if o := bytes.IndexByte(m, '\''); o >= 0 {
			if c := bytes.IndexByte(m[o+1:], '\''); c >= 0 {
				ev.User = str(m[o+1 : o+1+c])
			}
		}
		if r, ok := devlog.After(m, "group '"); ok {
			if c := bytes.IndexByte(r, '\''); c >= 0 {
				ev.AddExtra("group", str(r[:c]))
			}
		}
		if r, ok := devlog.After(m, "changed by '"); ok {
			if c := bytes.IndexByte(r, '\''); c >= 0 {
				ev.AddExtra("by", str(r[:c]))
			}
		}
	}
}

// sshd messages, as OpenSSH's auth.c, sshd.c and packet.c word them.
func sshd(m []byte, ev *timeline.Event) {
	switch {
	case devlog.HasPrefix(m, "Accepted "):
		method, rest := devlog.Word(m[len("Accepted "):])
		ev.AddExtra("method", str(method))
		ev.Action = timeline.ActionLoginSuccess
		forUser(rest, ev)
		if k, ok := devlog.After(rest, "ssh2: "); ok {
			ev.AddExtra("key", str(k)) // "RSA SHA256:..." — which key logged in
		}
	case devlog.HasPrefix(m, "Failed "):
		method, rest := devlog.Word(m[len("Failed "):])
		ev.AddExtra("method", str(method))
		ev.Action = timeline.ActionLoginFailure
		forUser(rest, ev)
	case devlog.HasPrefix(m, "Invalid user "):
		ev.Action = timeline.ActionLoginFailure
		ev.AddTag("invalid-user")
		userFrom(m[len("Invalid user "):], ev)
	case devlog.HasPrefix(m, "User ") && bytes.Contains(m, []byte(" not allowed because ")):
		ev.Action = timeline.ActionLoginFailure
		userFrom(m[len("User "):], ev)
	case devlog.HasPrefix(m, "Disconnected from "):
		closed(m[len("Disconnected from "):], ev)
	case devlog.HasPrefix(m, "Connection closed by "):
		closed(m[len("Connection closed by "):], ev)
	case devlog.HasPrefix(m, "Connection reset by "):
		closed(m[len("Connection reset by "):], ev)
	case devlog.HasPrefix(m, "Received disconnect from "):
		closed(m[len("Received disconnect from "):], ev)
	case devlog.HasPrefix(m, "Unable to negotiate with "),
		bytes.Contains(m, []byte("on obfuscated handshake from ")),
		devlog.HasPrefix(m, "Did not receive identification string from "),
		devlog.HasPrefix(m, "Bad protocol version identification "):
		ev.Action = timeline.ActionScan
		addrPort(m, ev)
	case devlog.HasPrefix(m, "refused connect from "):
		ev.Action = timeline.ActionDeny
		if o := bytes.LastIndexByte(m, '('); o > 0 && m[len(m)-1] == ')' {
			ev.SrcIP = str(devlog.UnmapIPv4(m[o+1 : len(m)-1]))
		}
	case devlog.HasPrefix(m, "PAM ") && bytes.Contains(m, []byte("authentication failure")):
		// "PAM 2 more authentication failures; logname= uid=0 ... rhost=1.2.3.4  user=root"
		ev.Action = timeline.ActionLoginFailure
		pamFields(m, ev)
	case devlog.HasPrefix(m, "error: PAM: Authentication failure for "):
		ev.Action = timeline.ActionLoginFailure
		b := m[len("error: PAM: Authentication failure for "):]
		if devlog.HasPrefix(b, "illegal user ") {
			b = b[len("illegal user "):]
			ev.AddTag("invalid-user")
		}
		userFrom(b, ev)
	case devlog.HasPrefix(m, "Disconnecting invalid user "), devlog.HasPrefix(m, "Disconnecting authenticating user "):
		// "Disconnecting invalid user admin 1.2.3.4 port 22: Too many authentication failures [preauth]"
		closed(m[len("Disconnecting "):], ev)
		ev.Action = timeline.ActionLoginFailure
	case devlog.HasPrefix(m, "input_userauth_request: invalid user "):
		ev.Action = timeline.ActionLoginFailure
		ev.AddTag("invalid-user")
		w, _ := devlog.Word(m[len("input_userauth_request: invalid user "):])
		ev.User = str(w)
	case devlog.HasPrefix(m, "Starting session: "):
		// "Starting session: shell on pts/0 for root from 1.2.3.4 port 5555 id 0"
		if r, ok := devlog.After(m, " for "); ok {
			userFrom(r, ev)
		}
	case devlog.HasPrefix(m, "error: maximum authentication attempts exceeded for "):
		ev.Action = timeline.ActionLoginFailure
		forUser(m[len("error: maximum authentication attempts exceeded "):], ev)
	default:
		addrPort(m, ev)
	}
}

// forUser reads "for [invalid user ]USER from ADDR port N[ ssh2[: trail]]".
func forUser(b []byte, ev *timeline.Event) {
	if !devlog.HasPrefix(b, "for ") {
		addrPort(b, ev)
		return
	}
	b = b[4:]
	if devlog.HasPrefix(b, "invalid user ") {
		b = b[len("invalid user "):]
		ev.AddTag("invalid-user")
	}
	userFrom(b, ev)
}

// userFrom reads "USER from ADDR[ port N]..."; the user name may be empty.
func userFrom(b []byte, ev *timeline.Event) {
	i := bytes.Index(b, []byte(" from "))
	if i < 0 {
		if len(b) > 5 && devlog.HasPrefix(b, "from ") {
			addrPort(b, ev)
		}
		return
	}
	ev.User = str(b[:i])
	addrPort(b[i:], ev)
}

// closed reads what follows "Disconnected from" / "Connection closed by":
// "[invalid |authenticating ]user USER ADDR port N[ [preauth]]" or
// "ADDR port N[ [preauth]]".
func closed(b []byte, ev *timeline.Event) {
	preauth := bytes.HasSuffix(bytes.TrimRight(b, " "), []byte("[preauth]"))
	failed := preauth
	switch {
	case devlog.HasPrefix(b, "invalid user "):
		b = b[len("invalid user "):]
		ev.AddTag("invalid-user")
		failed = true
	case devlog.HasPrefix(b, "authenticating user "):
		b = b[len("authenticating user "):]
		failed = true
	case devlog.HasPrefix(b, "user "):
		b = b[len("user "):]
	default:
		if w, rest := devlog.Word(b); devlog.IsIP(w) {
			ev.SrcIP = str(w)
			portWord(rest, ev)
		}
		if preauth {
			ev.Action = timeline.ActionLoginFailure
		} else {
			ev.Action = timeline.ActionLogout
		}
		return
	}
	// USER ADDR port N: the address is the word before " port ".
	p := bytes.Index(b, []byte(" port "))
	if p < 0 {
		return
	}
	sp := bytes.LastIndexByte(b[:p], ' ')
	if sp < 0 {
		return
	}
	ev.User = str(b[:sp])
	ev.SrcIP = str(b[sp+1 : p])
	portWord(b[p+1:], ev)
	if failed {
		ev.Action = timeline.ActionLoginFailure
	} else {
		ev.Action = timeline.ActionLogout
	}
}

// addrPort finds "from ADDR port N" (or "with ADDR port N", "for ADDR port
// N") anywhere in b.
func addrPort(b []byte, ev *timeline.Event) {
	p := bytes.Index(b, []byte(" port "))
	if p < 0 {
		if i := bytes.Index(b, []byte("from ")); i >= 0 {
			w, _ := devlog.Word(b[i+5:])
			if w = devlog.TrimPunct(w); devlog.IsIP(w) {
				ev.SrcIP = str(w)
			}
		}
		return
	}
	sp := bytes.LastIndexByte(b[:p], ' ')
	w := b[sp+1 : p]
	if devlog.IsIP(w) {
		ev.SrcIP = str(w)
		portWord(b[p+1:], ev)
	}
}

// portWord reads "port N[ ssh2]..." into SrcPort (and the protocol).
func portWord(b []byte, ev *timeline.Event) {
	if !devlog.HasPrefix(b, "port ") {
		return
	}
	w, rest := devlog.Word(b[5:])
	if n, ok := devlog.Int32(devlog.TrimPunct(w)); ok && n < 65536 {
		ev.SrcPort = n
	}
	if p, _ := devlog.Word(rest); devlog.HasPrefix(p, "ssh") {
		ev.AddExtra("protocol", str(devlog.TrimPunct(p)))
	}
}

// pam messages: "pam_unix(sshd:auth): authentication failure; logname= uid=0
// euid=0 tty=ssh ruser= rhost=1.2.3.4  user=root", "pam_unix(su:session):
// session opened for user root(uid=0) by alice(uid=1000)", "pam_tally2(sudo:
// auth): user bob (4001) tally 6, deny 5".
func pam(m []byte, ev *timeline.Event) {
	colon := bytes.Index(m, []byte("): "))
	if colon < 0 {
		return
	}
	mod := m[:colon+1]
	if o := bytes.IndexByte(mod, '('); o > 0 {
		ev.AddExtra("pam_module", str(mod[:o]))
		svc := mod[o+1 : len(mod)-1]
		if c := bytes.IndexByte(svc, ':'); c > 0 {
			svc = svc[:c]
		}
		ev.AddExtra("service", str(svc))
	}
	b := m[colon+3:]
	switch {
	case devlog.HasPrefix(b, "authentication failure;"):
		ev.Action = timeline.ActionLoginFailure
		pamFields(b[len("authentication failure;"):], ev)
	case devlog.HasPrefix(b, "session opened for user "):
		ev.Action = timeline.ActionLoginSuccess
		sessionUser(b[len("session opened for user "):], ev)
	case devlog.HasPrefix(b, "session closed for user "):
		ev.Action = timeline.ActionLogout
		sessionUser(b[len("session closed for user "):], ev)
	case devlog.HasPrefix(b, "password changed for "):
		ev.Action = timeline.ActionModify
		w, _ := devlog.Word(b[len("password changed for "):])
		ev.User = str(w)
	case devlog.HasPrefix(b, "user ") && bytes.Contains(b, []byte(" tally ")):
		ev.Action = timeline.ActionLoginFailure
		w, rest := devlog.Word(b[5:])
		ev.User = str(w)
		if uid, _ := devlog.Word(rest); len(uid) > 2 && uid[0] == '(' && uid[len(uid)-1] == ')' {
			ev.AddExtra("uid", str(uid[1:len(uid)-1]))
		}
	case devlog.HasPrefix(b, "check pass; user unknown"):
		ev.Action = timeline.ActionLoginFailure
	}
}

// pamFields reads "logname= uid=0 euid=0 tty=ssh ruser= rhost=1.2.3.4  user=root".
func pamFields(rest []byte, ev *timeline.Event) {
	for {
		k, v, r, eq, ok := devlog.NextKV(rest)
		if !ok {
			break
		}
		rest = r
		if !eq {
			continue
		}
		switch string(k) {
		case "rhost":
			if len(v) > 0 {
				ev.SrcIP = str(v)
			}
		case "user":
			ev.User = str(v)
		case "ruser":
			if len(v) > 0 {
				ev.AddExtra("ruser", str(v))
			}
		case "tty":
			ev.AddExtra("tty", str(v))
		case "uid":
			ev.AddExtra("uid", str(v))
		case "euid":
			ev.AddExtra("euid", str(v))
		case "logname":
			if len(v) > 0 {
				ev.AddExtra("logname", str(v))
			}
		}
	}
}

// sessionUser reads "root(uid=0) by alice(uid=1000)" or "root by (uid=0)".
func sessionUser(b []byte, ev *timeline.Event) {
	w, rest := devlog.Word(b)
	if o := bytes.IndexByte(w, '('); o > 0 {
		w = w[:o]
	}
	ev.User = str(w)
	if by, ok := devlog.After(rest, "by "); ok {
		u, _ := devlog.Word(by)
		if o := bytes.IndexByte(u, '('); o > 0 {
			ev.AddExtra("by", str(u[:o]))
		}
	}
}

// sudo: "alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/ls
// -l", with "3 incorrect password attempts ; " or "command not allowed ; "
// before TTY when it refused.
func sudo(m []byte, ev *timeline.Event) {
	sep := bytes.Index(m, []byte(" : "))
	if sep <= 0 {
		return
	}
	user := bytes.TrimLeft(m[:sep], " ")
	if bytes.IndexByte(user, ' ') >= 0 {
		return
	}
	ev.User = str(user)
	ev.Action = timeline.ActionExecute
	rest := m[sep+3:]
	for len(rest) > 0 {
		var part []byte
		if i := bytes.Index(rest, []byte(" ; ")); i >= 0 {
			part, rest = rest[:i], rest[i+3:]
		} else {
			part, rest = rest, nil
		}
		k, v, ok := bytes.Cut(part, []byte{'='})
		if !ok {
			if bytes.Contains(part, []byte("incorrect password")) || bytes.Contains(part, []byte("not allowed")) ||
				bytes.Contains(part, []byte("NOT in sudoers")) || bytes.Contains(part, []byte("authentication failure")) {
				ev.Action = timeline.ActionLoginFailure
				ev.AddExtra("reason", str(part))
			}
			continue
		}
		switch string(k) {
		case "TTY":
			ev.AddExtra("tty", str(v))
		case "PWD":
			ev.AddExtra("cwd", str(v))
		case "USER":
			ev.AddExtra("target_user", str(v))
		case "COMMAND":
			ev.AddExtra("command", str(part[len("COMMAND="):]))
			rest = nil // the command runs to the end of the line
		}
	}
}

// su: "Successful su for root by alice", "FAILED su for root by alice",
// "+ pts/0 alice:root", "(to root) alice on pts/0".
func su(m []byte, ev *timeline.Event) {
	switch {
	case devlog.HasPrefix(m, "Successful su for "), devlog.HasPrefix(m, "FAILED su for "):
		ev.Action = timeline.ActionLoginSuccess
		if m[0] == 'F' {
			ev.Action = timeline.ActionLoginFailure
		}
		b, _ := devlog.After(m, " su for ")
		target, rest := devlog.Word(b)
		ev.AddExtra("target_user", str(target))
		if by, ok := devlog.After(rest, "by "); ok {
			u, _ := devlog.Word(by)
			ev.User = str(u)
		}
	case devlog.HasPrefix(m, "(to "):
		e := bytes.IndexByte(m, ')')
		if e < 0 {
			return
		}
		ev.Action = timeline.ActionLoginSuccess
		ev.AddExtra("target_user", str(m[4:e]))
		u, rest := devlog.Word(m[e+1:])
		ev.User = str(u)
		if tty, ok := devlog.After(rest, "on "); ok {
			ev.AddExtra("tty", str(tty))
		}
	case len(m) > 2 && (m[0] == '+' || m[0] == '-') && m[1] == ' ':
		_, rest := devlog.Word(m[2:])
		from, to, ok := bytes.Cut(rest, []byte{':'})
		if ok {
			ev.User = str(from)
			ev.AddExtra("target_user", str(to))
			ev.Action = timeline.ActionLoginSuccess
			if m[0] == '-' {
				ev.Action = timeline.ActionLoginFailure
			}
		}
	}
}

// cron: "(root) CMD (touch /tmp/x)".
func cron(m []byte, ev *timeline.Event) {
	if len(m) < 3 || m[0] != '(' {
		return
	}
	e := bytes.IndexByte(m, ')')
	if e < 0 {
		return
	}
	ev.User = str(m[1:e])
	rest := bytes.TrimLeft(m[e+1:], " ")
	if devlog.HasPrefix(rest, "CMD (") {
		cmd := rest[5:]
		if len(cmd) > 0 && cmd[len(cmd)-1] == ')' {
			cmd = cmd[:len(cmd)-1]
		}
		ev.Action = timeline.ActionExecute
		ev.AddExtra("command", str(cmd))
	}
}

// login: "FAILED LOGIN 1 FROM tty1 FOR root, Authentication failure",
// "ROOT LOGIN ON tty1", "LOGIN ON tty1 BY alice".
func login(m []byte, ev *timeline.Event) {
	switch {
	case devlog.HasPrefix(m, "FAILED LOGIN"):
		ev.Action = timeline.ActionLoginFailure
		if b, ok := devlog.After(m, " FOR "); ok {
			u, _ := devlog.Word(b)
			ev.User = strings.Trim(str(devlog.TrimPunct(u)), "'")
		}
	case devlog.HasPrefix(m, "ROOT LOGIN"):
		ev.Action = timeline.ActionLoginSuccess
		ev.User = "root"
	case devlog.HasPrefix(m, "LOGIN ON "):
		ev.Action = timeline.ActionLoginSuccess
		if b, ok := devlog.After(m, " BY "); ok {
			u, _ := devlog.Word(b)
			ev.User = str(u)
		}
	}
}

// systemd-logind: "New session 3 of user alice.", "Removed session 3.".
func logind(m []byte, ev *timeline.Event) {
	switch {
	case devlog.HasPrefix(m, "New session "):
		if b, ok := devlog.After(m, " of user "); ok {
			ev.User = str(devlog.TrimPunct(b))
			ev.Action = timeline.ActionLoginSuccess
		}
		w, _ := devlog.Word(m[len("New session "):])
		ev.AddExtra("session", str(w))
	case devlog.HasPrefix(m, "Removed session "):
		ev.Action = timeline.ActionLogout
		ev.AddExtra("session", str(devlog.TrimPunct(m[len("Removed session "):])))
	}
}

// detect: syslog lines most of whose programs are the authentication
// programs (CRON counts only for its PAM session lines, not for CMD lines), or a file named auth.log / secure with syslog lines. It scores
// above plain syslog (≤ 85) only when the auth programs dominate.
func detect(name string, head []byte) int {
	in := &parsers.Input{ZoneSource: "detect"}
	s := devlog.NewState(in, 2000)
	var h syslog.Header
	lines, sys, auth := 0, 0, 0
	devlog.Lines(head, 30, func(line []byte) {
		if line[0] == ' ' || line[0] == '\t' {
			return
		}
		lines++
		if !s.Header(line, &h) || len(h.Program) == 0 {
			return
		}
		sys++
		if isAuthProgram(h.Program, h.Message) {
			auth++
		}
	})
	if lines == 0 || sys*2 < lines {
		return 0
	}
	base := strings.ToLower(filepath.Base(name))
	named := strings.HasPrefix(base, "auth.log") || strings.HasPrefix(base, "secure")
	switch {
	case auth*10 >= sys*7:
		return 90
	case named:
		return 88
	case auth*2 >= sys:
		return 60
	}
	return 0
}

func isAuthProgram(p, msg []byte) bool {
	switch string(p) {
	case "sshd", "sshd-session", "sudo", "su", "login", "systemd-logind", "passwd", "useradd", "usermod", "groupadd", "chpasswd", "unix_chkpwd":
		return true
	}
	return bytes.HasPrefix(msg, []byte("pam_"))
}
