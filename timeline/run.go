package timeline

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow/ipc"
)

const (
	// runBatchRows is the batch size inside a run file: the merge holds one
	// batch per run in memory.
	runBatchRows = 8192
	// defaultChunkBytes bounds the memory one parser's buffered events take
	// before they are sorted and written as a run.
	defaultChunkBytes = 96 << 20
)

// RunWriter is a Sink that buffers events, sorts them by time and writes them
// as run files (Arrow IPC, RunSchema) into a directory. Memory stays bounded by
// the chunk size whatever the input size.
type RunWriter struct {
	dir        string
	chunk      chunk
	chunkBytes int
	builder    *rowBuilder
	runs       int
	rows       int64
}

// NewRunWriter writes runs into dir, which must exist.
func NewRunWriter(dir string) *RunWriter {
	return &RunWriter{dir: dir, chunkBytes: defaultChunkBytes}
}

// Emit buffers one event.
func (w *RunWriter) Emit(ev *Event) error {
	w.chunk.add(ev)
	if w.chunk.size() >= w.chunkBytes {
		return w.flush()
	}
	return nil
}

// Close writes what is buffered. It returns the number of rows written.
func (w *RunWriter) Close() (int64, error) {
	err := w.flush()
	if w.builder != nil {
		w.builder.release()
		w.builder = nil
	}
	return w.rows, err
}

func (w *RunWriter) flush() error {
	if len(w.chunk.events) == 0 {
		return nil
	}
	if w.builder == nil {
		w.builder = newRowBuilder(RunSchema)
	}
	w.runs++
	name := filepath.Join(w.dir, fmt.Sprintf("run-%05d.arrow", w.runs))
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	fw, err := ipc.NewFileWriter(f, ipc.WithSchema(RunSchema))
	if err != nil {
		f.Close()
		return err
	}
	order := w.chunk.sortedOrder()
	for start := 0; start < len(order); start += runBatchRows {
		end := min(start+runBatchRows, len(order))
		for _, i := range order[start:end] {
			w.chunk.appendTo(w.builder, i)
		}
		rec := w.builder.finish()
		err = fw.Write(rec)
		rec.Release()
		if err != nil {
			fw.Close()
			f.Close()
			return fmt.Errorf("write run %s: %w", name, err)
		}
	}
	w.rows += int64(len(order))
	w.chunk.reset()
	if err := fw.Close(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
