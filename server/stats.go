package server

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/search/stats"
)

// maxStatsTableRows bounds the rows the stats page lists (the API and the
// CLI give them all): a page of a few thousand table rows is still usable.
const maxStatsTableRows = 2000

func (srv *Server) statsRoutes() {
	srv.mux.HandleFunc("GET /api/v1/stats", srv.apiStats)
	srv.mux.HandleFunc("GET /stats/ports.svg", srv.statsSVG)
	srv.mux.HandleFunc("GET /stats", srv.pageStats)
}

// statsOptions reads by=, proto=, host=, from=, to=, top=, tz= as `kiseki
// stats` reads its flags. The country view needs a database the server
// does not have: it is refused as the CLI refuses it without --geoip.
func (srv *Server) statsOptions(v url.Values) (stats.Options, error) {
	loc, err := srv.zone(v.Get("tz"))
	if err != nil {
		return stats.Options{}, err
	}
	o := stats.Options{By: v.Get("by"), Proto: v.Get("proto"), Host: v.Get("host")}
	if o.By == "" {
		o.By = stats.ByPort
	}
	if o.By == stats.ByCountry {
		return o, stats.ErrNoGeoIP
	}
	if o.From, err = search.ParseTime(v.Get("from"), loc, false); err != nil {
		return o, err
	}
	if o.To, err = search.ParseTime(v.Get("to"), loc, true); err != nil {
		return o, err
	}
	if t := v.Get("top"); t != "" {
		if o.Top, err = strconv.Atoi(t); err != nil || o.Top < 0 {
			return o, fmt.Errorf("top %q: a number of 0 or more", t)
		}
	}
	return o, nil
}

func (srv *Server) statsResult(r *http.Request, o stats.Options) (*stats.Result, error) {
	key := fmt.Sprintf("stats\x00%s\x00%s\x00%s\x00%d\x00%d\x00%d", o.By, o.Proto, o.Host, o.From, o.To, o.Top)
	v, err := srv.cachedAnswer(r, key, func() (any, error) { return stats.Compute(r.Context(), srv.searcher(r), o) })
	if err != nil {
		return nil, err
	}
	return v.(*stats.Result), nil
}

// apiStats answers as `kiseki stats --json`.
func (srv *Server) apiStats(w http.ResponseWriter, r *http.Request) {
	o, err := srv.statsOptions(r.URL.Query())
	if err != nil {
		badRequest(w, err)
		return
	}
	res, err := srv.statsResult(r, o)
	if err != nil {
		badRequest(w, err)
		return
	}
	writeJSON(w, res)
}

// statsSVG draws the hourly bars of the top ports (top=, default 10) over
// the rows the other parameters select.
func (srv *Server) statsSVG(w http.ResponseWriter, r *http.Request) {
	o, err := srv.statsOptions(r.URL.Query())
	if err != nil {
		badRequest(w, err)
		return
	}
	top := o.Top
	o.By, o.Top = stats.ByPort, 0
	res, err := srv.statsResult(r, o)
	if err != nil {
		badRequest(w, err)
		return
	}
	ch, err := stats.NewChart(res, top)
	if err != nil {
		badRequest(w, err)
		return
	}
	var b bytes.Buffer
	if err := ch.SVG(&b); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b.Bytes())
}

// pageStats shows the chart and the rows of a view, with a form for the
// parameters.
func (srv *Server) pageStats(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	o, err := srv.statsOptions(v)
	var res *stats.Result
	if err == nil {
		res, err = srv.statsResult(r, o)
	}
	d := map[string]any{"By": o.By, "Proto": o.Proto, "Host": o.Host, "From": v.Get("from"), "To": v.Get("to"), "Top": v.Get("top"),
		"Views": []string{stats.ByPort, stats.BySrc24, stats.BySensor}, "Chart": "/stats/ports.svg?" + v.Encode()}
	if errors.Is(err, stats.ErrNoGeoIP) {
		err = errors.New("the country view needs a MaxMind database: use kiseki stats --by country --geoip FILE.mmdb")
	}
	if err != nil {
		d["Error"] = err.Error()
	} else {
		d["Header"] = res.Header()
		var rows [][]string
		for i := range res.Rows {
			if i == maxStatsTableRows {
				d["Cut"] = len(res.Rows)
				break
			}
			rows = append(rows, res.Record(i))
		}
		d["Rows"] = rows
	}
	srv.render(w, "stats.html", pageData{Title: "Scan statistics", Nav: "stats", Data: d})
}
