package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strings"
	texttemplate "text/template"

	"github.com/kiseki-forensics/kiseki/internal/eventview"
)

// JSON writes the report as JSON.
func (r *Report) JSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// AnnexCSV writes every counted record with its references.
func (r *Report) AnnexCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"kind", "value", "count", "first", "refs"})
	for _, a := range r.Annex {
		cw.Write(csvSafe([]string{a.Kind, a.Value, fmt.Sprint(a.Count), a.First, a.Refs}))
	}
	cw.Flush()
	return cw.Error()
}

func csvSafe(rec []string) []string {
	for i, v := range rec {
		rec[i] = eventview.FormulaSafe(v)
	}
	return rec
}

// histogramSVG draws the histogram as inline SVG (no script, no fetch).
func (r *Report) histogramSVG() template.HTML {
	const w, h = 700.0, 140.0
	var most int64
	for _, b := range r.Histogram {
		most = max(most, b.Count)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">`, w, h+20, w, h+20, template.HTMLEscapeString(r.L("histogram")))
	if most > 0 && len(r.Histogram) > 0 {
		bw := w / float64(len(r.Histogram))
		for i, b := range r.Histogram {
			bh := float64(b.Count) / float64(most) * h
			fmt.Fprintf(&sb, `<rect x="%.2f" y="%.2f" width="%.2f" height="%.2f" fill="#3b6ea8"><title>%s: %d</title></rect>`,
				float64(i)*bw, h-bh, max(bw-1, 0.5), bh, b.Start.In(r.loc).Format("2006-01-02 15:04"), b.Count)
		}
		first, last := r.Histogram[0].Start.In(r.loc), r.Histogram[len(r.Histogram)-1].Start.In(r.loc)
		fmt.Fprintf(&sb, `<text x="0" y="%.0f" font-size="11">%s</text><text x="%.0f" y="%.0f" font-size="11" text-anchor="end">%s</text>`, h+15, first.Format("2006-01-02 15:04"), w, h+15, last.Format("2006-01-02 15:04"))
		fmt.Fprintf(&sb, `<text x="%.0f" y="12" font-size="11" text-anchor="end">max %d / %s</text>`, w, most, r.HistStep)
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

var funcs = template.FuncMap{
	"join": strings.Join,
}

// HTML writes a self-contained page: inline CSS and SVG, no script, no
// external fetch; log content only as escaped text.
func (r *Report) HTML(w io.Writer) error {
	t, err := template.New("report").Funcs(funcs).Parse(htmlTemplate)
	if err != nil {
		return err
	}
	return t.Execute(w, map[string]any{"R": r, "SVG": r.histogramSVG(), "Langs": r.Lang})
}

// Markdown writes the report for editing in a client's template.
func (r *Report) Markdown(w io.Writer) error {
	t, err := texttemplate.New("md").Funcs(texttemplate.FuncMap{"join": strings.Join, "md": mdEscape}).Parse(mdTemplate)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, r); err != nil {
		return err
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// mdEscape makes attacker-controlled text inert in Markdown: no markup, no
// links, no HTML, no table breaks.
func mdEscape(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch c {
		case '\\', '`', '*', '_', '{', '}', '[', ']', '(', ')', '#', '+', '-', '!', '|', '<', '>', '&', '~':
			b.WriteByte('\\')
			b.WriteRune(c)
		case '\n', '\r':
			b.WriteByte(' ')
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}
