package stats

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"time"
)

// The JSON rows of each view (docs/usage.md).
type (
	portRow struct {
		Hour    string `json:"hour"`
		Host    string `json:"host"`
		Proto   string `json:"proto"`
		Port    int32  `json:"port"`
		Count   int64  `json:"count"`
		Sources int64  `json:"sources"`
	}
	blockRow struct {
		Hour  string `json:"hour"`
		Host  string `json:"host"`
		Block string `json:"block"`
		Count int64  `json:"count"`
	}
	countryRow struct {
		Hour    string `json:"hour"`
		Host    string `json:"host"`
		Country string `json:"country"`
		Count   int64  `json:"count"`
	}
	sensorRow struct {
		Hour    string `json:"hour"`
		Host    string `json:"host"`
		Count   int64  `json:"count"`
		Sources int64  `json:"sources"`
	}
)

func hourString(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// MarshalJSON writes {"by": VIEW, "rows": [...]} with the view's row shape.
func (r *Result) MarshalJSON() ([]byte, error) {
	var rows any
	switch r.By {
	case ByPort:
		out := make([]portRow, len(r.Rows))
		for i, x := range r.Rows {
			out[i] = portRow{hourString(x.Hour), x.Host, x.Proto, x.Port, x.Count, x.Sources}
		}
		rows = out
	case BySrc24:
		out := make([]blockRow, len(r.Rows))
		for i, x := range r.Rows {
			out[i] = blockRow{hourString(x.Hour), x.Host, x.Block, x.Count}
		}
		rows = out
	case ByCountry:
		out := make([]countryRow, len(r.Rows))
		for i, x := range r.Rows {
			out[i] = countryRow{hourString(x.Hour), x.Host, x.Country, x.Count}
		}
		rows = out
	default:
		out := make([]sensorRow, len(r.Rows))
		for i, x := range r.Rows {
			out[i] = sensorRow{hourString(x.Hour), x.Host, x.Count, x.Sources}
		}
		rows = out
	}
	return json.Marshal(struct {
		By   string `json:"by"`
		Rows any    `json:"rows"`
	}{r.By, rows})
}

// Header is the CSV header of the result's view: the JSON keys.
func (r *Result) Header() []string {
	switch r.By {
	case ByPort:
		return []string{"hour", "host", "proto", "port", "count", "sources"}
	case BySrc24:
		return []string{"hour", "host", "block", "count"}
	case ByCountry:
		return []string{"hour", "host", "country", "count"}
	}
	return []string{"hour", "host", "count", "sources"}
}

// Record is row i as CSV fields in Header's order.
func (r *Result) Record(i int) []string {
	x := r.Rows[i]
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	switch r.By {
	case ByPort:
		return []string{hourString(x.Hour), x.Host, x.Proto, n(int64(x.Port)), n(x.Count), n(x.Sources)}
	case BySrc24:
		return []string{hourString(x.Hour), x.Host, x.Block, n(x.Count)}
	case ByCountry:
		return []string{hourString(x.Hour), x.Host, x.Country, n(x.Count)}
	}
	return []string{hourString(x.Hour), x.Host, n(x.Count), n(x.Sources)}
}

// WriteCSV writes the header and every row.
func (r *Result) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write(r.Header())
	for i := range r.Rows {
		cw.Write(r.Record(i))
	}
	cw.Flush()
	return cw.Error()
}
