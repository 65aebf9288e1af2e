package fat

import (
	"context"
	"time"
)

// maxOrphanScan bounds the free space read when looking for orphan
// directory entries (4 GiB: about 20 s of reading); past it the scan stops
// with a warning.
const maxOrphanScan = 4 << 30

// orphanRead is how much free space is read at once.
const orphanRead = 1 << 20

// scanOrphans reads the free clusters of a FAT volume for directory
// entries that no directory of the tree leads to (the later clusters of a
// deleted directory, whose chain the FAT lost), as the Sleuth Kit does, and
// emits them as orphans: Path "<orphan>/long name", TSK name
// "/$OrphanFiles/8.3 name".
func (w *walker) scanOrphans(ctx context.Context) error {
	g := w.v.g
	if g.kind == kindExFAT {
		return nil
	}
	per := max(1, orphanRead/int(g.cluster))
	buf := make([]byte, per*int(g.cluster))
	var read int64
	end := g.clusters + 2
	for c := uint32(2); c < end; {
		if err := ctx.Err(); err != nil {
			return err
		}
		// a run of free clusters, up to per
		for c < end && !w.free(c) {
			c++
		}
		first := c
		for c < end && w.free(c) && int(c-first) < per {
			c++
		}
		if c == first {
			continue
		}
		if read += int64(c-first) * g.cluster; read > maxOrphanScan {
			w.v.warnf("orphan scan stopped at cluster %d: more than %d bytes of free space read", first, maxOrphanScan)
			return nil
		}
		b := buf[:int(c-first)*int(g.cluster)]
		base := g.clusterOff(first)
		if k, _ := w.v.r.ReadAt(b, base); k < len(b) {
			b = b[:k-k%int(g.cluster)]
		}
		for i := 0; i < len(b); i += int(g.cluster) {
			cb := b[i : i+int(g.cluster)]
			if !orphanCluster(cb) {
				continue
			}
			off := base + int64(i)
			if err := w.emitOrphans(cb, off, w.loc); err != nil {
				return err
			}
		}
	}
	return nil
}

// free reports whether cluster c is free in the FAT.
func (w *walker) free(c uint32) bool {
	n, ok := w.v.next(c)
	return !ok && n == 0
}

// orphanCluster reports whether a free cluster holds directory entries:
// a used first slot and every used slot plausible.
func orphanCluster(cb []byte) bool {
	if cb[0] == 0 {
		return false
	}
	for i := 0; i+direntSize <= len(cb); i += direntSize {
		e := cb[i : i+direntSize]
		if e[0] == 0 {
			return allZero(cb[i:])
		}
		if !plausibleDirent(e) {
			return false
		}
	}
	return true
}

func (w *walker) emitOrphans(cb []byte, off int64, loc *time.Location) error {
	for _, e := range w.v.parseFATDir(cb, func(i int) int64 { return off + int64(i) }, loc) {
		if w.emitted[e.off] {
			continue
		}
		e.deleted = true
		real := "<orphan>/" + e.name
		e.name = e.short
		if err := w.emitAs(&e, "/$OrphanFiles/"+e.short, real); err != nil {
			return err
		}
	}
	return nil
}
