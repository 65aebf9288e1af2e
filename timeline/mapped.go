package timeline

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// OpenSegmentMapped loads segment s of the timeline in dir by mapping its
// file into memory, without copying: only the pages of the columns a caller
// reads are paged in, so a scan that reads three columns reads three
// columns. Every string and slice the segment returns is valid only until
// Release, which unmaps the file; callers copy what they keep.
//
// (arrow-go's NewMappedFileReader does not handle dictionary-encoded
// columns, so the file's messages are walked here and handed to the stream
// reader as buffers over the mapping.)
func OpenSegmentMapped(dir string, s SegmentInfo) (*Segment, error) {
	f, err := os.Open(filepath.Join(dir, s.File))
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	size := st.Size()
	if size < 16 || size > 1<<40 {
		f.Close()
		return nil, fmt.Errorf("segment %s: size %d", s.File, size)
	}
	data, unmap, err := mapFile(f, int(size))
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("segment %s: mmap: %w", s.File, err)
	}
	seg, err := segmentFromBytes(data, s)
	if err != nil {
		unmap()
		return nil, err
	}
	seg.unmap = unmap
	return seg, nil
}

// segmentSchemaMessage is the schema message every segment starts with
// (after the 8-byte magic): the same bytes for every segment of this
// schema version.
var segmentSchemaMessage = sync.OnceValue(func() []byte {
	var buf bytes.Buffer
	w, err := ipc.NewFileWriter(&buf, ipc.WithSchema(SegmentSchema))
	if err == nil {
		err = w.Close()
	}
	b := buf.Bytes()
	if err != nil || len(b) < 16 {
		panic(fmt.Sprintf("timeline: cannot encode the segment schema: %v", err))
	}
	l := int(binary.LittleEndian.Uint32(b[12:]))
	return bytes.Clone(b[8 : 16+l])
})

// segmentFromBytes reads the record batch of a segment file's bytes. The
// file must start with Kiseki's own schema message: a crafted schema (an
// edited case file) could make the Arrow reader allocate without bound
// (found by FuzzOpenSegment: 88 GB for a field count), so no other schema
// reaches it; and a panic inside the reader is an error naming the file.
func segmentFromBytes(data []byte, s SegmentInfo) (seg *Segment, err error) {
	want := segmentSchemaMessage()
	if len(data) < 8+len(want) || string(data[:6]) != "ARROW1" || !bytes.Equal(data[8:8+len(want)], want) {
		return nil, schemaError("segment "+s.File, "other or none") // an older Kiseki's, or not a segment
	}
	defer func() {
		if r := recover(); r != nil {
			seg, err = nil, fmt.Errorf("segment %s: corrupt: %v", s.File, r)
		}
	}()
	mr := &mappedMessages{data: data, pos: 8, refs: 1}
	r, err := ipc.NewReaderFromMessageReader(mr)
	if err != nil {
		return nil, fmt.Errorf("segment %s: %w", s.File, err)
	}
	defer r.Release()
	if !r.Next() {
		err := r.Err()
		if err == nil {
			err = errors.New("no record batch")
		}
		return nil, fmt.Errorf("segment %s: %w", s.File, err)
	}
	rec := r.RecordBatch()
	rec.Retain()
	if int64(rec.NumRows()) != s.Rows {
		rec.Release()
		return nil, fmt.Errorf("segment %s: %d rows, manifest says %d", s.File, rec.NumRows(), s.Rows)
	}
	if !rec.Schema().Equal(SegmentSchema) {
		rec.Release()
		return nil, fmt.Errorf("segment %s: not a segment of timeline schema %s", s.File, SchemaVersion)
	}
	return &Segment{Info: s, view: newBatchView(rec)}, nil
}

// mappedMessages reads the encapsulated IPC messages of a mapped file:
// 0xFFFFFFFF, int32 metadata length, flatbuffer metadata, body.
type mappedMessages struct {
	data []byte
	pos  int64
	refs int
}

func (m *mappedMessages) Retain()  { m.refs++ }
func (m *mappedMessages) Release() { m.refs-- }

func (m *mappedMessages) Message() (*ipc.Message, error) {
	n := int64(len(m.data))
	if m.pos+4 > n {
		return nil, io.EOF
	}
	l := int64(int32(binary.LittleEndian.Uint32(m.data[m.pos:])))
	m.pos += 4
	if uint32(l) == 0xFFFFFFFF {
		if m.pos+4 > n {
			return nil, io.ErrUnexpectedEOF
		}
		l = int64(int32(binary.LittleEndian.Uint32(m.data[m.pos:])))
		m.pos += 4
	}
	if l == 0 {
		return nil, io.EOF
	}
	if l < 0 || m.pos+l > n {
		return nil, fmt.Errorf("message metadata of %d bytes at offset %d runs past the file", l, m.pos)
	}
	meta := memory.NewBufferBytes(m.data[m.pos : m.pos+l])
	m.pos += l
	probe := ipc.NewMessage(meta, memory.NewBufferBytes(nil))
	bl := probe.BodyLen()
	probe.Release()
	if bl < 0 || m.pos+bl > n {
		return nil, fmt.Errorf("message body of %d bytes at offset %d runs past the file", bl, m.pos)
	}
	body := memory.NewBufferBytes(m.data[m.pos : m.pos+bl])
	m.pos += bl
	return ipc.NewMessage(meta, body), nil
}
