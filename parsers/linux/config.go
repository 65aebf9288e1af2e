package linux

import (
	"bytes"
	"context"
	"path"
	"path/filepath"
	"strings"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Configuration files state facts, not moments: each of their records is an
// event at the file's modification time (TimeDesc mtime, tag file-mtime),
// the latest moment the fact is known to hold, unless the record carries a
// time of its own (shadow's last password change).

// TagFileMtime marks events dated by their file's modification time.
const TagFileMtime = "file-mtime"

// configFile is one kind of configuration file: how to recognise it by its
// path, and how to turn one of its lines into an event.
type configFile struct {
	kind  string // extra "file": passwd, shadow, group, authorized_keys, crontab, hostname, hosts, interfaces, ifcfg, netplan, nmconnection
	match func(p string) bool
	line  func(c *configParse, text []byte, ev *timeline.Event) bool
}

// configParse is the state of one configuration file's parse.
type configParse struct {
	in      *parsers.Input
	path    string // the path inside its evidence, slashes, archive/image prefix removed
	user    string // the account a per-user file belongs to
	section string // ini/yaml section or interface being read
}

// innerPath is the file's own path: after the last '!' of an archive
// member or image file reference.
func innerPath(name string) string {
	name = filepath.ToSlash(name)
	if i := strings.LastIndexByte(name, '!'); i >= 0 {
		name = name[i+1:]
	}
	return name
}

// under reports whether p ends with suffix at a path boundary.
func under(p, suffix string) bool {
	return p == suffix || strings.HasSuffix(p, "/"+suffix)
}

// configKind returns the configuration file kind of a path, if any.
func configKind(name string) *configFile {
	p := innerPath(name)
	for i := range configFiles {
		if configFiles[i].match(p) {
			return &configFiles[i]
		}
	}
	return nil
}

// ConfigName is the format's name; its events' source is ConfigSource.
const (
	ConfigName   = "linux-config"
	ConfigSource = "linux-config"
)

func init() {
	parsers.Register(&parsers.Format{
		Name:        ConfigName,
		Sources:     []parsers.Source{{Name: ConfigSource, Class: parsers.ClassSystem}},
		Description: "Linux account and host configuration: passwd, shadow, group, authorized_keys, crontabs, hostname, hosts, network interfaces",
		HasZone:     true,
		HasYear:     true,
		Detect:      detectConfig,
		Parse:       parseConfig,
	})
}

// detectConfig claims a file by its path (etc/passwd, .ssh/authorized_keys,
// ...) when its first lines read as that kind of file.
func detectConfig(name string, head []byte) int {
	k := configKind(name)
	if k == nil || len(head) == 0 || bytes.IndexByte(head, 0) >= 0 {
		return 0
	}
	c := &configParse{in: &parsers.Input{}, path: innerPath(name)}
	var ev timeline.Event
	lines, good := countLines(append(bytes.Clone(head), '\n'), func(l []byte) bool {
		if skipConfigLine(l) {
			return true
		}
		ev.Reset()
		return k.line(c, l, &ev)
	})
	if lines == 0 || good*10 < lines*8 {
		return 0
	}
	return 92
}

// skipConfigLine: blank lines and comments.
func skipConfigLine(l []byte) bool {
	t := bytes.TrimSpace(l)
	return len(t) == 0 || t[0] == '#'
}

func parseConfig(ctx context.Context, in *parsers.Input, sink timeline.Sink) error {
	k := configKind(in.Name)
	if k == nil {
		return nil
	}
	r, err := in.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	c := &configParse{in: in, path: innerPath(in.Name)}
	c.user = homeUser(c.path)
	mtime := int64(0)
	if !in.ModTime.IsZero() {
		mtime = in.ModTime.UnixNano()
	}
	var ev timeline.Event
	return parsers.ScanLines(ctx, r, func(l *parsers.Line) error {
		if skipConfigLine(l.Text) {
			return nil
		}
		ev.Reset()
		parsers.FillRef(&ev, in, l)
		ev.Time, ev.TimeDesc, ev.Zone = mtime, timeline.TimeModified, "UTC"
		ev.Source = ConfigSource
		ev.AddExtra("file", k.kind)
		if !k.line(c, l.Text, &ev) {
			parsers.Unparsed(&ev, in, l, mtime, "not a "+k.kind+" line")
			return sink.Emit(&ev)
		}
		if ev.TimeDesc == timeline.TimeModified { // no time of the record's own
			ev.AddTag(TagFileMtime)
		}
		return sink.Emit(&ev)
	})
}

// homeUser: ".../home/alice/.ssh/x" → alice, ".../root/.ssh/x" → root,
// ".../var/spool/cron/crontabs/alice" → alice.
func homeUser(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		switch {
		case (s == "home" || s == "Users") && i+2 < len(parts):
			return parts[i+1]
		case s == "root" && i+1 < len(parts) && i > 0 && parts[i-1] == "":
			return "root"
		case s == "crontabs" && i+1 < len(parts), s == "cron" && i+1 < len(parts) && i > 0 && parts[i-1] == "spool":
			if u := parts[len(parts)-1]; u != "crontabs" {
				return u
			}
		}
	}
	if strings.HasPrefix(p, "root/") {
		return "root"
	}
	return ""
}

func base(p string) string { return path.Base(p) }
