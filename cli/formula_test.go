package cli

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/timeline"
)

// TestExportFormulaGuard: log fields an attacker controls (a URL, a user
// name, a message) that a spreadsheet would run as formulas are written
// quoted as text in csv and l2tcsv, and nothing else changes: the cells
// still parse back, with encoding/csv, to the values with one leading quote.
func TestExportFormulaGuard(t *testing.T) {
	var ev timeline.Event
	ev.Reset()
	ev.Time, ev.TimeDesc, ev.Host, ev.Source, ev.Evidence, ev.RefPath, ev.Line = 1772323200e9, timeline.TimeRequest, "web01", "access-log", "E0001", "a.log", 3
	ev.URL = `=HYPERLINK("http://evil/","click")`
	ev.User = "@SUM(1+1)*cmd|' /C calc'!A0"
	ev.Message = "+cmd|' /C calc'!A0"
	ev.UserAgent = "-2+3, x"
	hostile := []string{ev.URL, ev.User, ev.Message, ev.UserAgent}
	for _, format := range []string{"csv", "l2tcsv"} {
		var out bytes.Buffer
		w, err := newEventWriter(format, &out, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		w.write(0, &ev)
		w.close()
		r := csv.NewReader(&out)
		r.LazyQuotes = true
		rows, err := r.ReadAll()
		if err != nil || len(rows) != 2 {
			t.Fatalf("%s: %d rows, %v", format, len(rows), err)
		}
		for _, cell := range rows[1] {
			if strings.ContainsAny(cell[:min(1, len(cell))], "=+@") || strings.HasPrefix(cell, "-") && cell != "-" {
				t.Errorf("%s: cell %q starts a formula", format, cell)
			}
		}
		line := rows[1]
		joined := strings.Join(line, "\x00")
		for _, h := range hostile {
			if format == "l2tcsv" {
				h = strings.ReplaceAll(h, ",", " ")
			}
			if !strings.Contains(joined, "'"+h) && !strings.Contains(joined, ": "+h) {
				t.Errorf("%s: %q not kept as quoted text in %q", format, h, line)
			}
		}
	}
}

// TestCSVCellsAsEncodingCSV: the csv writer quotes exactly as encoding/csv.
func TestCSVCellsAsEncodingCSV(t *testing.T) {
	for _, s := range []string{"", "plain", "a,b", `say "hi"`, "two\nlines", "cr\r", " lead", "\u3000ideographic", `\.`, "日本語"} {
		var want bytes.Buffer
		cw := csv.NewWriter(&want)
		cw.Write([]string{s})
		cw.Flush()
		if got := string(appendCSV(nil, s)) + "\n"; got != want.String() {
			t.Errorf("%q: got %q, encoding/csv %q", s, got, want.String())
		}
	}
}
