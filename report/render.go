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
		fmt.Fprintf(&sb, `<text x="%.0f" y="12" font-size="11" text-anchor="end">%s %d / %s</text>`, w, template.HTMLEscapeString(r.L("hist_max")), most, r.stepText())
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

var funcs = template.FuncMap{
	"join": strings.Join,
	"W":    wrap,
}

// wrapMin is the length from which a word gets break opportunities: a path,
// URL or reference longer than this may break after its separators, never
// inside a name (shorter words never break: a column is at least as wide
// as its longest short word).
const wrapMin = 20

// wrap escapes text and lets its long words break after separators
// (/ ? & = , ; : # @ . _ -), so that tables fit the page with columns
// sized by their content, and no word breaks letter by letter.
func wrap(s string) template.HTML {
	var b strings.Builder
	for i, w := range strings.Split(s, " ") {
		if i > 0 {
			b.WriteByte(' ')
		}
		if len(w) < wrapMin {
			b.WriteString(template.HTMLEscapeString(w))
			continue
		}
		start := 0
		for j := 0; j < len(w); j++ {
			if strings.IndexByte("/?&=,;:#@._-", w[j]) >= 0 && j+1 < len(w) {
				b.WriteString(template.HTMLEscapeString(w[start : j+1]))
				b.WriteString("<wbr>")
				start = j + 1
			}
		}
		b.WriteString(template.HTMLEscapeString(w[start:]))
	}
	return template.HTML(b.String())
}

// JA reports whether the report is the Japanese edition.
func (r *Report) JA() bool { return r.Lang == "ja" }

// HTML writes a self-contained page: inline CSS and SVG, no script, no
// external fetch; log content only as escaped text.
func (r *Report) HTML(w io.Writer) error {
	t, err := template.New("report").Funcs(funcs).Parse(htmlTemplate)
	if err != nil {
		return err
	}
	paper := "A4"
	if r.Paper == "letter" {
		paper = "letter"
	}
	return t.Execute(w, map[string]any{"R": r, "SVG": r.histogramSVG(), "Langs": r.Lang, "Paper": template.CSS(paper)})
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

// stepText names the chart's bar width in the report's language.
func (r *Report) stepText() string {
	if r.HistStep == "24h0m0s" {
		return r.L("per_day")
	}
	return r.L("per_hour")
}

// Data names a count of hosts in English ("11 hosts": a scan's targets);
// the Japanese edition says it in Japanese.
func (r *Report) Data(s string) string {
	if r.JA() {
		if n, ok := strings.CutSuffix(s, " hosts"); ok {
			return n + " ホスト"
		}
		if n, ok := strings.CutSuffix(s, " hosts]"); ok {
			return n + " ホスト]"
		}
		return strings.Replace(s, " hosts ", " ホスト ", 1)
	}
	return s
}
