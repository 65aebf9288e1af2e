// Command ext4walk runs Kiseki's ext4 reader over a raw file system image and
// prints how many events it produced and how long it took; bench/ext4_vs_tsk.sh
// uses it to compare with the Sleuth Kit.
//
//	go run ./bench/ext4walk IMAGE
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/ext4"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// countSink counts events and the distinct inodes they are about, and keeps
// no event (a timeline store would copy them).
type countSink struct {
	events int
	inodes map[int64]struct{}
}

func (s *countSink) Emit(ev *timeline.Event) error {
	s.events++
	s.inodes[ev.Inode] = struct{}{}
	return nil
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: ext4walk IMAGE")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
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
	in := &parsers.Input{Name: os.Args[1], Warn: func(m string) { warnings++; fmt.Fprintln(os.Stderr, "warning:", m) }}
	vol := &parsers.Volume{R: f, Size: st.Size(), RefPath: os.Args[1], Input: in}
	sink := &countSink{inodes: map[int64]struct{}{}}
	start := time.Now()
	if err := ext4.Parse(context.Background(), vol, sink); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	d := time.Since(start)
	fmt.Printf("ext4walk: %d events, %d inodes with events, %d warnings in %.3f s (%.0f inodes/s)\n",
		sink.events, len(sink.inodes), warnings, d.Seconds(), float64(len(sink.inodes))/d.Seconds())
}
