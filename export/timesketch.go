package export

import (
	"bufio"
	"context"
	"os"
	"path/filepath"

	"github.com/kiseki-forensics/kiseki/internal/atomicfile"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// timesketchExtra prefixes format-specific fields in Timesketch documents,
// which are flat.
const timesketchExtra = "extra_"

// writeTimesketch writes one JSONL file that Timesketch's importer reads:
// each line an object with message, datetime (ISO 8601), timestamp (µs
// since the epoch), timestamp_desc and the event's fields.
func writeTimesketch(ctx context.Context, src *source, out string, sum *Summary) error {
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	tmp := out + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var d doc
	err = src.each(ctx, func(_ int, _ int64, ev *timeline.Event) error {
		d.begin()
		d.str("message", message(ev))
		d.str("datetime", utcMicros(ev.Time))
		d.num("timestamp", floorDiv(ev.Time, 1000))
		d.str("timestamp_desc", ev.TimeDesc)
		d.fields(src.name, ev, timesketchExtra)
		b := append(d.end(), '\n')
		sum.Events++
		_, err := w.Write(b)
		return err
	})
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	sum.Files = []string{filepath.Base(out)}
	return atomicfile.Rename(tmp, out)
}
