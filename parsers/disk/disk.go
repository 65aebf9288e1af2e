package disk

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/memory"
	"github.com/kiseki-forensics/kiseki/parsers/vdisk"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// FormatName is the registered name of the disk image format.
const FormatName = "disk-image"

func init() {
	parsers.Register(&parsers.Format{
		Name: FormatName,
		// The events come from the file systems inside (their Sources).
		Sources:     []parsers.Source{},
		Description: "disk image (raw/dd, split raw, E01, VMDK, VHD, VHDX, QCOW2) with MBR/GPT partitions or a bare file system",
		HasZone:     true,
		HasYear:     true,
		Detect:      Detect,
		Parse:       Parse,
		Group:       Group,
	})
}

// Detect scores a file as a disk image by its content (E01 signature, GPT
// header, DOS partition table, a bare file system that a registered file
// system recognises) and, failing that, by its name.
func Detect(name string, head []byte) int {
	if bytes.HasPrefix(head, ewfMagic) || vdisk.Sniff(head) != "" {
		return 100
	}
	if looksLikeGPT(head) {
		return 95
	}
	if bareFS(head) != nil {
		return 90
	}
	if plausibleMBR(head) {
		return 80
	}
	if imageName(name) {
		return 30
	}
	return 0
}

// bareFS returns the registered file system that recognises a volume
// starting at the first byte of head.
func bareFS(head []byte) *parsers.FileSystem {
	r := bytes.NewReader(head)
	for _, fs := range parsers.FileSystems() {
		if safeFSDetect(fs, r, int64(len(head))) {
			return fs
		}
	}
	return nil
}

func imageName(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	switch ext {
	case ".e01", ".dd", ".raw", ".img", ".001", ".000", ".aa", ".vhd", ".vhdx", ".vmdk", ".qcow2", ".qcow":
		return true
	}
	return false
}

// Group finds the parts of split images in a sorted list of paths: .E01
// .E02 ... (then .EAA ...), .000 .001 ... or .001 .002 ..., and .aa .ab ....
// Each group lists its parts in order; single files are left alone.
func Group(paths []string) [][]string {
	have := make(map[string]bool, len(paths))
	for _, p := range paths {
		have[p] = true
	}
	var out [][]string
	used := map[string]bool{}
	for _, p := range paths {
		if used[p] {
			continue
		}
		ext := filepath.Ext(p)
		base := strings.TrimSuffix(p, ext)
		var next func(i int) string
		e := ext
		if len(e) == 4 && (e[1] == 'E' || e[1] == 'e') && e[2:] == "01" {
			upper := e[1] == 'E'
			next = func(i int) string { return base + "." + ewfExt(i, upper) }
		} else if e == ".000" || e == ".001" {
			start, _ := strconv.Atoi(e[1:])
			next = func(i int) string { return base + fmt.Sprintf(".%03d", start+i) }
		} else if e == ".aa" || e == ".AA" {
			a := byte('a')
			if e == ".AA" {
				a = 'A'
			}
			next = func(i int) string {
				if i >= 26*26 {
					return ""
				}
				return base + "." + string([]byte{a + byte(i/26), a + byte(i%26)})
			}
		}
		if next == nil {
			continue
		}
		var g []string
		for i := 0; ; i++ {
			q := next(i)
			if q == "" || !have[q] || used[q] {
				break
			}
			g = append(g, q)
		}
		if len(g) > 1 {
			for _, q := range g {
				used[q] = true
			}
			out = append(out, g)
		}
	}
	return out
}

// ewfExt names EnCase segment i (0-based): E01..E99, then EAA..EZZ, FAA....
func ewfExt(i int, upper bool) string {
	var s string
	if i < 99 {
		s = fmt.Sprintf("E%02d", i+1)
	} else {
		k := i - 99
		first := byte('E') + byte(k/(26*26))
		if first > 'Z' {
			return ""
		}
		s = string([]byte{first, 'A' + byte(k/26%26), 'A' + byte(k%26)})
	}
	if !upper {
		s = strings.ToLower(s)
	}
	return s
}

// Parse opens the container, reads the partition table and hands each
// partition with a supported file system to that file system's parser.
func Parse(ctx context.Context, in *parsers.Input, sink timeline.Sink) error {
	img, err := openImage(in)
	if err != nil {
		return fmt.Errorf("%s: %w", in.Name, err)
	}
	defer img.closer()
	for _, w := range img.warnings {
		in.Problemf("container", -1, 0, "%s", w)
	}
	r := newCachedReader(img.r, img.size, DefaultCachePages)
	return parseImage(ctx, in, r, img.size, sink)
}

func parseImage(ctx context.Context, in *parsers.Input, r io.ReaderAt, size int64, sink timeline.Sink) error {
	head := make([]byte, min(size, parsers.HeadSize))
	if n, err := r.ReadAt(head, 0); n < len(head) {
		return fmt.Errorf("%s: reading the first %d bytes: %v", in.Name, len(head), err)
	}
	if fs := bareFS(head); fs != nil {
		vol := &parsers.Volume{R: r, Size: size, Offset: 0, RefPath: in.Name, Input: in}
		return runFS(ctx, fs, vol, sink)
	}
	t := readTable(r, size)
	for _, w := range t.Warnings {
		in.Problemf("partition-table", -1, 0, "%s", w)
	}
	if t.Scheme == "" {
		// Not a disk after all (a raw memory dump named *.raw, say):
		// carved by content, as a file no format claims is.
		media := *in
		media.ReaderAt, media.Size, media.Open = r, size, nil
		if err := memory.CarveUnknown(ctx, &media, sink); err != nil {
			return fmt.Errorf("%s: no partition table and no supported file system at offset 0; carved as an unknown file: %w", in.Name, err)
		}
		in.Problemf("disk-unknown", 0, 0, "no partition table and no supported file system: carved as an unknown file")
		return nil
	}
	if len(t.Parts) == 0 {
		in.Problemf("partition-table", -1, 0, "%s partition table holds no partitions", t.Scheme)
	}
	for _, p := range t.Parts {
		if err := ctx.Err(); err != nil {
			return err
		}
		ref := in.Name + "#p" + strconv.Itoa(p.Num)
		if p.Length <= 0 {
			in.Problemf("partition", p.Start, 0, "partition p%d at offset %d (type %s %s) is empty", p.Num, p.Start, p.Type, p.Desc)
			continue
		}
		if p.Start >= size {
			in.Problemf("partition", p.Start, 0, "partition p%d at offset %d (type %s %s, %d bytes) lies past the end of the image (%d bytes)", p.Num, p.Start, p.Type, p.Desc, p.Length, size)
			continue
		}
		length := p.Length
		if p.Start+length > size || p.Start+length < p.Start {
			in.Problemf("partition", p.Start, 0, "partition p%d at offset %d (%d bytes) runs past the end of the image (%d bytes); reading the %d bytes present", p.Num, p.Start, p.Length, size, size-p.Start)
			length = size - p.Start
		}
		sec := io.NewSectionReader(r, p.Start, length)
		var found *parsers.FileSystem
		for _, fs := range parsers.FileSystems() {
			if safeFSDetect(fs, sec, length) {
				found = fs
				break
			}
		}
		if found == nil {
			in.Problemf("partition", p.Start, 0, "partition p%d at offset %d (type %s %s, %d bytes): no supported file system", p.Num, p.Start, p.Type, p.Desc, p.Length)
			continue
		}
		vol := &parsers.Volume{R: sec, Size: length, Offset: p.Start, RefPath: ref, Input: in}
		if err := runFS(ctx, found, vol, sink); err != nil {
			if ctx.Err() != nil {
				return err
			}
			in.Problemf("partition", p.Start, 0, "partition p%d at offset %d (%s): %w", p.Num, p.Start, found.Name, err)
		}
	}
	return nil
}

func safeFSDetect(fs *parsers.FileSystem, r io.ReaderAt, size int64) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return fs.Detect(r, size)
}

// runFS runs a file system parser; a panic inside it (or in a library it
// calls) becomes an error naming the volume and its offset.
func runFS(ctx context.Context, fs *parsers.FileSystem, vol *parsers.Volume, sink timeline.Sink) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s (offset %d): %s parser panicked: %v", vol.RefPath, vol.Offset, fs.Name, r)
		}
	}()
	if vs, ok := sink.(parsers.VolumeSink); ok {
		// The sink parses the files the walk names (engine/inner.go).
		s, done := vs.Volume(fs, vol)
		defer done()
		sink = s
	}
	return fs.Parse(ctx, vol, sink)
}
