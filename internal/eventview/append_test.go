package eventview

import (
	"encoding/json"
	"testing"

	"github.com/kiseki-forensics/kiseki/timeline"
)

// appendCases are events that exercise every field of the JSON shape.
func appendCases() []timeline.Event {
	var web, fs, raw, fw timeline.Event
	web.Reset()
	web.Time, web.TimeDesc, web.Host, web.Source, web.Evidence, web.RefPath = 1772323200123456789, timeline.TimeRequest, "web01", "access-log", "E0001", "web01/access.log"
	web.Line, web.Offset, web.SrcIP, web.Method, web.URL, web.Status, web.Bytes = 7, 640, "203.0.113.9", "GET", "/a?<b>&c=\u2028", 404, 0
	web.UserAgent, web.Tags, web.TimeOrig, web.Zone = "curl/8 \"x\"\\", "scan,tool", "01/Mar/2026", "+0000"
	web.AddExtra("referer", "-")
	web.AddExtra("b", "1")
	web.AddExtra("b", "2")
	fs.Reset()
	fs.Time, fs.TimeDesc, fs.Source, fs.MFT, fs.Message, fs.Path = -5, "si_mtime", "ntfs", 64, "/a.txt:ads (deleted)", "C:/a.txt:ads"
	fs.MarkFS(false)
	fs.FS.AttrType, fs.FS.AttrID, fs.FS.Mode, fs.FS.UID, fs.FS.GID, fs.FS.Size = 128, 3, "-/rrwxrwxrwx", 0, 0, 12
	raw.Reset()
	raw.Source, raw.TimeDesc, raw.Raw = timeline.SourceRaw, timeline.TimeUnknown, []byte("bad \xff\x01\x7f line")
	fw.Reset()
	fw.Source, fw.Action, fw.SrcIP, fw.SrcPort, fw.DstIP, fw.DstPort, fw.User = "cisco-asa", timeline.ActionDeny, "10.0.0.1", 5555, "10.0.0.2", 22, "root\x1b[31m"
	fw.AddExtra("proto", "tcp")
	return []timeline.Event{web, fs, raw, fw}
}

// TestAppenderMatchesEncodingJSON: the allocation-free writer gives the
// bytes encoding/json gives for the contract's shape, and the summary
// Summary gives.
func TestAppenderMatchesEncodingJSON(t *testing.T) {
	var a Appender
	for i, ev := range appendCases() {
		for _, row := range []int64{-1, int64(i)} {
			want, _ := json.Marshal(JSON(row, &ev))
			if got := a.JSON(nil, row, &ev); string(got) != string(want) {
				t.Errorf("event %d:\n got %s\nwant %s", i, got, want)
			}
		}
	}
}

// FuzzAppenderJSON compares the two encoders on arbitrary field text.
func FuzzAppenderJSON(f *testing.F) {
	f.Add("GET", "/x?<&>", "k", "v\u2029\xff", "t1,t2", []byte("raw\xfe"))
	f.Fuzz(func(t *testing.T, method, url, k, v, tags string, raw []byte) {
		var a Appender
		for _, ev := range appendCases() {
			ev.Method, ev.URL, ev.Tags, ev.Raw = method, url, tags, raw
			ev.AddExtra(k, v)
			want, _ := json.Marshal(JSON(3, &ev))
			if got := a.JSON(nil, 3, &ev); string(got) != string(want) {
				t.Fatalf("\n got %s\nwant %s", got, want)
			}
		}
	})
}

func TestFormulaSafe(t *testing.T) {
	for in, want := range map[string]string{"=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")", "@SUM(A1)": "'@SUM(A1)", "+cmd|' /C calc'!A0": "'+cmd|' /C calc'!A0",
		"-2+3": "'-2+3", "\tx": "'\tx", "GET": "GET", "": ""} {
		if got := FormulaSafe(in); got != want {
			t.Errorf("%q: %q", in, got)
		}
	}
}
