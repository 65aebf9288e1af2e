package server

import (
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/kiseki-forensics/kiseki/internal/eventview"
)

//go:embed templates/*.html
var templateFS embed.FS

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"clean": eventview.Sanitize,
	"short": func(s string, n int) string { cut(&s, n); return s },
	"rfc":   rfc,
	"join":  strings.Join,
}).ParseFS(templateFS, "templates/*.html"))

func (srv *Server) pageRoutes() {
	m := srv.mux
	m.HandleFunc("GET /{$}", srv.pageIndex)
	m.HandleFunc("GET /evidence", srv.pageEvidence)
	m.HandleFunc("GET /annotations", srv.pageAnnotations)
	m.HandleFunc("GET /event/{row}", srv.pageEvent)
	m.HandleFunc("GET /assets/{file}", srv.asset)
	m.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
}

type pageData struct {
	Title string
	Case  caseInfo
	Nav   string
	Q     string
	Data  any
}

func (srv *Server) render(w http.ResponseWriter, name string, d pageData) {
	d.Case = srv.info()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := pages.ExecuteTemplate(w, name, d); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

func (srv *Server) pageIndex(w http.ResponseWriter, r *http.Request) {
	srv.render(w, "index.html", pageData{Title: "Timeline", Nav: "timeline", Q: r.URL.Query().Get("q")})
}

func (srv *Server) pageEvidence(w http.ResponseWriter, r *http.Request) {
	reg, err := srv.c.LoadRegistry()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	srv.render(w, "evidence.html", pageData{Title: "Evidence", Nav: "evidence", Data: reg.Items})
}

func (srv *Server) pageAnnotations(w http.ResponseWriter, r *http.Request) {
	srv.render(w, "annotations.html", pageData{Title: "Annotations", Nav: "annotations", Data: map[string]any{
		"Events": srv.notes.Events(srv.generation()), "Searches": srv.notes.Searches()}})
}

// contextWindows are the spans offered around an event.
var contextWindows = []struct {
	Label string
	D     time.Duration
}{{"±1 s", time.Second}, {"±10 s", 10 * time.Second}, {"±1 min", time.Minute}, {"±10 min", 10 * time.Minute}, {"±1 h", time.Hour}}

func (srv *Server) pageEvent(w http.ResponseWriter, r *http.Request) {
	row, err := strconv.ParseInt(r.PathValue("row"), 10, 64)
	if err != nil {
		http.Error(w, "bad row", http.StatusBadRequest)
		return
	}
	d, _, err := srv.detail(row, 256<<10)
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	t, _ := time.Parse(time.RFC3339Nano, d.Event.Time)
	type win struct{ Label, From, To string }
	var wins []win
	for _, c := range contextWindows {
		wins = append(wins, win{c.Label, rfc(t.Add(-c.D).UnixNano()), rfc(t.Add(c.D).UnixNano())})
	}
	srv.render(w, "event.html", pageData{Title: "Event " + strconv.FormatInt(row, 10), Nav: "timeline", Data: map[string]any{
		"D": d, "Windows": wins, "Ref": d.Event.Ref.String()}})
}

// asset serves the embedded front end; only names in web/dist exist, so no
// path outside it (or the case) can be reached.
func (srv *Server) asset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	if name != path.Base(name) || strings.HasPrefix(name, ".") {
		http.NotFound(w, r)
		return
	}
	b, err := fs.ReadFile(srv.assets, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	switch path.Ext(name) {
	case ".js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	case ".css":
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	default:
		w.Header().Set("Content-Type", "application/octet-stream")
	}
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(b)
}
