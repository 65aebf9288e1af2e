package timeline

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/apache/arrow-go/v18/arrow/ipc"
)

const (
	// runBatchRows is the batch size inside a run file: the merge holds one
	// batch per run in memory.
	runBatchRows = 2048
	// defaultChunkBytes bounds the memory one parser's buffered events take
	// before they are sorted and written as a run.
	defaultChunkBytes = 48 << 20
)

// RunWriter is a Sink that buffers events, sorts them by time and writes them
// as run files (Arrow IPC, RunSchema with narrower dictionary codes where
// they fit) into a directory. Memory stays bounded by two chunks whatever the
// input size: while one chunk is sorted and written in the background, the
// parser fills the other, so one large file keeps two cores busy.
type RunWriter struct {
	dir        string
	cur        *chunk
	spare      chan *chunk // a chunk ready to fill, once its write is done
	done       chan error  // result of the background write in flight
	inFlight   bool
	chunkBytes int
	out        runOut
	runs       int
	rows       int64
	err        error
}

// freeChunks keeps chunk buffers across writers. Ingest opens a writer per
// file, and a chunk grown to chunk size for one file is worth keeping for the
// next: sync.Pool would drop it at the next collection, which comes often
// while parsing, and growing a fresh one copies every byte again.
var freeChunks = make(chan *chunk, 2*runtime.GOMAXPROCS(0))

func getChunk() *chunk {
	select {
	case k := <-freeChunks:
		return k
	default:
		return &chunk{}
	}
}

// DropSpareChunks lets the chunk buffers kept for the next writer go, when
// no more writers are coming for a while (ingest calls it once parsing is
// over).
func DropSpareChunks() {
	for {
		select {
		case <-freeChunks:
		default:
			return
		}
	}
}

func putChunk(k *chunk) {
	if cap(k.data) > 2*defaultChunkBytes {
		return // grown by a few huge rows: not worth keeping
	}
	k.reset()
	select {
	case freeChunks <- k:
	default:
	}
}

// NewRunWriter writes runs into dir, which must exist.
func NewRunWriter(dir string) *RunWriter {
	w := &RunWriter{dir: dir, cur: getChunk(), spare: make(chan *chunk, 1), done: make(chan error, 1), chunkBytes: defaultChunkBytes}
	w.spare <- getChunk()
	return w
}

// Emit buffers one event.
func (w *RunWriter) Emit(ev *Event) error {
	w.cur.add(ev, w.chunkBytes)
	if w.cur.size() >= w.chunkBytes {
		return w.flush()
	}
	return nil
}

// Close writes what is buffered and waits for every write. It returns the
// number of rows written.
func (w *RunWriter) Close() (int64, error) {
	err := w.flush()
	if e := w.wait(); err == nil {
		err = e
	}
	if w.cur != nil {
		putChunk(w.cur)
		putChunk(<-w.spare)
		w.cur = nil
	}
	return w.rows, err
}

// wait collects the background write in flight, if any.
func (w *RunWriter) wait() error {
	if w.inFlight {
		w.inFlight = false
		if err := <-w.done; err != nil && w.err == nil {
			w.err = err
		}
	}
	return w.err
}

// flush hands the current chunk to a background write and takes the spare.
func (w *RunWriter) flush() error {
	if w.cur.rows == 0 {
		return w.err
	}
	if err := w.wait(); err != nil {
		return err
	}
	full := w.cur
	w.cur = <-w.spare
	w.runs++
	w.rows += int64(full.rows)
	name := filepath.Join(w.dir, fmt.Sprintf("run-%05d.arrow", w.runs))
	w.inFlight = true
	go func() {
		err := w.write(full, name)
		full.reset()
		w.spare <- full
		w.done <- err
	}()
	return nil
}

func (w *RunWriter) write(k *chunk, name string) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	order := k.sortedOrder()
	w.out.code(k, order)
	defer w.out.release()
	bw := bufio.NewWriterSize(f, 1<<20)
	fw, err := ipc.NewFileWriter(bw, ipc.WithSchema(w.out.schema))
	if err != nil {
		f.Close()
		return err
	}
	for start := 0; start < k.rows; {
		rec, n := k.batch(order, start, min(start+runBatchRows, k.rows), &w.out)
		start += n
		err = fw.Write(rec)
		rec.Release()
		if err != nil {
			fw.Close()
			f.Close()
			return fmt.Errorf("write run %s: %w", name, err)
		}
	}
	if err := fw.Close(); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
