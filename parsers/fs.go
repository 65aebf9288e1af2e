package parsers

import (
	"context"
	"io"
	"sync"

	"github.com/kiseki-forensics/kiseki/timeline"
)

// Volume is a file system's byte range inside a disk image, as the container
// layer hands it to a file system parser.
type Volume struct {
	R       io.ReaderAt // reads the volume from its first byte
	Size    int64
	Offset  int64  // byte offset of the volume inside the image
	RefPath string // reference path for events: the image name plus "#p<N>" for partition N
	Input   *Input // the evidence the volume belongs to (host, evidence id, zone)
}

// FileSystem is a file system format that the disk-image format dispatches to.
type FileSystem struct {
	Name   string
	Detect func(r io.ReaderAt, size int64) bool
	Parse  func(ctx context.Context, vol *Volume, sink timeline.Sink) error
	// Sources lists the source values its events carry, with their class.
	Sources []Source
	// Files, when set, opens the volume for reading the content of the
	// files its events name (parsers/inner.go); the first source of
	// Sources is the one whose events name files.
	Files func(vol *Volume) (FileData, error)
}

var (
	fsMu        sync.RWMutex
	fileSystems []*FileSystem
)

// RegisterFileSystem adds a file system format.
func RegisterFileSystem(fs *FileSystem) {
	fsMu.Lock()
	defer fsMu.Unlock()
	for _, f := range fileSystems {
		if f.Name == fs.Name {
			panic("parsers: file system registered twice: " + fs.Name)
		}
	}
	fileSystems = append(fileSystems, fs)
	mu.Lock()
	defer mu.Unlock()
	declare(fs.Sources)
}

// FileSystems lists the registered file system formats.
func FileSystems() []*FileSystem {
	fsMu.RLock()
	defer fsMu.RUnlock()
	return append([]*FileSystem(nil), fileSystems...)
}
