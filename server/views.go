package server

import (
	"context"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/kiseki-forensics/kiseki/search"
)

// A served case changes under the server: an ingest merges a new timeline
// generation (and removes the old one's segments), then brings the index
// up to date. The server answers every request from one view (a searcher
// over one generation), picks up a new generation within generationPoll,
// and closes an old view (its segments and index) as soon as the last
// request reading it is done, so that the ingest is never held up by it.
const (
	// generationPoll is how often an idle server looks for a new
	// generation or a newly completed index: short enough that an ingest
	// waiting for the old index to be released waits about a second.
	generationPoll = time.Second
	// requestRecheck is how stale a request may find the last look: a
	// request after a merge must not read the removed generation.
	requestRecheck = 200 * time.Millisecond
)

// view is one open searcher and the requests reading it.
type view struct {
	s     *search.Searcher
	dir   string    // the generation's directory
	index time.Time // modification time of the index directory when opened
	refs  int       // requests reading it, plus one while it is current
}

type viewKey struct{}

// views holds the current view and replaces it.
type views struct {
	mu      sync.Mutex
	cur     *view
	checked time.Time
	reopen  sync.Mutex // one reopen at a time
	stop    chan struct{}
	done    chan struct{}
}

// startViews makes s the current view and starts the watcher.
func (srv *Server) startViews(s *search.Searcher) {
	dir, _, _ := srv.c.TimelineStore().Current()
	srv.v.cur = &view{s: s, dir: dir, index: srv.indexTime(), refs: 1}
	srv.v.checked = time.Now()
	srv.v.stop, srv.v.done = make(chan struct{}), make(chan struct{})
	go srv.watch(srv.v.stop)
}

func (srv *Server) watch(stop <-chan struct{}) {
	defer close(srv.v.done)
	t := time.NewTicker(generationPoll)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			srv.v.reopen.Lock()
			srv.refresh()
			srv.v.reopen.Unlock()
		}
	}
}

// indexTime is the index directory's modification time (zero when there is
// none): it changes when a build renames its files into place.
func (srv *Server) indexTime() time.Time {
	st, err := os.Stat(srv.c.IndexDir())
	if err != nil {
		return time.Time{}
	}
	return st.ModTime()
}

// refresh opens a new view when the timeline has a new generation, or when
// the current view has no index and one may have been completed. The
// caller holds srv.v.reopen.
//
// A new generation is first opened without the index: the ingest that
// merged it goes on to update the index, and a reader holding the index
// open would hold it up. The index is opened once no ingest holds the case.
func (srv *Server) refresh() {
	srv.v.mu.Lock()
	cur := srv.v.cur
	srv.v.checked = time.Now()
	srv.v.mu.Unlock()
	store := srv.c.TimelineStore()
	dir, _, err := store.Current()
	if err != nil {
		return // a merge half-way: the next look sees it done
	}
	it := srv.indexTime()
	var s *search.Searcher
	switch {
	case dir != cur.dir && srv.c.InUse():
		// Zero index time: the index is tried once the ingest is done.
		it = time.Time{}
		s, err = search.Open(store, noIndex)
	case dir != cur.dir:
		s, err = search.Open(store, srv.c.IndexDir())
	case !cur.s.HasIndex() && !it.IsZero() && !it.Equal(cur.index) && !srv.c.InUse():
		if s, err = search.Open(store, srv.c.IndexDir()); err == nil && !s.HasIndex() {
			// Not complete for this generation: try again when it changes.
			s.Close()
			s = nil
			srv.v.mu.Lock()
			cur.index = it
			srv.v.mu.Unlock()
		}
	}
	if err != nil || s == nil {
		return
	}
	s.CacheSegments(srv.opt.CacheSegments)
	s.SetNotes(srv.noteSource)
	srv.swap(&view{s: s, dir: dir, index: it, refs: 1})
}

// noIndex is an index directory that cannot exist, to open a timeline
// without its index.
const noIndex = "\x00no-index"

// swap makes nv current and drops the current view's own reference.
func (srv *Server) swap(nv *view) {
	srv.v.mu.Lock()
	old := srv.v.cur
	srv.v.cur = nv
	old.refs--
	closeOld := old.refs == 0
	srv.v.mu.Unlock()
	srv.dropCache()
	if closeOld {
		old.s.Close()
	}
}

// acquire returns the current view for one request, first looking for a
// new generation when the last look is older than requestRecheck.
func (srv *Server) acquire() *view {
	srv.v.mu.Lock()
	stale := time.Since(srv.v.checked) > requestRecheck
	srv.v.mu.Unlock()
	if stale && srv.v.reopen.TryLock() {
		srv.refresh()
		srv.v.reopen.Unlock()
	}
	srv.v.mu.Lock()
	defer srv.v.mu.Unlock()
	v := srv.v.cur
	v.refs++
	return v
}

// release ends a request's use of a view, closing it when it is no longer
// current and no request reads it.
func (srv *Server) release(v *view) {
	srv.v.mu.Lock()
	v.refs--
	closeIt := v.refs == 0
	srv.v.mu.Unlock()
	if closeIt {
		v.s.Close()
	}
}

// withView gives each request one view for its whole life.
func (srv *Server) withView(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := srv.acquire()
		defer srv.release(v)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), viewKey{}, v)))
	})
}

// searcher is the searcher a request reads.
func (srv *Server) searcher(r *http.Request) *search.Searcher {
	if v, ok := r.Context().Value(viewKey{}).(*view); ok {
		return v.s
	}
	return srv.current()
}

// current is the current view's searcher, for what only reads its manifest.
func (srv *Server) current() *search.Searcher {
	srv.v.mu.Lock()
	defer srv.v.mu.Unlock()
	return srv.v.cur.s
}

// Close stops watching the case and closes the current view once no
// request reads it.
func (srv *Server) Close() {
	srv.v.mu.Lock()
	stop := srv.v.stop
	srv.v.stop = nil
	srv.v.mu.Unlock()
	if stop == nil {
		return
	}
	close(stop)
	<-srv.v.done
	srv.v.reopen.Lock()
	defer srv.v.reopen.Unlock()
	srv.v.mu.Lock()
	cur := srv.v.cur
	cur.refs--
	closeIt := cur.refs == 0
	srv.v.mu.Unlock()
	if closeIt {
		cur.s.Close()
	}
}
