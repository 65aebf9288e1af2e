package report

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
)

// Formats lists the file name endings and what they produce.
var Formats = []string{".html", ".md", ".pdf", ".json", ".iodef.xml", ".stix.json"}

// Write writes the report in the format the file name says, and the annex
// CSV beside it (FILE.annex.csv) for the formats that do not carry it.
func (r *Report) Write(ctx context.Context, out string) error {
	lower := strings.ToLower(out)
	if strings.HasSuffix(lower, ".pdf") {
		if err := r.PDF(ctx, out); err != nil {
			return err
		}
		return r.writeAnnex(out)
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	switch {
	case strings.HasSuffix(lower, ".iodef.xml"):
		err = r.IODEF(w)
	case strings.HasSuffix(lower, ".stix.json"):
		err = r.STIX(w)
	case strings.HasSuffix(lower, ".json"):
		err = r.JSON(w)
	case strings.HasSuffix(lower, ".html"), strings.HasSuffix(lower, ".htm"):
		err = r.HTML(w)
	case strings.HasSuffix(lower, ".md"):
		err = r.Markdown(w)
	default:
		f.Close()
		os.Remove(out)
		return fmt.Errorf("%s: unknown report format (the name must end in one of %s)", out, strings.Join(Formats, " "))
	}
	if e := w.Flush(); err == nil {
		err = e
	}
	if e := f.Close(); err == nil {
		err = e
	}
	if err != nil {
		return err
	}
	if strings.HasSuffix(lower, ".html") || strings.HasSuffix(lower, ".md") {
		return r.writeAnnex(out)
	}
	return nil
}

func (r *Report) writeAnnex(out string) error {
	f, err := os.Create(out + ".annex.csv")
	if err != nil {
		return err
	}
	if err := r.AnnexCSV(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
