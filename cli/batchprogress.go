package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/kiseki-forensics/kiseki/engine"
)

// batchRedraw is how often the batch's bars are drawn: often enough to look
// alive, rarely enough to cost nothing next to the ingests.
const batchRedraw = 200 * time.Millisecond

// batchBarWidth is the width of one bundle's bar in characters.
const batchBarWidth = 30

// batchProgress draws one bar per running bundle on a terminal, and a line
// for each bundle as it finishes.
type batchProgress struct {
	w      *os.File
	mu     sync.Mutex
	active map[string]*bundleBar
	drawn  int // lines of bars drawn last time
	tick   *time.Ticker
	quit   chan struct{}
	wg     sync.WaitGroup
}

type bundleBar struct {
	phase       string
	done, total int64
}

// newBatchProgress returns nil when w is not a terminal: scripts and CI logs
// get no bar noise.
func newBatchProgress(w *os.File) *batchProgress {
	if !term.IsTerminal(int(w.Fd())) {
		return nil
	}
	p := &batchProgress{w: w, active: map[string]*bundleBar{}, tick: time.NewTicker(batchRedraw), quit: make(chan struct{})}
	p.wg.Go(func() {
		for {
			select {
			case <-p.tick.C:
				p.mu.Lock()
				p.draw()
				p.mu.Unlock()
			case <-p.quit:
				return
			}
		}
	})
	return p
}

func (p *batchProgress) started(bundle string) { p.active[bundle] = &bundleBar{phase: "start"} }

func (p *batchProgress) progress(bundle string) engine.ProgressFunc {
	return func(phase string, done, total int64) {
		p.mu.Lock()
		defer p.mu.Unlock()
		if b := p.active[bundle]; b != nil {
			b.phase, b.done, b.total = phase, done, total
		}
	}
}

func (p *batchProgress) finished(it engine.BatchItem) {
	delete(p.active, it.Bundle)
	p.clear()
	fmt.Fprintf(p.w, "%-8s %s: %d events, %d parsed now, %s\n", it.Status, sanitize(filepath.Base(it.Bundle)), it.Events, it.ParsedNow, it.Duration)
	p.draw()
}

// clear erases the bars drawn last time.
func (p *batchProgress) clear() {
	if p.drawn > 0 {
		fmt.Fprintf(p.w, "\x1b[%dA", p.drawn)
		for range p.drawn {
			fmt.Fprint(p.w, "\x1b[2K\n")
		}
		fmt.Fprintf(p.w, "\x1b[%dA", p.drawn)
	}
	p.drawn = 0
}

func (p *batchProgress) draw() {
	p.clear()
	names := make([]string, 0, len(p.active))
	for n := range p.active {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		b := p.active[n]
		frac := 0.0
		if b.total > 0 {
			frac = min(float64(b.done)/float64(b.total), 1)
		}
		fill := int(frac * batchBarWidth)
		fmt.Fprintf(p.w, "%-20s %-6s [%s%s] %3.0f%%\n", sanitize(filepath.Base(n)), b.phase,
			strings.Repeat("=", fill), strings.Repeat(" ", batchBarWidth-fill), frac*100)
	}
	p.drawn = len(names)
}

func (p *batchProgress) stop() {
	p.tick.Stop()
	close(p.quit)
	p.wg.Wait()
	p.mu.Lock()
	p.clear()
	p.mu.Unlock()
}
