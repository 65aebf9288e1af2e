package server

import (
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/kiseki-forensics/kiseki/report"
	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/search/leaks"
	"github.com/kiseki-forensics/kiseki/search/scope"
	"github.com/kiseki-forensics/kiseki/search/vocab"
)

func (srv *Server) investigateRoutes() {
	srv.mux.HandleFunc("GET /api/v1/scope", srv.apiScope)
	srv.mux.HandleFunc("GET /api/v1/leaks", srv.apiLeaks)
	srv.mux.HandleFunc("GET /api/v1/report", srv.apiReport)
}

// apiScope answers as `kiseki scope --json`: ioc= (repeatable), depth=,
// from=, to=.
func (srv *Server) apiScope(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	seeds, err := scope.ParseSeeds(v["ioc"])
	if err != nil || seeds.Empty() {
		badRequest(w, fmt.Errorf("scope: give ioc= indicators (%v)", err))
		return
	}
	loc, err := srv.zone(v.Get("tz"))
	if err != nil {
		badRequest(w, err)
		return
	}
	var opt scope.Options
	if d := v.Get("depth"); d != "" {
		if opt.Depth, err = strconv.Atoi(d); err != nil {
			badRequest(w, fmt.Errorf("depth %q", d))
			return
		}
	}
	if opt.From, err = search.ParseTime(v.Get("from"), loc, false); err != nil {
		badRequest(w, err)
		return
	}
	if opt.To, err = search.ParseTime(v.Get("to"), loc, true); err != nil {
		badRequest(w, err)
		return
	}
	env, err := vocab.LoadEnv(srv.c, srv.s)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	res, err := scope.Run(r.Context(), env, seeds, opt)
	if err != nil {
		badRequest(w, err)
		return
	}
	writeJSON(w, res)
}

// apiLeaks answers as `kiseki leaks --json`: actor= (repeatable), endpoint=,
// status=, distinct=, from=, to=, window_from_file=, pii=1.
func (srv *Server) apiLeaks(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	loc, err := srv.zone(v.Get("tz"))
	if err != nil {
		badRequest(w, err)
		return
	}
	o := leaks.Options{Endpoint: v.Get("endpoint"), Status: v.Get("status"), Distinct: v.Get("distinct"), WindowFile: v.Get("window_from_file"), PII: v.Get("pii") == "1"}
	for _, a := range v["actor"] {
		p, err := parseActor(a)
		if err != nil {
			badRequest(w, err)
			return
		}
		o.Actors = append(o.Actors, p)
	}
	if o.From, err = search.ParseTime(v.Get("from"), loc, false); err != nil {
		badRequest(w, err)
		return
	}
	if o.To, err = search.ParseTime(v.Get("to"), loc, true); err != nil {
		badRequest(w, err)
		return
	}
	if !o.PII && o.Endpoint == "" && o.Distinct == "" && len(o.Actors) == 0 && o.WindowFile == "" && o.From == 0 && o.To == 0 {
		badRequest(w, errors.New("say what to count: actor, endpoint, window_from_file, from/to or pii"))
		return
	}
	env, err := vocab.LoadEnv(srv.c, srv.s)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	res, err := leaks.Run(r.Context(), env, o)
	if err != nil {
		badRequest(w, err)
		return
	}
	writeJSON(w, res)
}

func parseActor(v string) (netip.Prefix, error) {
	if strings.Contains(v, "/") {
		p, err := netip.ParsePrefix(v)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("actor %q: want an address or a CIDR block", v)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// apiReport builds the report as `kiseki report` does and sends it as a
// download: format= html, md, pdf, json, iodef.xml or stix.json; lang=;
// ioc= (repeatable); tz=.
func (srv *Server) apiReport(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	format := v.Get("format")
	if format == "" {
		format = "html"
	}
	ok := false
	for _, f := range report.Formats {
		if "."+format == f {
			ok = true
		}
	}
	if !ok {
		badRequest(w, fmt.Errorf("format %q: want one of %s", format, strings.Join(report.Formats, " ")))
		return
	}
	tz := v.Get("tz")
	if tz == "" {
		tz = "case"
	}
	loc, err := srv.zone(tz)
	if err != nil {
		badRequest(w, err)
		return
	}
	lang := v.Get("lang")
	if lang != "ja" {
		lang = "en"
	}
	rep, err := report.Build(r.Context(), srv.c, srv.s, report.Options{IOCs: v["ioc"], Lang: lang, Zone: loc})
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	dir, err := os.MkdirTemp("", "kiseki-report-")
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	defer os.RemoveAll(dir)
	name := "report." + format
	if err := rep.Write(r.Context(), filepath.Join(dir, name)); err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	if err := srv.c.Audit("report", []string{"web", name, "--lang", lang}, map[string]any{"version": rep.Version, "leak_records": rep.Summary.LeakRecords}, nil); err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Write(b)
}
