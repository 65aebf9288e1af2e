package server_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/server"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// TestEventLabel: the event detail the web view shows carries the
// event's taxonomy label, and the label fields search over the API as in
// the CLI.
func TestEventLabel(t *testing.T) {
	c := ingestCase(t, sampleBundle(t))
	ts := start(t, c, server.Options{})
	var row int64 = -1
	ts.s.Each(context.Background(), search.Request{Query: "method:GET status:404", Limit: 1}, func(r int64, _ *timeline.Event) error { row = r; return nil })
	if row < 0 {
		t.Fatal("the sample has no GET 404")
	}
	var d struct {
		Event struct{ Sandia, Target, Benign string }
	}
	ts.getJSON(t, "/api/v1/events/"+strconv.FormatInt(row, 10), &d)
	if d.Event.Sandia != "probe" || d.Event.Target != "data" || d.Event.Benign != "" {
		t.Errorf("event %d detail: %+v, want probe/data", row, d.Event)
	}
	want, err := ts.s.Count(context.Background(), search.Request{Query: "method:GET status:404"})
	if err != nil {
		t.Fatal(err)
	}
	var cnt struct{ Total int64 }
	ts.getJSON(t, "/api/v1/count?q="+urlq("sandia:probe target:data"), &cnt)
	if cnt.Total != want {
		t.Errorf("sandia:probe target:data over the API: %d, GET 404s: %d", cnt.Total, want)
	}
}
