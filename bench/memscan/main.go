// Command memscan times Kiseki's memory scanner on one image, for
// bench/memscan.sh: it prints the container, the bytes scanned, MB/s and the
// number of findings per kind (-list prints every finding as well).
//
//	go run ./bench/memscan [-workers N] [-chunk BYTES] [-list] [-cpuprofile FILE] IMAGE
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
	"time"

	_ "github.com/kiseki-forensics/kiseki/parsers/all"
	"github.com/kiseki-forensics/kiseki/parsers/memory"
	"github.com/kiseki-forensics/kiseki/parsers/memory/carve"
)

func main() {
	workers := flag.Int("workers", 0, "scanner workers (default GOMAXPROCS)")
	chunk := flag.Int("chunk", 0, "chunk size in bytes (default 8 MiB)")
	list := flag.Bool("list", false, "print every finding")
	prof := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if *prof != "" {
		pf, err := os.Create(*prof)
		if err != nil {
			fmt.Fprintln(os.Stderr, "memscan:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(pf)
		defer pprof.StopCPUProfile()
	}
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: memscan [-workers N] [-chunk BYTES] [-list] IMAGE")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *workers, *chunk, *list); err != nil {
		fmt.Fprintln(os.Stderr, "memscan:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(path string, workers, chunk int, list bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	start := time.Now()
	lay, err := memory.Open(f, fi.Size())
	if err != nil {
		return err
	}
	for _, w := range lay.Warnings {
		fmt.Fprintln(os.Stderr, "warning:", w)
	}
	opt := memory.Options{Workers: workers, ChunkSize: chunk, LineFormats: memory.LineFormats(),
		Warn: func(m string) { fmt.Fprintln(os.Stderr, "warning:", m) }}
	out := os.Stdout
	st, err := memory.Scan(context.Background(), f, lay, opt, func(fd *memory.Finding) error {
		if list {
			line := fd.Kind.String() + "\t" + strconv.FormatInt(fd.Offset, 10) + "\t" + fd.Encoding + "\t" + strconv.Quote(string(fd.Value))
			if fd.Format != nil {
				line += "\t" + fd.Format.Name
			}
			fmt.Fprintln(out, line)
		}
		return nil
	})
	if err != nil {
		return err
	}
	el := time.Since(start)
	fmt.Fprintf(os.Stderr, "container %s, %d ranges, %d bytes scanned in %.3fs: %.1f MB/s\n",
		lay.Container, len(lay.Ranges), st.Bytes, el.Seconds(), float64(st.Bytes)/1e6/el.Seconds())
	for k := carve.Kind(0); k < carve.NumKinds; k++ {
		fmt.Fprintf(os.Stderr, "  %-13s %d\n", k, st.Findings[k])
	}
	return nil
}
