package server

import (
	"container/list"
	"encoding/json"
	"net/http"
	"strconv"
)

// answerCacheBytes bounds the memory of cached answers (counts,
// histograms, facets, statistics) by their encoded size: a count-bounded
// cache let 20 fine-grained histograms of a large case hold 1.6 GB.
const answerCacheBytes = 64 << 20

// maxCachedAnswer is the largest single answer kept: one huge answer must
// not evict every other.
const maxCachedAnswer = answerCacheBytes / 8

// answerCache keeps answers of the current generation, least recently used
// evicted first, under a byte budget. It is guarded by Server.mu.
type answerCache struct {
	entries map[string]*list.Element
	lru     list.List // of *cacheEntry, most recent at the front
	bytes   int64
}

type cacheEntry struct {
	key  string
	v    any
	size int64
	gen  int64
}

func (c *answerCache) get(key string, gen int64) (any, bool) {
	e, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	ce := e.Value.(*cacheEntry)
	if ce.gen != gen {
		c.remove(e)
		return nil, false
	}
	c.lru.MoveToFront(e)
	return ce.v, true
}

func (c *answerCache) put(key string, v any, gen int64) {
	b, err := json.Marshal(v)
	size := int64(len(b)) + int64(len(key))
	if err != nil || size > maxCachedAnswer {
		return
	}
	if e, ok := c.entries[key]; ok {
		c.remove(e)
	}
	if c.entries == nil {
		c.entries = map[string]*list.Element{}
	}
	c.entries[key] = c.lru.PushFront(&cacheEntry{key: key, v: v, size: size, gen: gen})
	c.bytes += size
	for c.bytes > answerCacheBytes {
		c.remove(c.lru.Back())
	}
}

// reset forgets every answer (the annotations they may read changed).
func (c *answerCache) reset() {
	c.entries, c.bytes = nil, 0
	c.lru.Init()
}

func (c *answerCache) remove(e *list.Element) {
	ce := c.lru.Remove(e).(*cacheEntry)
	delete(c.entries, ce.key)
	c.bytes -= ce.size
}

// dropCache empties the answer cache (a new generation makes it stale).
func (srv *Server) dropCache() {
	srv.mu.Lock()
	srv.cache = answerCache{}
	srv.mu.Unlock()
}

// cachedAnswer returns the answer for key over the request's generation,
// computing it once: concurrent requests for the same key wait for the one
// computation instead of each scanning the timeline.
func (srv *Server) cachedAnswer(r *http.Request, key string, compute func() (any, error)) (any, error) {
	gen := srv.searcher(r).Manifest().Generation
	srv.mu.Lock()
	if v, ok := srv.cache.get(key, gen); ok {
		srv.mu.Unlock()
		return v, nil
	}
	fkey := key + "\x00" + strconv.FormatInt(gen, 10)
	if f, ok := srv.inflight[fkey]; ok {
		srv.mu.Unlock()
		<-f.done
		return f.v, f.err
	}
	f := &flight{done: make(chan struct{})}
	srv.inflight[fkey] = f
	srv.mu.Unlock()
	if srv.scans.wait(r) {
		f.v, f.err = compute()
		srv.scans.done()
	} else {
		f.err = r.Context().Err()
	}
	srv.mu.Lock()
	delete(srv.inflight, fkey)
	if f.err == nil {
		srv.cache.put(key, f.v, gen)
	}
	srv.mu.Unlock()
	close(f.done)
	return f.v, f.err
}

// flight is a computation in progress that other requests wait for.
type flight struct {
	done chan struct{}
	v    any
	err  error
}
