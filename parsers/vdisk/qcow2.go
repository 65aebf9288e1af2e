package vdisk

import (
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// QCOW2 header fields and limits.
const (
	qcowMinCluster = 9  // 512-byte clusters, the format's smallest
	qcowMaxCluster = 21 // 2 MiB clusters, the format's largest
	// qcowMaxL1 bounds the L1 table read into memory (256 MiB): with
	// 64 KiB clusters 32 M entries map 8 EiB, more than any real image;
	// a larger count is a corrupt header.
	qcowMaxL1 = 32 << 20

	qcowOffsetMask = 0x00fffffffffffe00 // bits 9-55: host offset
	qcowCompressed = 1 << 62
	qcowZeroFlag   = 1 // v3: the cluster reads as zeros

	qcowIncompatDirty    = 1 << 0
	qcowIncompatCorrupt  = 1 << 1
	qcowIncompatExtData  = 1 << 2
	qcowIncompatCompType = 1 << 3
	qcowIncompatExtL2    = 1 << 4
	// qcowZstdWindow bounds the zstd decoder's memory in clusters: a
	// cluster's frame needs one, more is a hostile frame header.
	qcowZstdWindow    = 4
	qcowKnownIncompat = qcowIncompatDirty | qcowIncompatCorrupt | qcowIncompatExtData | qcowIncompatCompType | qcowIncompatExtL2
)

type qcow2 struct {
	r           io.ReaderAt
	fileSize    int64
	clusterBits uint
	cluster     int64
	l1          []uint64
	zstd        bool

	// backing is the backing file's disk (nil without one).
	backing     io.ReaderAt
	backingSize int64

	mu     sync.Mutex
	l2Off  int64 // host offset of the cached L2 table, or -1
	l2     []byte
	cbuf   []byte // compressed cluster scratch
	dbuf   []byte // decompressed cluster
	dOff   int64  // host offset of the cluster in dbuf, or -1
	zdec   *zstd.Decoder
	infl   io.ReadCloser
	inflBR *bytes.Reader // the compressed cluster, for either decoder
}

func openQCOW2(r io.ReaderAt, size int64, path string, depth int) (*Disk, error) {
	h := make([]byte, 112)
	if err := readFull(r, h[:72], 0, "QCOW2 header"); err != nil {
		return nil, fmt.Errorf("QCOW2: %w", err)
	}
	version := be.Uint32(h[4:])
	if version != 2 && version != 3 {
		return nil, fmt.Errorf("QCOW2: version %d at offset 4 is not supported (2 and 3 are)", version)
	}
	var backing *Disk
	if be.Uint64(h[8:]) != 0 {
		name := make([]byte, min(be.Uint32(h[16:]), qcowMaxBackingName))
		r.ReadAt(name, int64(be.Uint64(h[8:])))
		var err error
		if backing, err = openBacking(string(name), path, depth); err != nil {
			return nil, fmt.Errorf("QCOW2: the image has a backing file %q (offset 8), where its unallocated clusters live: %w", name, err)
		}
	}
	d, err := openQCOW2Tables(r, size, h, version)
	if err != nil {
		backing.Close()
		return nil, err
	}
	if backing != nil {
		d.closer = backing.Close
		d.qcow.backing, d.qcow.backingSize = backing.R, backing.Size
	}
	return d, nil
}

// qcowMaxBackingName bounds the backing file name read (qemu's limit).
const qcowMaxBackingName = 1023

// openBacking opens a backing file by its base name in path's directory: a
// virtual disk (another QCOW2...) or, when it is none, a raw image.
func openBacking(name, path string, depth int) (*Disk, error) {
	base := filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	if path == "" || base == "." || base == "/" {
		return nil, fmt.Errorf("it cannot be looked for here; convert the image first (qemu-img convert -O raw)")
	}
	if depth >= maxParentChain {
		return nil, fmt.Errorf("more than %d images in a chain", maxParentChain)
	}
	pp := filepath.Join(filepath.Dir(path), base)
	f, err := os.Open(pp) // read-only
	if err != nil {
		return nil, fmt.Errorf("it is not beside the image: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	d, err := openDepth(f, st.Size(), pp, depth+1)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", pp, err)
	}
	if d == nil {
		d = &Disk{R: f, Size: st.Size(), Kind: "raw"}
	}
	inner := d.closer
	d.closer = func() {
		if inner != nil {
			inner()
		}
		f.Close()
	}
	return d, nil
}

// openQCOW2Tables reads the header past the backing file fields and the L1
// table.
func openQCOW2Tables(r io.ReaderAt, size int64, h []byte, version uint32) (*Disk, error) {
	bits := uint(be.Uint32(h[20:]))
	if bits < qcowMinCluster || bits > qcowMaxCluster {
		return nil, fmt.Errorf("QCOW2: cluster_bits %d at offset 20 outside %d-%d", bits, qcowMinCluster, qcowMaxCluster)
	}
	vsize := int64(be.Uint64(h[24:]))
	if vsize <= 0 {
		return nil, fmt.Errorf("QCOW2: virtual size %d at offset 24", vsize)
	}
	if m := be.Uint32(h[32:]); m != 0 {
		return nil, fmt.Errorf("QCOW2: encrypted (crypt_method %d at offset 32): not supported", m)
	}
	q := &qcow2{r: r, fileSize: size, clusterBits: bits, cluster: 1 << bits, l2Off: -1, dOff: -1}
	var warns []string
	if version == 3 {
		if err := readFull(r, h[72:104], 72, "QCOW2 v3 header"); err != nil {
			return nil, fmt.Errorf("QCOW2: %w", err)
		}
		inc := be.Uint64(h[72:])
		switch {
		case inc&^qcowKnownIncompat != 0:
			return nil, fmt.Errorf("QCOW2: unknown incompatible features %#x (offset 72)", inc&^qcowKnownIncompat)
		case inc&qcowIncompatExtData != 0:
			return nil, fmt.Errorf("QCOW2: the data lives in an external data file (incompatible feature bit 2): not supported")
		case inc&qcowIncompatExtL2 != 0:
			return nil, fmt.Errorf("QCOW2: extended L2 entries (subclusters, incompatible feature bit 4): not supported")
		}
		if inc&(qcowIncompatDirty|qcowIncompatCorrupt) != 0 {
			warns = append(warns, fmt.Sprintf("QCOW2 header marks the image dirty or corrupt (incompatible features %#x): metadata may be inconsistent", inc))
		}
		if hl := be.Uint32(h[100:]); inc&qcowIncompatCompType != 0 && hl > 104 {
			if err := readFull(r, h[104:105], 104, "QCOW2 compression type"); err != nil {
				return nil, fmt.Errorf("QCOW2: %w", err)
			}
			q.zstd = h[104] == 1
		}
	}
	l1Size := int64(be.Uint32(h[36:]))
	l1Off := int64(be.Uint64(h[40:]))
	need := (vsize + q.cluster - 1) >> bits
	perL2 := q.cluster / 8
	if l1Size > qcowMaxL1 || l1Size*8 > size || l1Size < (need+perL2-1)/perL2 {
		return nil, fmt.Errorf("QCOW2: L1 table of %d entries (offset 36) cannot map %d bytes or does not fit in the %d-byte file", l1Size, vsize, size)
	}
	raw := make([]byte, l1Size*8)
	if err := readFull(r, raw, l1Off, "QCOW2 L1 table"); err != nil {
		return nil, fmt.Errorf("QCOW2: %w", err)
	}
	q.l1 = make([]uint64, l1Size)
	for i := range q.l1 {
		q.l1[i] = be.Uint64(raw[8*i:])
	}
	q.l2 = make([]byte, q.cluster)
	return &Disk{R: &bounded{size: vsize, unit: q.cluster, read: q.read, kind: "QCOW2"}, Size: vsize, Kind: KindQCOW2, Warnings: warns, qcow: q}, nil
}

// read fills p from virtual offset off, inside one cluster.
func (q *qcow2) read(p []byte, off int64) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	vc := off >> q.clusterBits
	perL2 := q.cluster / 8
	l1e := q.l1[vc/perL2]
	l2Off := int64(l1e & qcowOffsetMask)
	if l2Off == 0 {
		return q.fromBacking(p, off)
	}
	if l2Off != q.l2Off {
		if err := readFull(q.r, q.l2, l2Off, "QCOW2 L2 table"); err != nil {
			return fmt.Errorf("QCOW2: virtual offset %d: %w", off, err)
		}
		q.l2Off = l2Off
	}
	e := be.Uint64(q.l2[8*(vc%perL2):])
	in := off & (q.cluster - 1)
	if e&qcowCompressed != 0 {
		if err := q.decompress(e, off); err != nil {
			return err
		}
		copy(p, q.dbuf[in:])
		return nil
	}
	host := int64(e & qcowOffsetMask)
	if e&qcowZeroFlag != 0 {
		clear(p)
		return nil
	}
	if host == 0 {
		return q.fromBacking(p, off)
	}
	if err := readFull(q.r, p, host+in, "QCOW2 data cluster"); err != nil {
		return fmt.Errorf("QCOW2: virtual offset %d: %w", off, err)
	}
	return nil
}

// fromBacking fills p from the backing file (zeros past its end, or
// without one): a cluster the image never wrote.
func (q *qcow2) fromBacking(p []byte, off int64) error {
	clear(p)
	if q.backing == nil || off >= q.backingSize {
		return nil
	}
	k := min(int64(len(p)), q.backingSize-off)
	if err := readFull(q.backing, p[:k], off, "QCOW2 backing file"); err != nil {
		return fmt.Errorf("QCOW2: virtual offset %d: %w", off, err)
	}
	return nil
}

// decompress loads the compressed cluster of L2 entry e into q.dbuf.
func (q *qcow2) decompress(e uint64, off int64) error {
	x := 62 - (q.clusterBits - 8)
	host := int64(e & (1<<x - 1))
	if host == q.dOff {
		return nil
	}
	sectors := int64(e>>x&(1<<(q.clusterBits-8)-1)) + 1
	n := sectors*512 - host&511
	n = min(n, q.fileSize-host)
	if n <= 0 || host <= 0 {
		return fmt.Errorf("QCOW2: virtual offset %d: compressed cluster at offset %d lies outside the file", off, host)
	}
	q.cbuf = append(q.cbuf[:0], make([]byte, n)...)
	if err := readFull(q.r, q.cbuf, host, "QCOW2 compressed cluster"); err != nil {
		return fmt.Errorf("QCOW2: virtual offset %d: %w", off, err)
	}
	if q.dbuf == nil {
		q.dbuf = make([]byte, q.cluster)
	}
	var err error
	if q.zstd {
		err = q.unzstd()
	} else {
		err = q.inflate()
	}
	if err != nil {
		q.dOff = -1
		return fmt.Errorf("QCOW2: virtual offset %d: compressed cluster at offset %d: %w", off, host, err)
	}
	q.dOff = host
	return nil
}

func (q *qcow2) inflate() error {
	if q.infl == nil {
		q.inflBR = bytes.NewReader(q.cbuf)
		q.infl = flate.NewReader(q.inflBR)
	} else {
		q.inflBR.Reset(q.cbuf)
		q.infl.(flate.Resetter).Reset(q.inflBR, nil)
	}
	_, err := io.ReadFull(q.infl, q.dbuf)
	return err
}

// unzstd decodes the cluster as a stream, as qemu does: the data stops
// once the cluster is full, and the padding after the frame is not read.
func (q *qcow2) unzstd() error {
	if q.zdec == nil {
		d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(uint64(qcowZstdWindow*q.cluster)))
		if err != nil {
			return err
		}
		q.zdec = d
		q.inflBR = bytes.NewReader(nil)
	}
	q.inflBR.Reset(q.cbuf)
	if err := q.zdec.Reset(q.inflBR); err != nil {
		return err
	}
	_, err := io.ReadFull(q.zdec, q.dbuf)
	return err
}
