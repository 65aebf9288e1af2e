package server

import (
	"bufio"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kiseki-forensics/kiseki/engine"
	"github.com/kiseki-forensics/kiseki/internal/eventview"
	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/timeline"
)

func (srv *Server) routes() {
	m := srv.mux
	m.HandleFunc("GET /api/v1/case", srv.apiCase)
	m.HandleFunc("GET /api/v1/events", limited(srv.scans, srv.apiEvents))
	m.HandleFunc("GET /api/v1/events/{row}", srv.apiEvent)
	m.HandleFunc("GET /api/v1/events/{row}/raw", srv.apiEventRaw)
	m.HandleFunc("GET /api/v1/count", srv.apiCount)
	m.HandleFunc("GET /api/v1/histogram", srv.apiHistogram)
	m.HandleFunc("GET /api/v1/facets", srv.apiFacets)
	m.HandleFunc("GET /api/v1/evidence", srv.apiEvidence)
	m.HandleFunc("GET /api/v1/annotations", srv.apiAnnotations)
	m.HandleFunc("POST /api/v1/annotations", srv.apiAnnotate)
	m.HandleFunc("GET /api/v1/export", limited(srv.scans, srv.apiExport))
	m.HandleFunc("GET /api/v1/annotations/export", srv.apiAnnotationsExport)
	m.HandleFunc("GET /api/v1/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, errors.New("no such API endpoint"))
	})
	srv.investigateRoutes()
	srv.statsRoutes()
	srv.pageRoutes()
}

// Limits on what one response carries: a 10 MB log field must not make a
// 10 MB grid row.
const (
	maxPage          = 1000
	gridFieldBytes   = 2000
	detailRawBytes   = 1 << 20
	detailFieldBytes = 64 << 10
)

type apiError struct {
	Error string `json:"error"`
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.Encode(v) // encoding/json escapes <, > and & in strings
}

func writeError(w http.ResponseWriter, code int, err error) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(apiError{err.Error()})
}

func badRequest(w http.ResponseWriter, err error) { writeError(w, http.StatusBadRequest, err) }

// requestOf turns the common query parameters into a search request: q (the
// CLI's query language), host, source and tag (repeatable filters, ORed
// within a field), from and to (RFC 3339, nanoseconds, or
// YYYY-MM-DD[ HH:MM[:SS]] in the zone tz, default the case zone).
func (srv *Server) requestOf(r *http.Request) (search.Request, *time.Location, error) {
	v := r.URL.Query()
	loc, err := srv.zone(v.Get("tz"))
	if err != nil {
		return search.Request{}, nil, err
	}
	var req search.Request
	if req.From, err = search.ParseTime(v.Get("from"), loc, false); err != nil {
		return req, nil, err
	}
	if req.To, err = search.ParseTime(v.Get("to"), loc, true); err != nil {
		return req, nil, err
	}
	req.Query = combineQuery(v.Get("q"), map[string][]string{"host": v["host"], "source": v["source"], "tag": v["tag"]})
	if _, err := search.Parse(req.Query); err != nil {
		return req, nil, err
	}
	return req, loc, nil
}

// combineQuery ANDs the query with the facet filters.
func combineQuery(q string, filters map[string][]string) string {
	var parts []string
	if strings.TrimSpace(q) != "" {
		parts = append(parts, "("+q+")")
	}
	for _, f := range []string{"host", "source", "tag"} {
		var terms []string
		for _, v := range filters[f] {
			if v != "" {
				terms = append(terms, f+":"+quoteValue(v))
			}
		}
		if len(terms) > 0 {
			parts = append(parts, "("+strings.Join(terms, " OR ")+")")
		}
	}
	return strings.Join(parts, " AND ")
}

func quoteValue(v string) string {
	if strings.ContainsAny(v, " ()\"\t") || v == "" {
		return `"` + strings.ReplaceAll(v, `"`, `\"`) + `"`
	}
	return v
}

// zone resolves a display zone: "" or "UTC", "case", or an IANA name.
func (srv *Server) zone(name string) (*time.Location, error) {
	switch name {
	case "", "UTC", "utc":
		return time.UTC, nil
	case "case":
		return srv.c.Location(), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %v", name, err)
	}
	return loc, nil
}

func (srv *Server) generation() int64 { return srv.current().Manifest().Generation }

type caseInfo struct {
	Name       string `json:"name"`
	Timezone   string `json:"timezone"`
	Kiseki     string `json:"kiseki"`
	Events     int64  `json:"events"`
	First      string `json:"first,omitempty"`
	Last       string `json:"last,omitempty"`
	Generation int64  `json:"generation"`
	Indexed    bool   `json:"indexed"`
	Fields     string `json:"fields"`
	User       string `json:"user"`
}

func (srv *Server) info() caseInfo {
	s := srv.current()
	m := s.Manifest()
	ci := caseInfo{Name: srv.c.Meta.Name, Timezone: srv.c.Location().String(), Kiseki: engine.Version, Events: m.Rows,
		Generation: m.Generation, Indexed: s.HasIndex(), Fields: search.FieldNames(), User: srv.user()}
	if f, l := s.Span(); m.Rows > 0 {
		ci.First, ci.Last = rfc(f), rfc(l)
	}
	return ci
}

func rfc(ns int64) string { return time.Unix(0, ns).UTC().Format(time.RFC3339Nano) }

func (srv *Server) apiCase(w http.ResponseWriter, r *http.Request) { writeJSON(w, srv.info()) }

// gridEvent is an event as the grid shows it: the contract JSON, long
// fields cut, and the event's annotations.
type gridEvent struct {
	eventview.Event
	Cursor    string   `json:"cursor"`
	Summary   string   `json:"summary"`
	Truncated bool     `json:"truncated,omitempty"`
	Starred   bool     `json:"starred,omitempty"`
	Notes     []string `json:"notes,omitempty"` // annotation tags
	Comments  int      `json:"comments,omitempty"`
}

func cut(s *string, n int) bool {
	if len(*s) <= n {
		return false
	}
	i := n
	for i > 0 && !utf8.RuneStart((*s)[i]) {
		i--
	}
	*s = (*s)[:i] + "…"
	return true
}

func (srv *Server) gridEvent(row int64, ev *timeline.Event, notes map[int64]EventNotes) gridEvent {
	j := eventview.JSON(row, ev)
	g := gridEvent{Event: j, Cursor: search.Cursor{Time: ev.Time, Row: row}.String(), Summary: eventview.Summary(ev)}
	for _, f := range []*string{&g.Message, &g.Summary, &g.URL, &g.Path, &g.UserAgent, &g.Raw} {
		if cut(f, gridFieldBytes) {
			g.Truncated = true
		}
	}
	if g.RawBase64 != "" {
		g.RawBase64, g.Truncated = "", true
	}
	for k, v := range g.Extra {
		if cut(&v, gridFieldBytes) {
			g.Extra[k], g.Truncated = v, true
		}
	}
	if n, ok := notes[row]; ok {
		g.Starred, g.Notes, g.Comments = n.Starred, n.Tags, len(n.Comments)
	}
	return g
}

func (srv *Server) notesByRow(r *http.Request) map[int64]EventNotes {
	m := map[int64]EventNotes{}
	for _, n := range srv.notes.Events(srv.searcher(r).Manifest().Generation) {
		m[n.Row] = n
	}
	return m
}

type eventsPage struct {
	Events []gridEvent `json:"events"`
	// MoreBefore and MoreAfter tell whether older and newer matches exist
	// beyond this page; the first and last events' cursors page on.
	MoreBefore bool    `json:"more_before"`
	MoreAfter  bool    `json:"more_after"`
	ServerMS   float64 `json:"server_ms"`
}

// apiEvents pages through matches by time: after=CURSOR (newer), before=
// CURSOR (older), at=TIME (the first match at or after a time), end=1 (the
// newest page), otherwise the oldest page. Pages are keyset, never offset.
func (srv *Server) apiEvents(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	req, loc, err := srv.requestOf(r)
	if err != nil {
		badRequest(w, err)
		return
	}
	v := r.URL.Query()
	limit := 100
	if l := v.Get("limit"); l != "" {
		if limit, err = strconv.Atoi(l); err != nil || limit <= 0 {
			badRequest(w, fmt.Errorf("limit %q: want a positive number", l))
			return
		}
	}
	limit = min(limit, maxPage)
	backward := false
	switch {
	case v.Get("after") != "":
		c, err := search.ParseCursor(v.Get("after"))
		if err != nil {
			badRequest(w, err)
			return
		}
		req.After = &c
	case v.Get("before") != "":
		c, err := search.ParseCursor(v.Get("before"))
		if err != nil {
			badRequest(w, err)
			return
		}
		req.Before, backward = &c, true
	case v.Get("at") != "":
		t, err := search.ParseTime(v.Get("at"), loc, false)
		if err != nil {
			badRequest(w, err)
			return
		}
		req.After = &search.Cursor{Time: t, Row: -1}
	case v.Get("end") != "":
		backward = true
	}
	req.Reverse = backward
	req.Limit = limit + 1
	notes := srv.notesByRow(r)
	page := eventsPage{Events: []gridEvent{}}
	err = srv.searcher(r).Each(r.Context(), req, func(row int64, ev *timeline.Event) error {
		page.Events = append(page.Events, srv.gridEvent(row, ev, notes))
		return nil
	})
	if err != nil {
		badRequest(w, err)
		return
	}
	more := len(page.Events) > limit
	if more {
		page.Events = page.Events[:limit]
	}
	if backward {
		for i, j := 0, len(page.Events)-1; i < j; i, j = i+1, j-1 {
			page.Events[i], page.Events[j] = page.Events[j], page.Events[i]
		}
		page.MoreBefore = more
		page.MoreAfter = req.Before != nil
	} else {
		page.MoreAfter = more
		page.MoreBefore = req.After != nil && len(page.Events) > 0 && srv.hasBefore(r, req, page.Events[0].Cursor)
	}
	page.ServerMS = float64(time.Since(start).Microseconds()) / 1000
	writeJSON(w, page)
}

// hasBefore reports whether a match precedes cursor.
func (srv *Server) hasBefore(r *http.Request, req search.Request, cursor string) bool {
	c, err := search.ParseCursor(cursor)
	if err != nil {
		return false
	}
	req.After, req.Before, req.Reverse, req.Limit = nil, &c, true, 1
	found := false
	srv.searcher(r).Each(r.Context(), req, func(int64, *timeline.Event) error { found = true; return nil })
	return found
}

func reqKey(kind string, req search.Request, extra string) string {
	return fmt.Sprintf("%s\x00%s\x00%d\x00%d\x00%s", kind, req.Query, req.From, req.To, extra)
}

func (srv *Server) apiCount(w http.ResponseWriter, r *http.Request) {
	req, _, err := srv.requestOf(r)
	if err != nil {
		badRequest(w, err)
		return
	}
	v, err := srv.cachedAnswer(r, reqKey("count", req, ""), func() (any, error) {
		n, err := srv.searcher(r).Count(r.Context(), req)
		return map[string]any{"total": n, "query": req.Query}, err
	})
	if err != nil {
		badRequest(w, err)
		return
	}
	writeJSON(w, v)
}

// intervals are the histogram bucket sizes the server picks from.
var intervals = []time.Duration{time.Second, 5 * time.Second, 10 * time.Second, 30 * time.Second, time.Minute,
	5 * time.Minute, 10 * time.Minute, 30 * time.Minute, time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
	24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour, 365 * 24 * time.Hour}

// pickInterval returns the smallest interval that splits a span into at
// most n buckets.
func pickInterval(span int64, n int) time.Duration {
	for _, d := range intervals {
		if span/int64(d) < int64(n) {
			return d
		}
	}
	return intervals[len(intervals)-1]
}

type histogram struct {
	Interval   string          `json:"interval"`
	IntervalNS int64           `json:"interval_ns"`
	Buckets    []search.Bucket `json:"buckets"`
	Total      int64           `json:"total"`
	Query      string          `json:"query"`
}

// apiHistogram counts matches per bucket; interval= (a Go duration, or
// minute/hour/day) or else one picked for about 200 buckets over the range.
func (srv *Server) apiHistogram(w http.ResponseWriter, r *http.Request) {
	req, loc, err := srv.requestOf(r)
	if err != nil {
		badRequest(w, err)
		return
	}
	var d time.Duration
	switch iv := r.URL.Query().Get("interval"); iv {
	case "":
		first, last := srv.searcher(r).Span()
		if req.From != 0 {
			first = max(first, req.From)
		}
		if req.To != 0 {
			last = min(last, req.To)
		}
		d = pickInterval(max(last-first, 1), 200)
	case "minute":
		d = time.Minute
	case "hour":
		d = time.Hour
	case "day":
		d = 24 * time.Hour
	default:
		if d, err = time.ParseDuration(iv); err != nil || d < time.Millisecond {
			badRequest(w, fmt.Errorf("interval %q: want a duration like 15m", iv))
			return
		}
	}
	v, err := srv.cachedAnswer(r, reqKey("hist", req, d.String()+" "+loc.String()), func() (any, error) {
		b, err := srv.searcher(r).HistogramIn(r.Context(), req, d, loc) // buckets of the display zone
		h := histogram{Interval: d.String(), IntervalNS: int64(d), Buckets: b, Query: req.Query}
		if h.Buckets == nil {
			h.Buckets = []search.Bucket{}
		}
		for _, x := range b {
			h.Total += x.Count
		}
		return h, err
	})
	if err != nil {
		badRequest(w, err)
		return
	}
	writeJSON(w, v)
}

func (srv *Server) apiFacets(w http.ResponseWriter, r *http.Request) {
	req, _, err := srv.requestOf(r)
	if err != nil {
		badRequest(w, err)
		return
	}
	v, err := srv.cachedAnswer(r, reqKey("facets", req, ""), func() (any, error) {
		return srv.searcher(r).Facets(r.Context(), req, []string{"host", "source", "tag"}, 30)
	})
	if err != nil {
		badRequest(w, err)
		return
	}
	writeJSON(w, v)
}

type eventDetail struct {
	Event    eventview.Event        `json:"event"`
	Cursor   string                 `json:"cursor"`
	Summary  string                 `json:"summary"`
	Evidence *engine.EvidenceRecord `json:"evidence,omitempty"`
	// RawText is the record's bytes as text (when valid UTF-8), RawBase64
	// otherwise; RawFrom says where they came from: "timeline" (kept at
	// ingest) or "evidence" (read at the event's offset in the file).
	RawText   string     `json:"raw_text,omitempty"`
	RawBase64 string     `json:"raw_base64,omitempty"`
	RawFrom   string     `json:"raw_from,omitempty"`
	RawError  string     `json:"raw_error,omitempty"` // why the evidence could not be read
	RawBytes  int        `json:"raw_bytes"`
	Truncated bool       `json:"truncated,omitempty"`
	Notes     EventNotes `json:"notes"`
}

func (srv *Server) rowParam(w http.ResponseWriter, r *http.Request) (int64, bool) {
	row, err := strconv.ParseInt(r.PathValue("row"), 10, 64)
	if err != nil || row < 0 {
		badRequest(w, fmt.Errorf("row %q: want a row id", r.PathValue("row")))
		return 0, false
	}
	return row, true
}

// detail loads one event of the current generation with its raw bytes.
func (srv *Server) detail(row int64, rawLimit int) (*eventDetail, []byte, error) {
	v := srv.acquire()
	defer srv.release(v)
	return srv.detailIn(v.s, row, rawLimit)
}

// detailIn loads one event with its raw bytes.
func (srv *Server) detailIn(s *search.Searcher, row int64, rawLimit int) (*eventDetail, []byte, error) {
	var d eventDetail
	var raw []byte
	err := s.Row(row, func(ev *timeline.Event) error {
		d.Event = eventview.JSON(row, ev)
		d.Cursor = search.Cursor{Time: ev.Time, Row: row}.String()
		d.Summary = eventview.Summary(ev)
		if len(ev.Raw) > 0 {
			raw, d.RawFrom = append([]byte(nil), ev.Raw...), "timeline"
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	reg, err := srv.c.LoadRegistry()
	if err != nil {
		return nil, nil, err
	}
	d.Evidence = reg.ByID(d.Event.Evidence)
	if raw == nil && d.Evidence != nil {
		b, err := srv.c.ReadRecord(reg, d.Event.Ref, rawLimit)
		switch {
		case err == nil:
			raw, d.RawFrom = b, "evidence"
		case !errors.Is(err, engine.ErrNoRecord):
			d.RawError = err.Error()
		}
	}
	d.RawBytes = len(raw)
	shown := raw
	if len(shown) > rawLimit {
		shown, d.Truncated = shown[:rawLimit], true
	}
	if utf8.Valid(shown) {
		d.RawText = string(shown)
	} else {
		d.RawBase64 = base64.StdEncoding.EncodeToString(shown)
	}
	d.Event.Raw, d.Event.RawBase64 = "", ""
	for _, f := range []*string{&d.Event.Message, &d.Summary, &d.Event.URL, &d.Event.Path, &d.Event.UserAgent, &d.Event.User, &d.Event.TimeOrig} {
		if cut(f, detailFieldBytes) {
			d.Truncated = true
		}
	}
	for k, v := range d.Event.Extra {
		if cut(&v, detailFieldBytes) {
			d.Event.Extra[k], d.Truncated = v, true
		}
	}
	for _, n := range srv.notes.Events(s.Manifest().Generation) {
		if n.Row == row {
			d.Notes = n
		}
	}
	d.Notes.Row = row
	return &d, raw, nil
}

func (srv *Server) apiEvent(w http.ResponseWriter, r *http.Request) {
	row, ok := srv.rowParam(w, r)
	if !ok {
		return
	}
	d, _, err := srv.detailIn(srv.searcher(r), row, detailRawBytes)
	if errors.Is(err, search.ErrNoRow) {
		writeError(w, http.StatusNotFound, err)
		return
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, d)
}

// apiEventRaw sends the record's bytes as a download, never as a page.
func (srv *Server) apiEventRaw(w http.ResponseWriter, r *http.Request) {
	row, ok := srv.rowParam(w, r)
	if !ok {
		return
	}
	_, raw, err := srv.detailIn(srv.searcher(r), row, 64<<20)
	if err != nil {
		writeError(w, http.StatusNotFound, err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="event-%d.bin"`, row))
	w.Write(raw)
}

func (srv *Server) apiEvidence(w http.ResponseWriter, r *http.Request) {
	reg, err := srv.c.LoadRegistry()
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	items := reg.Items
	if items == nil {
		items = []engine.EvidenceRecord{}
	}
	writeJSON(w, map[string]any{"items": items})
}

func (srv *Server) apiAnnotations(w http.ResponseWriter, r *http.Request) {
	ev := srv.notes.Events(srv.searcher(r).Manifest().Generation)
	if ev == nil {
		ev = []EventNotes{}
	}
	s := srv.notes.Searches()
	if s == nil {
		s = []Annotation{}
	}
	writeJSON(w, map[string]any{"events": ev, "searches": s, "log": srv.notes.List()})
}

type annotateRequest struct {
	Kind  string `json:"kind"`
	Row   *int64 `json:"row"`
	Value string `json:"value"`
	Name  string `json:"name"`
	From  string `json:"from"`
	To    string `json:"to"`
}

func (srv *Server) user() string {
	if srv.opt.User != "" {
		return srv.opt.User
	}
	return currentUser()
}

// apiAnnotate records a star, tag, comment or saved search in
// annotations.jsonl and the case's audit log.
func (srv *Server) apiAnnotate(w http.ResponseWriter, r *http.Request) {
	var in annotateRequest
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		badRequest(w, fmt.Errorf("annotation: %v", err))
		return
	}
	a := Annotation{Kind: in.Kind, Row: in.Row, Value: in.Value, Name: in.Name, From: in.From, To: in.To, User: srv.user()}
	if in.Row != nil {
		a.Generation = srv.searcher(r).Manifest().Generation
		err := srv.searcher(r).Row(*in.Row, func(ev *timeline.Event) error {
			ref := ev.Ref()
			a.Ref, a.EventTime = &ref, rfc(ev.Time)
			a.Host, a.Source = ev.Host, ev.Source
			a.Summary = eventview.Summary(ev)
			cut(&a.Summary, 500)
			return nil
		})
		if err != nil {
			badRequest(w, err)
			return
		}
	}
	a, err := srv.notes.Add(a)
	if err != nil {
		badRequest(w, err)
		return
	}
	srv.mu.Lock()
	srv.cache.reset() // tag:, starred: and comment: answers change with the annotations
	srv.mu.Unlock()
	args := []string{a.Kind}
	if a.Row != nil {
		args = append(args, "row="+strconv.FormatInt(*a.Row, 10))
	}
	if err := srv.c.Audit("annotate", args, a, nil); err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, a)
}

const maxExportRows = 1_000_000

// apiExport downloads the matching events (csv or jsonl) with their
// annotations, times in the display zone tz.
func (srv *Server) apiExport(w http.ResponseWriter, r *http.Request) {
	req, loc, err := srv.requestOf(r)
	if err != nil {
		badRequest(w, err)
		return
	}
	format := r.URL.Query().Get("format")
	if format != "csv" && format != "jsonl" {
		badRequest(w, fmt.Errorf("format %q: want csv or jsonl", format))
		return
	}
	notes := srv.notesByRow(r)
	req.Limit = maxExportRows
	w.Header().Set("Content-Disposition", `attachment; filename="kiseki-events.`+format+`"`)
	bw := bufio.NewWriterSize(w, 256<<10)
	defer bw.Flush()
	if format == "jsonl" {
		w.Header().Set("Content-Type", "application/x-ndjson")
		srv.searcher(r).Each(r.Context(), req, func(row int64, ev *timeline.Event) error {
			rec := struct {
				eventview.Event
				LocalTime string      `json:"local_time"`
				Notes     *EventNotes `json:"annotations,omitempty"`
			}{Event: eventview.JSON(row, ev), LocalTime: fmtTime(ev.Time, loc)}
			if n, ok := notes[row]; ok {
				rec.Notes = &n
			}
			b, _ := json.Marshal(rec)
			bw.Write(append(b, '\n'))
			return nil
		})
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	cw := csv.NewWriter(bw)
	cw.Write([]string{"time (" + loc.String() + ")", "time_utc", "row", "host", "source", "time_desc", "ref", "summary", "starred", "annotation_tags", "comments"})
	srv.searcher(r).Each(r.Context(), req, func(row int64, ev *timeline.Event) error {
		n := notes[row]
		var comments []string
		for _, c := range n.Comments {
			comments = append(comments, c.User+": "+c.Value)
		}
		cw.Write(csvSafe([]string{fmtTime(ev.Time, loc), rfc(ev.Time), strconv.FormatInt(row, 10), eventview.Sanitize(ev.Host), ev.Source, ev.TimeDesc,
			eventview.Sanitize(ev.Ref().String()), eventview.Summary(ev), strconv.FormatBool(n.Starred), strings.Join(n.Tags, ","), eventview.Sanitize(strings.Join(comments, " | "))}))
		return nil
	})
	cw.Flush()
}

// csvSafe neutralises spreadsheet formula injection: a cell starting with
// = + - @ (or a tab/CR) is prefixed with a quote so a spreadsheet shows it
// as text.
func csvSafe(rec []string) []string {
	for i, v := range rec {
		rec[i] = eventview.FormulaSafe(v)
	}
	return rec
}

// apiAnnotationsExport downloads every annotated event with its notes.
func (srv *Server) apiAnnotationsExport(w http.ResponseWriter, r *http.Request) {
	loc, err := srv.zone(r.URL.Query().Get("tz"))
	if err != nil {
		badRequest(w, err)
		return
	}
	evs := srv.notes.Events(srv.searcher(r).Manifest().Generation)
	switch r.URL.Query().Get("format") {
	case "jsonl", "":
		w.Header().Set("Content-Type", "application/x-ndjson")
		w.Header().Set("Content-Disposition", `attachment; filename="kiseki-annotations.jsonl"`)
		for _, n := range evs {
			t, _ := time.Parse(time.RFC3339Nano, n.EventTime)
			b, _ := json.Marshal(struct {
				EventNotes
				LocalTime string `json:"local_time"`
			}{n, fmtTime(t.UnixNano(), loc)})
			w.Write(append(b, '\n'))
		}
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="kiseki-annotations.csv"`)
		cw := csv.NewWriter(w)
		cw.Write([]string{"time (" + loc.String() + ")", "time_utc", "row", "host", "source", "ref", "summary", "starred", "tags", "comments"})
		for _, n := range evs {
			t, _ := time.Parse(time.RFC3339Nano, n.EventTime)
			var comments []string
			for _, c := range n.Comments {
				comments = append(comments, c.Time.In(loc).Format(time.RFC3339)+" "+c.User+": "+c.Value)
			}
			ref := ""
			if n.Ref != nil {
				ref = n.Ref.String()
			}
			cw.Write(csvSafe([]string{fmtTime(t.UnixNano(), loc), n.EventTime, strconv.FormatInt(n.Row, 10), eventview.Sanitize(n.Host), n.Source,
				eventview.Sanitize(ref), n.Summary, strconv.FormatBool(n.Starred), strings.Join(n.Tags, ","), eventview.Sanitize(strings.Join(comments, " | "))}))
		}
		cw.Flush()
	default:
		badRequest(w, errors.New("format: want csv or jsonl"))
	}
}

func fmtTime(ns int64, loc *time.Location) string {
	return time.Unix(0, ns).In(loc).Format("2006-01-02T15:04:05.000000000Z07:00")
}
