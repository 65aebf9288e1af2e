package fat

import (
	"fmt"
	"io"
)

// End-of-chain and bad-cluster markers, per FAT width.
const (
	fat12EOC = 0xFF8
	fat16EOC = 0xFFF8
	fat32EOC = 0x0FFFFFF8

	exfatEOC = 0xFFFFFFF8
)

// volume is an opened FAT or exFAT volume.
type volume struct {
	r     io.ReaderAt
	size  int64
	g     *geometry
	fat   []byte // the first FAT
	warnf func(string, ...any)
}

func openVolume(r io.ReaderAt, size int64, warnf func(string, ...any)) (*volume, error) {
	g, err := readBoot(r, size)
	if err != nil {
		return nil, err
	}
	v := &volume{r: r, size: size, g: g, warnf: warnf}
	if size > 0 && g.heapOff+int64(g.clusters)*g.cluster > size {
		warnf("image truncated: the %s volume claims %d clusters of %d bytes (%d bytes) but ends at offset %d; reading what is there",
			g.kind, g.clusters, g.cluster, g.heapOff+int64(g.clusters)*g.cluster, size)
	}
	v.fat = make([]byte, g.fatSize)
	if n, err := r.ReadAt(v.fat, g.fatOff); n < len(v.fat) {
		warnf("FAT at offset %d: read %d of %d bytes (%v); clusters past that end their chains", g.fatOff, n, len(v.fat), err)
		v.fat = v.fat[:n]
	}
	return v, nil
}

// next returns the FAT entry of cluster c and whether it continues a chain.
func (v *volume) next(c uint32) (uint32, bool) {
	var n, eoc uint32
	switch v.g.kind {
	case kindFAT12:
		i := int(c) * 3 / 2
		if i+1 >= len(v.fat) {
			return 0, false
		}
		n = uint32(le.Uint16(v.fat[i:]))
		if c&1 != 0 {
			n >>= 4
		}
		n &= 0xFFF
		eoc = fat12EOC
	case kindFAT16:
		i := int(c) * 2
		if i+1 >= len(v.fat) {
			return 0, false
		}
		n, eoc = uint32(le.Uint16(v.fat[i:])), fat16EOC
	case kindFAT32:
		i := int(c) * 4
		if i+3 >= len(v.fat) {
			return 0, false
		}
		n, eoc = le.Uint32(v.fat[i:])&0x0FFFFFFF, fat32EOC
	default:
		i := int(c) * 4
		if i+3 >= len(v.fat) {
			return 0, false
		}
		n, eoc = le.Uint32(v.fat[i:]), exfatEOC
	}
	if n >= eoc || !v.g.validCluster(n) {
		return n, false
	}
	return n, true
}

// chain lists the clusters of the chain that starts at first, stopping at
// the end marker, a free or bad entry, a loop (more clusters than the
// volume has) or max clusters (max <= 0: no limit).
func (v *volume) chain(first uint32, max int) []uint32 {
	if !v.g.validCluster(first) {
		return nil
	}
	out := []uint32{first}
	c := first
	for max <= 0 || len(out) < max {
		n, ok := v.next(c)
		if !ok {
			break
		}
		if len(out) > int(v.g.clusters) {
			v.warnf("cluster chain from cluster %d loops (more than %d clusters); cut", first, v.g.clusters)
			break
		}
		out = append(out, n)
		c = n
	}
	return out
}

// readClusters reads the clusters in order, returning the bytes and the
// volume offset of each cluster's first byte.
func (v *volume) readClusters(cl []uint32) ([]byte, []int64, error) {
	buf := make([]byte, 0, len(cl)*int(v.g.cluster))
	offs := make([]int64, 0, len(cl))
	for _, c := range cl {
		off := v.g.clusterOff(c)
		n := len(buf)
		buf = buf[:n+int(v.g.cluster)]
		if k, err := v.r.ReadAt(buf[n:], off); k < int(v.g.cluster) {
			return buf[:n], offs, fmt.Errorf("cluster %d at offset %d: read %d of %d bytes: %v", c, off, k, v.g.cluster, err)
		}
		offs = append(offs, off)
	}
	return buf, offs, nil
}
