package carve

import (
	"bytes"
	"strconv"
)

// line looks at the line [i,end): HTTP request/status lines and their
// header blocks, shell prompts, bash-history entries and log line
// candidates (colon: the line holds a ':'). Lines inside an HTTP block
// already handled, and lines over MaxLine, are skipped.
func (s *Scanner) line(i, end int, colon bool) {
	t := s.text
	if i < s.blockDone || end-i > MaxLine {
		return
	}
	e := trimCR(t, i, end)
	if e-i < 2 {
		return
	}
	c := t[i]
	switch {
	case c >= 'A' && c <= 'Z':
		if s.httpBlock(i, e, end) {
			return
		}
	case c == '#':
		if s.bashHistory(i, e, end) {
			return
		}
	}
	if c == '$' || c == '#' || c == '[' || (c >= 'a' && c <= 'z') || c == '_' {
		s.prompt(i, e)
	}
	if colon && e-i >= 16 && hasClock(t[i:e]) {
		s.put(KindLogLine, i, e, t[i:e])
	}
}

// hasClock reports whether b holds a time of day: D:DD:DD.
func hasClock(b []byte) bool {
	for j := 1; j+5 < len(b); {
		k := bytes.IndexByte(b[j:len(b)-5], ':')
		if k < 0 {
			return false
		}
		j += k
		if isDigit(b[j-1]) && isDigit(b[j+1]) && isDigit(b[j+2]) && b[j+3] == ':' && isDigit(b[j+4]) && isDigit(b[j+5]) {
			return true
		}
		j++
	}
	return false
}

var methods = [...]string{"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "CONNECT", "TRACE", "PROPFIND"}

// httpVersion reports whether b is HTTP/D.D or HTTP/D.
func httpVersion(b []byte) bool {
	if len(b) < 6 || string(b[:5]) != "HTTP/" || !isDigit(b[5]) {
		return false
	}
	return len(b) == 6 || (len(b) == 8 && b[6] == '.' && isDigit(b[7]))
}

// httpBlock recognises "METHOD target HTTP/x.y" or "HTTP/x.y NNN reason" at
// line [i,e) and emits it with the header lines that follow.
func (s *Scanner) httpBlock(i, e, end int) bool {
	t := s.text
	ln := t[i:e]
	kind := KindHTTPRequest
	if bytes.HasPrefix(ln, []byte("HTTP/")) {
		sp := bytes.IndexByte(ln, ' ')
		if sp < 0 || !httpVersion(ln[:sp]) || len(ln) < sp+4 ||
			!isDigit(ln[sp+1]) || !isDigit(ln[sp+2]) || !isDigit(ln[sp+3]) || (len(ln) > sp+4 && ln[sp+4] != ' ') {
			return false
		}
		kind = KindHTTPHeader
	} else {
		sp := bytes.IndexByte(ln, ' ')
		if sp < 3 {
			return false
		}
		known := false
		for _, m := range methods {
			if string(ln[:sp]) == m {
				known = true
				break
			}
		}
		if !known {
			return false
		}
		sp2 := bytes.LastIndexByte(ln, ' ')
		if sp2 <= sp+1 || !httpVersion(ln[sp2+1:]) || bytes.IndexByte(ln[sp+1:sp2], ' ') >= 0 {
			return false
		}
	}
	anchor := i
	s.m = Match{Kind: kind, Start: i, End: e, Anchor: anchor, Value: ln}
	s.emit(&s.m)
	// Header lines follow until an empty line, a line that is no header, or
	// the block bound.
	limit := min(len(t), i+MaxBlock)
	p := end + 1
	for n := 0; n < 100 && p < limit; n++ {
		q := bytes.IndexByte(t[p:limit], '\n')
		if q < 0 {
			break
		}
		le := trimCR(t, p, p+q)
		colon := bytes.IndexByte(t[p:le], ':')
		if colon < 1 || !headerName(t[p:p+colon]) {
			break
		}
		name := t[p : p+colon]
		vs := p + colon + 1
		for vs < le && (t[vs] == ' ' || t[vs] == '\t') {
			vs++
		}
		if maskedHeader(name) {
			s.masked = append(s.masked, [2]int{vs, le})
			s.scratch = append(s.scratch[:0], t[p:vs]...)
			s.scratch = append(s.scratch, "[masked "...)
			s.scratch = strconv.AppendInt(s.scratch, int64(le-vs), 10)
			s.scratch = append(s.scratch, " bytes]"...)
			s.m = Match{Kind: KindHTTPHeader, Start: p, End: le, Anchor: anchor, Value: s.scratch}
		} else {
			s.m = Match{Kind: KindHTTPHeader, Start: p, End: le, Anchor: anchor, Value: t[p:le]}
		}
		s.emit(&s.m)
		p += q + 1
	}
	s.blockDone = p
	return true
}

func headerName(b []byte) bool {
	if len(b) > 64 {
		return false
	}
	for _, c := range b {
		if !isAlnum(c) && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

func maskedHeader(name []byte) bool {
	switch len(name) {
	case 6:
		return bytes.EqualFold(name, []byte("cookie"))
	case 10:
		return bytes.EqualFold(name, []byte("set-cookie"))
	case 13:
		return bytes.EqualFold(name, []byte("authorization"))
	case 19:
		return bytes.EqualFold(name, []byte("proxy-authorization"))
	}
	return false
}

// Epoch reads a bash history time stamp line, "#" and ten digits, as
// seconds since 1970.
func Epoch(b []byte) (int64, bool) {
	if len(b) != 11 || b[0] != '#' {
		return 0, false
	}
	sec, ok := digitsValue(b[1:])
	return sec, ok && sec >= 1000000000
}

// bashHistory recognises "#EPOCH" (10 digits) followed by a command line.
func (s *Scanner) bashHistory(i, e, end int) bool {
	t := s.text
	sec, ok := Epoch(t[i:e])
	if !ok {
		return false
	}
	cs := end + 1
	if cs >= len(t) {
		return false
	}
	ce, ok := s.lineEnd(cs)
	if !ok {
		return false
	}
	ce = trimCR(t, cs, ce)
	for cs < ce && (t[cs] == ' ' || t[cs] == '\t') {
		cs++
	}
	if cs >= ce || t[cs] == '#' {
		return false
	}
	s.m = Match{Kind: KindCommand, Start: cs, End: ce, Anchor: cs, Value: t[cs:ce], Epoch: sec}
	s.emit(&s.m)
	return true
}

func digitsValue(b []byte) (int64, bool) {
	var n int64
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	for _, c := range b {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// commonCommands are the first words accepted after a bare "$ " or "# "
// prompt; after a full user@host prompt any command is accepted.
var commonCommands = map[string]bool{}

func init() {
	for _, w := range []string{
		"ls", "cd", "cat", "wget", "curl", "chmod", "chown", "ssh", "scp", "sftp", "sudo", "su", "rm", "mv", "cp",
		"python", "python2", "python3", "perl", "php", "ruby", "nc", "ncat", "netcat", "socat", "bash", "sh", "zsh",
		"tar", "unzip", "zip", "gzip", "gunzip", "echo", "printf", "id", "whoami", "uname", "ps", "netstat", "ss",
		"kill", "pkill", "killall", "nohup", "crontab", "mysql", "mysqldump", "psql", "git", "vi", "vim", "nano",
		"useradd", "usermod", "userdel", "passwd", "history", "base64", "openssl", "find", "grep", "awk", "sed",
		"export", "tail", "head", "less", "more", "touch", "mkdir", "ln", "iptables", "systemctl", "service",
		"docker", "kubectl", "apt", "apt-get", "yum", "dnf", "pip", "pip3", "make", "gcc", "mount", "umount",
		"dd", "ifconfig", "ip", "ping", "nmap", "hostname", "w", "who", "last", "lastlog", "env", "set", "unset",
		"chattr", "lsattr", "shred", "xxd", "strings", "file", "stat", "df", "du", "free", "top", "lsof", "exit",
		"logout", "source", "eval", "exec", "nslookup", "dig", "host", "telnet", "ftp", "rsync",
	} {
		commonCommands[w] = true
	}
}

// prompt recognises a command after a shell prompt on line [i,e):
// "user@host:path$ cmd", "user@host:path# cmd", "[user@host path]$ cmd",
// or a bare "$ cmd" / "# cmd" whose first word is a common command.
func (s *Scanner) prompt(i, e int) {
	t := s.text
	ln := t[i:e]
	cmd := -1
	full := false
	switch c := ln[0]; {
	case c == '$' || c == '#':
		if len(ln) > 2 && ln[1] == ' ' {
			cmd = 2
		}
	case c == '[':
		k := bytes.IndexByte(ln[:min(len(ln), 96)], ']')
		if k > 3 && k+2 < len(ln) && (ln[k+1] == '$' || ln[k+1] == '#') && ln[k+2] == ' ' &&
			bytes.IndexByte(ln[1:k], '@') > 0 {
			cmd, full = k+3, true
		}
	default:
		// user@host:path$
		j := 0
		for j < len(ln) && j < 33 && (isAlnum(ln[j]) || ln[j] == '_' || ln[j] == '-' || ln[j] == '.') {
			j++
		}
		if j == 0 || j >= len(ln) || ln[j] != '@' {
			return
		}
		j++
		h := j
		for j < len(ln) && j-h < 64 && isHostChar(ln[j]) {
			j++
		}
		if j == h || j >= len(ln) || ln[j] != ':' {
			return
		}
		j++
		p := j
		for j < len(ln) && j-p < 256 && ln[j] != ' ' && ln[j] != '$' && ln[j] != '#' {
			j++
		}
		if j+2 < len(ln) && (ln[j] == '$' || ln[j] == '#') && ln[j+1] == ' ' {
			cmd, full = j+2, true
		}
	}
	if cmd < 0 {
		return
	}
	for cmd < len(ln) && ln[cmd] == ' ' {
		cmd++
	}
	if cmd >= len(ln) {
		return
	}
	if !full {
		// A bare "$ " or "# " is also how comments and prose start: the
		// first word must be a common command or a path to a program, and
		// the arguments, if any, must hold shell syntax (an option, a path,
		// a pipe, a redirection, a variable).
		w := cmd
		for w < len(ln) && ln[w] != ' ' && ln[w] != ';' && ln[w] != '|' {
			w++
		}
		word := ln[cmd:w]
		if !commonCommands[string(word)] && !isPathWord(word) {
			return
		}
		if w < len(ln) && !bytes.ContainsAny(ln[w:], "-/|>&;=$") {
			return
		}
	}
	s.put(KindCommand, i+cmd, e, ln[cmd:])
}

// isPathWord reports whether w looks like a program path: /usr/bin/x, ./x.
func isPathWord(w []byte) bool {
	if len(w) < 3 || !(w[0] == '/' || (w[0] == '.' && w[1] == '/')) {
		return false
	}
	for _, c := range w {
		if !isAlnum(c) && c != '/' && c != '.' && c != '_' && c != '-' {
			return false
		}
	}
	return true
}
