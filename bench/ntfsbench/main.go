// Command ntfsbench drives Kiseki's NTFS parser on a bare NTFS image
// without the engine (go run ./bench/e2e times the whole path): it parses every MFT entry,
// keeps one compact record per event and sorts them by time (the work
// mactime does after fls), then prints the counts and the rate.
//
//	go run ./bench/ntfsbench IMAGE
//
// NTFSBENCH_CPUPROFILE=file writes a CPU profile.
package main

import (
	"context"
	"fmt"
	"os"
	"runtime/pprof"
	"sort"
	"time"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/ntfs"
	"github.com/kiseki-forensics/kiseki/timeline"
)

type rec struct {
	t    int64
	meta string
}

type sink struct {
	recs    []rec
	entries map[int64]struct{}
}

func (s *sink) Emit(ev *timeline.Event) error {
	meta := ""
	if ev.IsFS() {
		meta = string(ev.AppendMeta(nil))
	}
	s.recs = append(s.recs, rec{ev.Time, meta})
	s.entries[ev.MFT] = struct{}{}
	return nil
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: ntfsbench IMAGE")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer f.Close()
	st, _ := f.Stat()
	warns := 0
	in := &parsers.Input{Name: st.Name(), Warn: func(string) { warns++ }}
	vol := &parsers.Volume{R: f, Size: st.Size(), RefPath: in.Name, Input: in}
	s := &sink{entries: map[int64]struct{}{}}
	if p := os.Getenv("NTFSBENCH_CPUPROFILE"); p != "" {
		pf, err := os.Create(p)
		if err == nil {
			pprof.StartCPUProfile(pf)
			defer pprof.StopCPUProfile()
		}
	}
	start := time.Now()
	if err := ntfs.Parse(context.Background(), vol, s); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	parsed := time.Since(start)
	sort.Slice(s.recs, func(i, j int) bool { return s.recs[i].t < s.recs[j].t })
	total := time.Since(start)
	fmt.Printf("kiseki: %d MFT entries, %d events, %d warnings; parse %.2fs (%.0f entries/s), parse+sort %.2fs\n",
		len(s.entries), len(s.recs), warns, parsed.Seconds(), float64(len(s.entries))/parsed.Seconds(), total.Seconds())
}
