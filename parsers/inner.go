package parsers

import (
	"io"
	"time"

	"github.com/kiseki-forensics/kiseki/timeline"
)

// Files inside file systems: a file system parser that can read file
// contents offers it through FileSystem.Files; the disk-image layer asks its
// sink (when the sink is a VolumeSink) for a sink per volume, so that the
// engine can hand the files the walk names to the format parsers while the
// walk goes on.

// InnerFile is one regular file of a volume whose content can be read.
type InnerFile struct {
	// Key identifies the file within its volume (inode or MFT entry
	// number): a file with several names is parsed once.
	Key int64
	// Path is the file's path inside the volume, as the file system's
	// events give it ("/var/log/auth.log").
	Path    string
	Size    int64
	ModTime time.Time
	// Deleted: the file is no longer allocated; its data was still mapped
	// when read, but may have been overwritten in part since.
	Deleted bool
	// R reads the file's content (Size bytes). Safe for concurrent use.
	R io.ReaderAt
	// Inode and MFT are the references the file's content events carry
	// (timeline.Absent where the file system has no such notion).
	Inode, MFT int64
}

// FileData opens the files of one volume by the events its file system
// parser emitted. Implementations are safe for concurrent use.
type FileData interface {
	// File returns the regular file that ev (an event of this volume's own
	// file system source) is about, when its content is still readable;
	// ok is false for directories, special files, empty files, and deleted
	// files whose data is no longer mapped.
	File(ev *timeline.Event) (f InnerFile, ok bool)
}

// VolumeSink is a sink that wants to see the files inside the volumes of a
// disk image. Before a file system parses a volume, the disk-image layer
// calls Volume: the file system's events go to the returned sink, and done
// is called once Parse has returned (it waits for the work started on the
// volume's files).
type VolumeSink interface {
	timeline.Sink
	Volume(fs *FileSystem, vol *Volume) (sink timeline.Sink, done func())
}
