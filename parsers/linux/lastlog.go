package linux

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// LastlogName is the lastlog format's name and its events' source.
const LastlogName = "lastlog"

func init() {
	parsers.Register(&parsers.Format{
		Name:        LastlogName,
		Sources:     []parsers.Source{{Name: LastlogName, Class: parsers.ClassLogin}},
		Description: "Linux /var/log/lastlog (each account's last login, indexed by uid)",
		HasZone:     true,
		HasYear:     true,
		Detect:      detectLastlog,
		Parse:       parseLastlog,
	})
}

// lastlog records: int32 ll_time, char ll_line[32], char ll_host[256]
// (glibc's struct lastlog; the time stays 32-bit on 64-bit Linux). The
// record of uid N is at offset N*lastlogSize: the file is sparse.
const (
	lastlogSize = 292
	lastlogLine = 32
)

// lastlogRecord decodes one record; ok is false for an empty (never
// logged in) or implausible one.
func lastlogRecord(b []byte) (sec int64, line, host []byte, ok bool) {
	sec = int64(binary.LittleEndian.Uint32(b))
	if sec == 0 {
		return 0, nil, nil, false
	}
	line = cstr(b[4 : 4+lastlogLine])
	host = cstr(b[4+lastlogLine : lastlogSize])
	return sec, line, host, printable(line) && printable(host)
}

func cstr(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

func printable(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}

func parseLastlog(ctx context.Context, in *parsers.Input, sink timeline.Sink) error {
	r, err := in.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	buf := make([]byte, lastlogSize)
	var ev timeline.Event
	for uid := int64(0); ; uid++ {
		if uid&4095 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if _, err := io.ReadFull(r, buf); err != nil {
			if err == io.ErrUnexpectedEOF {
				in.Problemf("lastlog-truncated", int64(uid*lastlogSize), 0, "truncated lastlog record")
			}
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return nil
			}
			return err
		}
		sec, line, host, ok := lastlogRecord(buf)
		if !ok {
			if sec != 0 {
				in.Problemf("lastlog-not-text", int64(uid*lastlogSize), 0, "lastlog record of uid %d is not text", uid)
			}
			continue
		}
		ev.Reset()
		ev.Host, ev.Evidence, ev.RefPath, ev.Offset = in.Host, in.Evidence, in.Name, uid*lastlogSize
		ev.Time, ev.TimeDesc, ev.TimeOrig, ev.Zone = sec*1e9, timeline.TimeLogin, strconv.FormatInt(sec, 10), "UTC"
		ev.Source = LastlogName
		ev.Action = timeline.ActionLoginSuccess
		u := strconv.FormatInt(uid, 10)
		ev.AddExtra("uid", u)
		ev.AddExtra("terminal", str(line))
		ev.Message = "last login of uid " + u + " on " + str(line)
		if len(host) > 0 {
			ev.AddExtra("remote_host", str(host))
			ev.Message += " from " + str(host)
			if a, err := netip.ParseAddr(str(host)); err == nil {
				ev.SrcIP = a.String()
			}
		}
		if err := sink.Emit(&ev); err != nil {
			return err
		}
	}
}

// detectLastlog: the name lastlog and records that read as lastlog's.
func detectLastlog(name string, head []byte) int {
	if !strings.HasPrefix(strings.ToLower(filepath.Base(name)), "lastlog") || len(head) < lastlogSize {
		return 0
	}
	for off := 0; off+lastlogSize <= len(head); off += lastlogSize {
		r := head[off : off+lastlogSize]
		if sec, _, _, ok := lastlogRecord(r); sec != 0 && !ok {
			return 0
		}
	}
	return 90
}
