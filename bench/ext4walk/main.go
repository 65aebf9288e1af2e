// Command ext4walk runs Kiseki's ext4 reader over a raw file system image and
// prints how many events it produced and how long it took: the parser alone,
// without the engine (go run ./bench/e2e times the whole path).
//
//	go run ./bench/ext4walk IMAGE
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/ext4"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// countSink counts events and the inodes they are about (the events of one
// inode arrive together), and keeps no event (a timeline store would copy
// them).
type countSink struct {
	events, inodes int
	last           int64
}

func (s *countSink) Emit(ev *timeline.Event) error {
	s.events++
	if ev.Inode != s.last {
		s.inodes++
		s.last = ev.Inode
	}
	return nil
}

func main() {
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: ext4walk [-cpuprofile FILE] IMAGE")
		os.Exit(2)
	}
	if *cpuprofile != "" {
		pf, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(pf); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	image := flag.Arg(0)
	f, err := os.Open(image)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	warnings := 0
	in := &parsers.Input{Name: image, Warn: func(m string) { warnings++; fmt.Fprintln(os.Stderr, "warning:", m) }}
	vol := &parsers.Volume{R: f, Size: st.Size(), RefPath: image, Input: in}
	sink := &countSink{last: -1}
	start := time.Now()
	if err := ext4.Parse(context.Background(), vol, sink); err != nil {
		fmt.Fprintln(os.Stderr, err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
	d := time.Since(start)
	fmt.Printf("ext4walk: %d events, %d inodes with events, %d warnings in %.3f s (%.0f inodes/s)\n",
		sink.events, sink.inodes, warnings, d.Seconds(), float64(sink.inodes)/d.Seconds())
}
