package linux

import (
	"crypto/sha256"
	"encoding/base64"
	"net/netip"
	"strings"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// HostAddressPrefix starts the message of an event stating one of the
// evidence host's own addresses (network configuration, or an /etc/hosts
// line naming the host): scope's host identity reads these
// (search/vocab LearnHosts, which searches for HostAddressPhrase).
const (
	HostAddressPhrase = "host address"
	HostAddressPrefix = HostAddressPhrase + " "
)

// TimePasswordChange is the TimeDesc of shadow's last password change.
const TimePasswordChange = "password-change"

var configFiles = []configFile{
	{"passwd", func(p string) bool { return under(p, "etc/passwd") || under(p, "etc/passwd-") }, passwdLine},
	{"shadow", func(p string) bool { return under(p, "etc/shadow") || under(p, "etc/shadow-") }, shadowLine},
	{"group", func(p string) bool { return under(p, "etc/group") || under(p, "etc/group-") }, groupLine},
	{"authorized_keys", func(p string) bool {
		return strings.HasSuffix(p, ".ssh/authorized_keys") || strings.HasSuffix(p, ".ssh/authorized_keys2")
	}, keyLine},
	{"crontab", func(p string) bool {
		return under(p, "etc/crontab") || strings.Contains(p, "etc/cron.d/") || strings.Contains(p, "spool/cron/crontabs/") ||
			strings.Contains(p, "var/spool/cron/") && !strings.Contains(base(p), ".")
	}, cronLine},
	{"hostname", func(p string) bool { return under(p, "etc/hostname") }, hostnameLine},
	{"hosts", func(p string) bool { return under(p, "etc/hosts") }, hostsLine},
	{"interfaces", func(p string) bool {
		return under(p, "etc/network/interfaces") || strings.Contains(p, "etc/network/interfaces.d/")
	}, ifupLine},
	{"ifcfg", func(p string) bool {
		return strings.Contains(p, "network-scripts/") && strings.HasPrefix(base(p), "ifcfg-")
	}, ifcfgLine},
	{"netplan", func(p string) bool { return strings.Contains(p, "etc/netplan/") && strings.HasSuffix(p, ".yaml") }, netplanLine},
	{"nmconnection", func(p string) bool { return strings.HasSuffix(p, ".nmconnection") }, nmLine},
}

// fields splits a colon-separated line into exactly n fields.
func fields(text []byte, n int) ([]string, bool) {
	f := strings.Split(string(text), ":")
	return f, len(f) == n
}

func passwdLine(_ *configParse, text []byte, ev *timeline.Event) bool {
	f, ok := fields(text, 7)
	if !ok || f[0] == "" {
		return false
	}
	if _, ok := parsers.Digits([]byte(f[2])); !ok {
		return false
	}
	if _, ok := parsers.Digits([]byte(f[3])); !ok {
		return false
	}
	ev.User = f[0]
	ev.Message = "account " + f[0] + " uid " + f[2] + " gid " + f[3] + " home " + f[5] + " shell " + f[6]
	ev.AddExtra("uid", f[2])
	ev.AddExtra("gid", f[3])
	ev.AddExtra("gecos", f[4])
	ev.AddExtra("home", f[5])
	ev.AddExtra("shell", f[6])
	if f[2] == "0" && f[0] != "root" {
		ev.AddTag("uid0") // a second superuser: a classic backdoor
	}
	return true
}

// passwordState says what the hash field holds without keeping the hash.
func passwordState(h string) string {
	switch {
	case h == "":
		return "empty" // no password at all
	case h[0] == '!' || h[0] == '*':
		return "locked"
	case strings.HasPrefix(h, "$1$"):
		return "md5"
	case strings.HasPrefix(h, "$5$"):
		return "sha256"
	case strings.HasPrefix(h, "$6$"):
		return "sha512"
	case strings.HasPrefix(h, "$y$"):
		return "yescrypt"
	case strings.HasPrefix(h, "$2"):
		return "bcrypt"
	}
	return "set"
}

func shadowLine(_ *configParse, text []byte, ev *timeline.Event) bool {
	f, ok := fields(text, 9)
	if !ok || f[0] == "" {
		return false
	}
	ev.User = f[0]
	state := passwordState(f[1])
	ev.AddExtra("password", state)
	if f[7] != "" {
		ev.AddExtra("expire_days", f[7])
	}
	ev.Message = "password of " + f[0] + " (" + state + ")"
	if state == "empty" {
		ev.AddTag("empty-password")
	}
	if f[2] == "" {
		return true
	}
	days, ok := parsers.Digits([]byte(f[2]))
	if !ok {
		return false
	}
	if days > 0 {
		ev.Time, ev.TimeDesc, ev.TimeOrig = int64(days)*86400e9, TimePasswordChange, f[2]
		ev.Action = timeline.ActionModify
		ev.Message = "password of " + f[0] + " last changed (" + state + ")"
	}
	return true
}

// adminGroups grant root or its equivalent to their members.
var adminGroups = map[string]bool{"root": true, "sudo": true, "wheel": true, "admin": true, "docker": true, "lxd": true, "disk": true}

func groupLine(_ *configParse, text []byte, ev *timeline.Event) bool {
	f, ok := fields(text, 4)
	if !ok || f[0] == "" {
		return false
	}
	if _, ok := parsers.Digits([]byte(f[2])); !ok {
		return false
	}
	ev.Message = "group " + f[0] + " gid " + f[2] + " members " + f[3]
	ev.AddExtra("group", f[0])
	ev.AddExtra("gid", f[2])
	ev.AddExtra("members", f[3])
	if adminGroups[f[0]] && f[3] != "" {
		ev.AddTag("admin-group")
	}
	return true
}

// keyTypes are the public key algorithms of OpenSSH's authorized_keys.
func keyType(s string) bool {
	return strings.HasPrefix(s, "ssh-") || strings.HasPrefix(s, "ecdsa-sha2-") || strings.HasPrefix(s, "sk-ssh-") || strings.HasPrefix(s, "sk-ecdsa-")
}

// splitOptions cuts the options (quoted strings may hold spaces) off an
// authorized_keys line.
func splitOptions(s string) (opts, rest string) {
	inQuote := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			inQuote = !inQuote
		case c == '\\' && inQuote:
			i++
		case (c == ' ' || c == '\t') && !inQuote:
			return s[:i], strings.TrimLeft(s[i:], " \t")
		}
	}
	return s, ""
}

func keyLine(c *configParse, text []byte, ev *timeline.Event) bool {
	s := strings.TrimSpace(string(text))
	var opts string
	if first, _, _ := strings.Cut(s, " "); !keyType(first) {
		opts, s = splitOptions(s)
	}
	f := strings.Fields(s)
	if len(f) < 2 || !keyType(f[0]) {
		return false
	}
	blob, err := base64.StdEncoding.DecodeString(f[1])
	if err != nil {
		return false
	}
	sum := sha256.Sum256(blob)
	fp := "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
	comment := strings.Join(f[2:], " ")
	ev.User = c.user
	ev.Message = "authorized key for " + c.user + ": " + f[0] + " " + fp
	if comment != "" {
		ev.Message += " " + comment
	}
	ev.AddExtra("key_type", f[0])
	ev.AddExtra("fingerprint", fp)
	if comment != "" {
		ev.AddExtra("comment", comment)
	}
	if opts != "" {
		ev.AddExtra("options", opts)
	}
	return true
}

// cronLine reads a crontab entry: five time fields or an @keyword, the user
// in the system crontabs (/etc/crontab, /etc/cron.d), and the command.
// Environment assignments are kept as such.
func cronLine(c *configParse, text []byte, ev *timeline.Event) bool {
	s := strings.TrimSpace(string(text))
	if name, val, ok := strings.Cut(s, "="); ok && !strings.ContainsAny(name, " \t*@") {
		ev.Message = "cron environment " + name + "=" + val
		return true
	}
	f := strings.Fields(s)
	n := 5
	if strings.HasPrefix(s, "@") {
		n = 1
	}
	system := strings.Contains(c.path, "etc/cron")
	need := n + 1
	if system {
		need++
	}
	if len(f) < need {
		return false
	}
	for _, t := range f[:n] {
		if strings.Trim(t, "0123456789*/,-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ@") != "" {
			return false
		}
	}
	schedule := strings.Join(f[:n], " ")
	user := c.user
	rest := f[n:]
	if system {
		user, rest = f[n], f[n+1:]
	}
	cmd := strings.Join(rest, " ")
	ev.User = user
	ev.Message = "cron " + schedule + " " + user + ": " + cmd
	ev.AddExtra("schedule", schedule)
	ev.AddExtra("command", cmd)
	return true
}

func hostnameLine(_ *configParse, text []byte, ev *timeline.Event) bool {
	s := strings.TrimSpace(string(text))
	if s == "" || strings.ContainsAny(s, " \t/:") {
		return false
	}
	ev.Message = "hostname " + s
	ev.AddExtra("hostname", s)
	return true
}

// ownAddress fills a host-address event.
func ownAddress(ev *timeline.Event, a netip.Addr, how string) {
	ev.Message = HostAddressPrefix + a.String() + " (" + how + ")"
	ev.AddExtra("address", a.String())
}

// sameHost reports whether name names the evidence host (first labels
// equal, any case).
func sameHost(name, host string) bool {
	if host == "" {
		return false
	}
	n, _, _ := strings.Cut(name, ".")
	h, _, _ := strings.Cut(host, ".")
	return strings.EqualFold(n, h)
}

func hostsLine(c *configParse, text []byte, ev *timeline.Event) bool {
	s, _, _ := strings.Cut(string(text), "#")
	f := strings.Fields(s)
	if len(f) < 2 {
		return false
	}
	a, err := netip.ParseAddr(f[0])
	if err != nil {
		return false
	}
	names := strings.Join(f[1:], " ")
	ev.AddExtra("names", names)
	own := false
	for _, n := range f[1:] {
		own = own || sameHost(n, c.in.Host)
	}
	if own && !a.IsLoopback() && !a.IsUnspecified() {
		ownAddress(ev, a, "hosts: "+names)
		return true
	}
	ev.Message = "hosts entry " + a.String() + " " + names
	ev.AddExtra("address", a.String())
	return true
}

// prefixAddr reads "A" or "A/len".
func prefixAddr(s string) (netip.Addr, bool) {
	s, _, _ = strings.Cut(strings.Trim(s, `"' ,[]`), "/")
	a, err := netip.ParseAddr(s)
	return a, err == nil && !a.IsLoopback() && !a.IsUnspecified()
}

// ifupLine: Debian's /etc/network/interfaces: "iface eth0 inet static" then
// "address A[/len]".
func ifupLine(c *configParse, text []byte, ev *timeline.Event) bool {
	f := strings.Fields(string(text))
	if len(f) == 0 {
		return false
	}
	switch f[0] {
	case "iface":
		if len(f) >= 2 {
			c.section = f[1]
		}
	case "address":
		if len(f) >= 2 {
			if a, ok := prefixAddr(f[1]); ok {
				ownAddress(ev, a, "interfaces: "+c.section)
				return true
			}
		}
	}
	ev.Message = "interfaces " + strings.Join(f, " ")
	return true
}

// ifcfgLine: RHEL's network-scripts/ifcfg-*: KEY=value, IPADDR[N]=A.
func ifcfgLine(c *configParse, text []byte, ev *timeline.Event) bool {
	k, v, ok := strings.Cut(strings.TrimSpace(string(text)), "=")
	if !ok {
		return false
	}
	v = strings.Trim(v, `"'`)
	if strings.HasPrefix(k, "IPADDR") {
		if a, ok := prefixAddr(v); ok {
			ownAddress(ev, a, base(c.path))
			return true
		}
	}
	ev.Message = base(c.path) + " " + k + "=" + v
	return true
}

// netplanLine: the items of an "addresses:" key, inline ([A/len, ...]) or
// as a list below it.
func netplanLine(c *configParse, text []byte, ev *timeline.Event) bool {
	t := strings.TrimSpace(string(text))
	switch {
	case strings.HasPrefix(t, "addresses:"):
		c.section = "addresses"
		rest := strings.TrimSpace(strings.TrimPrefix(t, "addresses:"))
		for _, item := range strings.Split(rest, ",") {
			if a, ok := prefixAddr(item); ok {
				ownAddress(ev, a, "netplan "+base(c.path))
				return true
			}
		}
	case strings.HasPrefix(t, "- ") && c.section == "addresses":
		if a, ok := prefixAddr(t[2:]); ok {
			ownAddress(ev, a, "netplan "+base(c.path))
			return true
		}
	case strings.Contains(t, ":"):
		c.section = ""
	}
	ev.Message = "netplan " + t
	return true
}

// nmLine: NetworkManager keyfiles: [ipv4] address1=A/len[,gateway].
func nmLine(c *configParse, text []byte, ev *timeline.Event) bool {
	t := strings.TrimSpace(string(text))
	if strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") {
		c.section = t[1 : len(t)-1]
		ev.Message = "nmconnection " + t
		return true
	}
	k, v, ok := strings.Cut(t, "=")
	if !ok {
		return false
	}
	if (c.section == "ipv4" || c.section == "ipv6") && strings.HasPrefix(k, "address") {
		first, _, _ := strings.Cut(v, ",")
		if a, ok := prefixAddr(first); ok {
			ownAddress(ev, a, base(c.path))
			return true
		}
	}
	ev.Message = "nmconnection " + c.section + " " + k
	return true
}
