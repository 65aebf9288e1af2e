package disk

import (
	"container/list"
	"io"
	"sync"
)

// PageSize is the unit of every read that reaches the container.
const PageSize = 64 << 10

// DefaultCachePages is how many pages a cachedReader keeps (4 MiB).
const DefaultCachePages = 64

// cachedReader serves ReadAt from page-aligned reads of r, keeping the most
// recently used pages. It is safe for concurrent use. Reads past size end
// with io.EOF like an os.File.
type cachedReader struct {
	r     io.ReaderAt
	size  int64
	max   int
	mu    sync.Mutex
	pages map[int64]*list.Element
	lru   *list.List // front: most recent; values are *page

	hits, misses int64
}

type page struct {
	idx  int64
	data []byte // len < PageSize only for the last page
	err  error  // a read error other than EOF, returned to every reader
}

func newCachedReader(r io.ReaderAt, size int64, pages int) *cachedReader {
	if pages <= 0 {
		pages = DefaultCachePages
	}
	return &cachedReader{r: r, size: size, max: pages, pages: map[int64]*list.Element{}, lru: list.New()}
}

// Size is the number of bytes the reader serves.
func (c *cachedReader) Size() int64 { return c.size }

func (c *cachedReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errNegativeOffset
	}
	if off >= c.size {
		return 0, io.EOF
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for n < len(p) && off < c.size {
		pg := c.page(off / PageSize)
		if pg.err != nil {
			return n, pg.err
		}
		in := int(off % PageSize)
		if in >= len(pg.data) {
			// short page: the container ended early (truncated segment).
			return n, io.ErrUnexpectedEOF
		}
		k := copy(p[n:], pg.data[in:])
		n += k
		off += int64(k)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (c *cachedReader) page(idx int64) *page {
	if el, ok := c.pages[idx]; ok {
		c.hits++
		c.lru.MoveToFront(el)
		return el.Value.(*page)
	}
	c.misses++
	var pg *page
	if c.lru.Len() >= c.max {
		el := c.lru.Back()
		pg = el.Value.(*page)
		delete(c.pages, pg.idx)
		c.lru.Remove(el)
	} else {
		pg = &page{data: make([]byte, PageSize)}
	}
	pg.idx, pg.err = idx, nil
	start := idx * PageSize
	want := int64(PageSize)
	if rest := c.size - start; rest < want {
		want = rest
	}
	buf := pg.data[:cap(pg.data)][:want]
	k, err := c.r.ReadAt(buf, start)
	if err != nil && err != io.EOF && k < len(buf) {
		pg.err = err
	}
	pg.data = buf[:k]
	c.pages[idx] = c.lru.PushFront(pg)
	return pg
}
