package cli

import (
	"os"
	"sync"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/kiseki-forensics/kiseki/engine"
)

// newProgress shows a bar per ingest phase on stderr when it is a terminal;
// scripts and CI logs get no bar noise.
func newProgress(quiet bool) (engine.ProgressFunc, func()) {
	if quiet || !term.IsTerminal(int(os.Stderr.Fd())) {
		return nil, func() {}
	}
	var (
		mu    sync.Mutex
		bar   *progressbar.ProgressBar
		phase string
	)
	done := func() {
		if bar != nil {
			bar.Finish()
			os.Stderr.WriteString("\n")
		}
	}
	return func(p string, n, total int64) {
		mu.Lock()
		defer mu.Unlock()
		if p != phase || bar == nil {
			done()
			phase = p
			opts := []progressbar.Option{
				progressbar.OptionSetWriter(os.Stderr),
				progressbar.OptionSetDescription(p),
				progressbar.OptionShowCount(),
				progressbar.OptionSetWidth(30),
				progressbar.OptionThrottle(100_000_000),
			}
			if p == "hash" || p == "parse" {
				opts = append(opts, progressbar.OptionShowBytes(true))
			}
			bar = progressbar.NewOptions64(total, opts...)
		}
		bar.Set64(n)
	}, done
}
