package linux

import (
	"bytes"
	"context"
	"encoding/json"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// DockerName is the Docker json-file log format's name and its events' source.
const DockerName = "docker-json"

func init() {
	parsers.Register(&parsers.Format{
		Name:        DockerName,
		Sources:     []parsers.Source{{Name: DockerName, Class: parsers.ClassSystem}},
		Description: "Docker container log, json-file driver (/var/lib/docker/containers/ID/ID-json.log)",
		HasZone:     true,
		HasYear:     true,
		Detect:      detectDocker,
		Parse:       parseDocker,
		ParseLine: func(line []byte, in *parsers.Input, ev *timeline.Event) bool {
			return dockerLine(line, ev, &dockerRecord{})
		},
	})
}

// dockerRecord is one line of a json-file log.
type dockerRecord struct {
	Log    string `json:"log"`
	Stream string `json:"stream"`
	Time   string `json:"time"`
}

// dockerTime reads the record's RFC 3339 time; Docker writes UTC with Z,
// older versions (and plaso's sample) without it.
func dockerTime(s string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	t, err := time.Parse("2006-01-02T15:04:05.999999999", s)
	return t, err == nil
}

func dockerLine(line []byte, ev *timeline.Event, rec *dockerRecord) bool {
	if len(line) == 0 || line[0] != '{' {
		return false
	}
	*rec = dockerRecord{}
	if json.Unmarshal(line, rec) != nil || rec.Time == "" {
		return false
	}
	t, ok := dockerTime(rec.Time)
	if !ok {
		return false
	}
	ev.Time, ev.TimeDesc, ev.TimeOrig, ev.Zone = t.UnixNano(), timeline.TimeLog, rec.Time, "UTC"
	ev.Source = DockerName
	ev.Message = rec.Log
	if rec.Stream != "" {
		ev.AddExtra("stream", rec.Stream)
	}
	return true
}

// containerID is the 64-hex directory or file name the log lives under.
func containerID(name string) string {
	name = filepath.ToSlash(name)
	if i := strings.LastIndexByte(name, '!'); i >= 0 {
		name = name[i+1:]
	}
	for _, p := range []string{path.Base(path.Dir(name)), strings.TrimSuffix(path.Base(name), "-json.log")} {
		if len(p) == 64 && isLowerHex(p) {
			return p
		}
	}
	return ""
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func parseDocker(ctx context.Context, in *parsers.Input, sink timeline.Sink) error {
	id := containerID(in.Name)
	var rec dockerRecord
	line := func(b []byte, _ *parsers.Input, ev *timeline.Event) bool {
		if !dockerLine(b, ev, &rec) {
			return false
		}
		if id != "" {
			ev.AddExtra("container", id)
		}
		return true
	}
	return parseLines(ctx, in, sink, line, "not a Docker json-file record ({\"log\", \"stream\", \"time\"})")
}

func detectDocker(name string, head []byte) int {
	if !bytes.HasPrefix(head, []byte(`{"log":`)) {
		return 0
	}
	var ev timeline.Event
	var rec dockerRecord
	lines, good := countLines(head, func(l []byte) bool { ev.Reset(); return dockerLine(l, &ev, &rec) })
	if lines == 0 || good*2 < lines {
		return 0
	}
	score := 90 * good / lines
	if strings.HasSuffix(name, "-json.log") {
		score += 5
	}
	return score
}
