package fat

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
)

var le = binary.LittleEndian

// Kinds of volumes.
const (
	kindFAT12 = "FAT12"
	kindFAT16 = "FAT16"
	kindFAT32 = "FAT32"
	kindExFAT = "exFAT"
)

// Limits on boot sector values: outside them the sector is not a FAT boot
// sector (or is too damaged to read).
const (
	minSector = 512
	maxSector = 4096
	// maxClusterBytes is the largest cluster FAT (64 KiB) and exFAT
	// (32 MiB) allow.
	maxClusterBytes = 32 << 20
	// maxFATBytes bounds the FAT read into memory: a 2 TiB FAT32 volume
	// with 32 KiB clusters needs 256 MiB.
	maxFATBytes = 256 << 20
	// fat12Max and fat16Max are the cluster counts that decide the FAT
	// width (Microsoft FAT specification).
	fat12Max = 4085
	fat16Max = 65525
)

// geometry is what the boot sector says about the volume, in bytes.
type geometry struct {
	kind        string
	bps         int64 // bytes per sector
	cluster     int64 // bytes per cluster
	fatOff      int64
	fatSize     int64 // bytes of one FAT
	firstData   int64 // first sector after the FATs (TSK's firstdatasect), in bytes
	rootOff     int64 // FAT12/16: fixed root directory
	rootSize    int64
	heapOff     int64 // first byte of cluster 2
	clusters    uint32
	rootCluster uint32 // FAT32 and exFAT
}

// readBoot parses the boot sector at the start of r.
func readBoot(r io.ReaderAt, size int64) (*geometry, error) {
	b := make([]byte, 512)
	if n, err := r.ReadAt(b, 0); n < len(b) {
		return nil, fmt.Errorf("reading the boot sector at offset 0: %v", err)
	}
	if bytes.Equal(b[3:11], []byte("EXFAT   ")) {
		return exfatBoot(b, size)
	}
	return fatBoot(b, size)
}

func pow2(v int64) bool { return v > 0 && v&(v-1) == 0 }

func fatBoot(b []byte, size int64) (*geometry, error) {
	if b[510] != 0x55 || b[511] != 0xAA {
		return nil, fmt.Errorf("no boot signature 55 AA at offset 510")
	}
	if b[0] != 0xEB && b[0] != 0xE9 {
		return nil, fmt.Errorf("no jump instruction at offset 0 (%#02x)", b[0])
	}
	g := &geometry{bps: int64(le.Uint16(b[11:]))}
	spc := int64(b[13])
	reserved := int64(le.Uint16(b[14:]))
	nfats := int64(b[16])
	rootEnt := int64(le.Uint16(b[17:]))
	tot := int64(le.Uint16(b[19:]))
	if tot == 0 {
		tot = int64(le.Uint32(b[32:]))
	}
	fatSec := int64(le.Uint16(b[22:]))
	fat32 := fatSec == 0
	if fat32 {
		fatSec = int64(le.Uint32(b[36:]))
	}
	switch {
	case !pow2(g.bps) || g.bps < minSector || g.bps > maxSector:
		return nil, fmt.Errorf("bytes per sector %d at offset 11", g.bps)
	case !pow2(spc) || spc*g.bps > maxClusterBytes:
		return nil, fmt.Errorf("sectors per cluster %d at offset 13", spc)
	case reserved == 0 || nfats == 0 || nfats > 4 || fatSec == 0 || tot == 0:
		return nil, fmt.Errorf("reserved %d, FATs %d, FAT sectors %d, total sectors %d: not a FAT boot sector", reserved, nfats, fatSec, tot)
	case b[21] != 0xF0 && b[21] < 0xF8:
		// The media descriptor (0xF0, 0xF8-0xFF) tells a FAT boot sector
		// from boot code that happens to jump and end in 55 AA (an MBR).
		return nil, fmt.Errorf("media descriptor %#02x at offset 21", b[21])
	}
	g.cluster = spc * g.bps
	g.fatOff = reserved * g.bps
	g.fatSize = fatSec * g.bps
	g.firstData = (reserved + nfats*fatSec) * g.bps
	g.rootOff = g.firstData
	g.rootSize = (rootEnt*32 + g.bps - 1) / g.bps * g.bps
	g.heapOff = g.firstData + g.rootSize
	if tot*g.bps <= g.heapOff {
		return nil, fmt.Errorf("%d sectors leave no data area after the FATs and root directory", tot)
	}
	g.clusters = uint32((tot*g.bps - g.heapOff) / g.cluster)
	switch {
	case fat32 && rootEnt == 0:
		g.kind = kindFAT32
		g.rootCluster = le.Uint32(b[44:])
		g.rootSize = 0
	case g.clusters < fat12Max:
		g.kind = kindFAT12
	case g.clusters < fat16Max:
		g.kind = kindFAT16
	default:
		g.kind = kindFAT32
		g.rootCluster = le.Uint32(b[44:])
	}
	if g.fatSize > maxFATBytes {
		return nil, fmt.Errorf("FAT of %d bytes is larger than the %d read into memory", g.fatSize, maxFATBytes)
	}
	return g, nil
}

func exfatBoot(b []byte, size int64) (*geometry, error) {
	if b[510] != 0x55 || b[511] != 0xAA {
		return nil, fmt.Errorf("exFAT: no boot signature 55 AA at offset 510")
	}
	bpsShift, spcShift := b[108], b[109]
	if bpsShift < 9 || bpsShift > 12 || int(bpsShift)+int(spcShift) > 25 {
		return nil, fmt.Errorf("exFAT: sector shift %d, cluster shift %d at offset 108", bpsShift, spcShift)
	}
	g := &geometry{kind: kindExFAT, bps: 1 << bpsShift}
	g.cluster = g.bps << spcShift
	g.fatOff = int64(le.Uint32(b[80:])) * g.bps
	g.fatSize = int64(le.Uint32(b[84:])) * g.bps
	g.heapOff = int64(le.Uint32(b[88:])) * g.bps
	g.firstData = g.heapOff
	g.clusters = le.Uint32(b[92:])
	g.rootCluster = le.Uint32(b[96:])
	if g.fatOff == 0 || g.heapOff == 0 || g.clusters == 0 || g.rootCluster < 2 {
		return nil, fmt.Errorf("exFAT: FAT offset %d, heap offset %d, %d clusters, root cluster %d", g.fatOff, g.heapOff, g.clusters, g.rootCluster)
	}
	if g.fatSize > maxFATBytes || int64(g.clusters+2)*4 > g.fatSize {
		return nil, fmt.Errorf("exFAT: FAT of %d bytes for %d clusters", g.fatSize, g.clusters)
	}
	return g, nil
}

// clusterOff is the byte offset of cluster c.
func (g *geometry) clusterOff(c uint32) int64 { return g.heapOff + int64(c-2)*g.cluster }

// validCluster reports whether c is a data cluster of the volume.
func (g *geometry) validCluster(c uint32) bool { return c >= 2 && c < g.clusters+2 }

// meta is the Sleuth Kit's meta address of the directory entry at byte
// offset off: 32-byte slots counted from the first data sector, plus 3.
func (g *geometry) meta(off int64) uint64 {
	return uint64((off-g.firstData)/32) + 3
}
