package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"sync"
	"sync/atomic"
)

// sourceFile is one evidence file opened once for a unit: every byte a
// parser reads of it comes through this descriptor, and the bytes read in
// order from the start are hashed as they pass (a tee), so the SHA-256
// registered is the SHA-256 of the bytes parsed, without a second full read.
// What the parser did not read in order (random-access formats, a parser
// that stopped early) is hashed by finish through the same descriptor. The
// file's identity, size, mtime and ctime are taken at open and again at the
// end: a change in between (even one that puts the mtime back) fails the
// item, since what was parsed may not be what was hashed.
type sourceFile struct {
	f     *os.File
	path  string // the name it was opened by, for messages
	size  int64  // size at open: what is read and hashed
	stamp fileStamp

	mu  sync.Mutex
	h   hash.Hash
	pos int64 // bytes [0, pos) are hashed
}

// fileStamp is what changes when a file's content is written: ctime cannot
// be set back by a user, unlike mtime.
type fileStamp struct {
	size         int64
	mtime, ctime int64
}

// hashChunk is how much finish reads at a time (the size of the buffers the
// streams read through).
const hashChunk = 1 << 20

// openSource opens an evidence file for reading and hashing. Only regular
// files are evidence: a FIFO or device named here (or put in place of a
// file since the bundle was listed) is refused without blocking.
func openSource(path string) (*sourceFile, error) {
	f, err := openEvidence(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s is not a regular file (%s); only regular files are evidence", path, st.Mode().Type())
	}
	stamp, err := stampOf(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &sourceFile{f: f, path: path, size: st.Size(), stamp: stamp, h: sha256.New()}, nil
}

// ReadAt reads through the descriptor and hashes what extends the hashed
// prefix. Reads past the size at open end there.
func (s *sourceFile) ReadAt(p []byte, off int64) (int, error) {
	if off >= s.size {
		return 0, io.EOF
	}
	short := false
	if rest := s.size - off; int64(len(p)) > rest {
		p, short = p[:rest], true
	}
	n, err := s.f.ReadAt(p, off)
	s.feed(p[:n], off)
	if err == nil && short {
		err = io.EOF
	}
	return n, err
}

func (s *sourceFile) feed(b []byte, off int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if off <= s.pos && off+int64(len(b)) > s.pos {
		s.h.Write(b[s.pos-off:])
		s.pos = off + int64(len(b))
	}
}

// reader is the file from its start, read through the tee.
func (s *sourceFile) reader() io.Reader { return io.NewSectionReader(s, 0, s.size) }

// finish hashes what was not read in order yet and checks that the file did
// not change since it was opened. It returns the SHA-256 in hex.
func (s *sourceFile) finish(ctx context.Context) (string, error) {
	buf := make([]byte, hashChunk)
	for {
		s.mu.Lock()
		pos := s.pos
		s.mu.Unlock()
		if pos >= s.size {
			break
		}
		if err := ctx.Err(); err != nil {
			return "", err
		}
		n, err := s.ReadAt(buf, pos)
		if n == 0 && err != nil {
			if errors.Is(err, io.EOF) {
				return "", fmt.Errorf("%s: shrank from %d bytes to %d while it was read", s.path, s.size, pos)
			}
			return "", fmt.Errorf("hash %s: %w", s.path, err)
		}
	}
	now, err := stampOf(s.f)
	if err != nil {
		return "", err
	}
	if now != s.stamp {
		return "", fmt.Errorf("%s changed while it was read (size %d→%d); what was parsed may not be what was hashed: parse it again once it no longer changes", s.path, s.stamp.size, now.size)
	}
	if st, err := os.Stat(s.path); err != nil || !sameFile(st, s.f) {
		return "", fmt.Errorf("%s was replaced while it was read", s.path)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return hex.EncodeToString(s.h.Sum(nil)), nil
}

func sameFile(st os.FileInfo, f *os.File) bool {
	fst, err := f.Stat()
	return err == nil && os.SameFile(st, fst)
}

func (s *sourceFile) Close() error { return s.f.Close() }

// hashSource hashes a whole evidence file through openSource (regular files
// only, change while reading detected), honouring ctx.
func hashSource(ctx context.Context, path string) (string, error) {
	s, err := openSource(path)
	if err != nil {
		return "", err
	}
	defer s.Close()
	return s.finish(ctx)
}

// openSources opens every file of a unit once; the first is the one parsed
// through its descriptor (parts of split images are opened by name by
// their parser and hashed beside it).
func (u *unit) openSources() ([]*sourceFile, error) {
	var srcs []*sourceFile
	for i := range u.parts {
		s, err := openSource(u.parts[i].Abs)
		if err != nil {
			closeSources(srcs)
			return nil, fmt.Errorf("%s: %w", u.parts[i].Rel, err)
		}
		s.path = u.parts[i].Abs
		u.parts[i].src = s
		srcs = append(srcs, s)
	}
	u.file.src = srcs[0]
	return srcs, nil
}

func closeSources(srcs []*sourceFile) {
	for _, s := range srcs {
		s.Close()
	}
}

// hashSourcesAsync hashes srcs while the parser runs; the returned func
// waits and gives the SHA-256 of each by path, or the first error.
func hashSourcesAsync(ctx context.Context, srcs []*sourceFile) func() (map[string]string, error) {
	sums := make([]string, len(srcs))
	errs := make([]error, len(srcs))
	var wg sync.WaitGroup
	for i, s := range srcs {
		wg.Go(func() { sums[i], errs[i] = s.finish(ctx) })
	}
	return func() (map[string]string, error) {
		wg.Wait()
		out := map[string]string{}
		for i, s := range srcs {
			out[s.path] = sums[i]
		}
		return out, errors.Join(errs...)
	}
}

// checkRegistered compares the hashes of what was parsed with the ones
// registered earlier (a re-parse after a failure or a kill).
func (c *Case) checkRegistered(u *unit, hashes map[string]string) error {
	for _, p := range u.parts {
		want, sum := u.want[p.Abs], hashes[p.Abs]
		if want == "" || want == sum {
			continue
		}
		id := u.rec.ID
		aerr := c.Audit("evidence-changed", nil, map[string]string{"evidence": id, "path": p.Rel, "registered": want, "now": sum}, nil)
		return errors.Join(fmt.Errorf("evidence %s (%s) changed since it was registered: sha256 was %s, is now %s; its events are not kept", id, p.Rel, want, sum), aerr)
	}
	return nil
}

// hashed reports whether every file of a unit has its SHA-256 registered
// (a run killed between a unit's parse and the registry's save leaves one
// pending: that unit is parsed again).
func hashed(reg *Registry, u *unit) bool {
	for _, p := range u.parts {
		if r := reg.byAbs(p.Abs); r == nil || r.SHA256 == "" {
			return false
		}
	}
	return true
}

// checkUnchanged hashes again the files of units parsed by an earlier run:
// "nothing new" is decided by content, not by size and mtime (which a user
// can put back). A file whose bytes changed stops the ingest.
func (c *Case) checkUnchanged(ctx context.Context, reg *Registry, units []*unit, workers int, progress ProgressFunc) error {
	type job struct {
		f   BundleFile
		rec *EvidenceRecord
		sum string
		err error
	}
	var jobs []*job
	var total int64
	for _, u := range units {
		for _, p := range u.parts {
			jobs = append(jobs, &job{f: p, rec: reg.byAbs(p.Abs)})
			total += p.Size
		}
	}
	var done atomic.Int64
	var wg sync.WaitGroup
	ch := make(chan *job)
	for range min(workers, len(jobs)) {
		wg.Go(func() {
			for j := range ch {
				if j.sum, j.err = hashSource(ctx, j.f.Abs); j.err == nil {
					progress("hash", done.Add(j.f.Size), total)
				}
			}
		})
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()
	for _, j := range jobs {
		if j.err != nil {
			return j.err
		}
		if j.rec.SHA256 != j.sum {
			aerr := c.Audit("evidence-changed", nil, map[string]string{"evidence": j.rec.ID, "path": j.rec.Path, "registered": j.rec.SHA256, "now": j.sum}, nil)
			return errors.Join(fmt.Errorf("evidence %s (%s) changed since it was registered: sha256 was %s, is now %s; refusing to ingest", j.rec.ID, j.rec.Path, j.rec.SHA256, j.sum), aerr)
		}
		j.rec.Size, j.rec.ModTime = j.f.Size, j.f.Mod // touched, same bytes
	}
	return nil
}

// recordHashes puts the hashes taken while parsing into the registry, saves
// it and audits the newly hashed files.
func (c *Case) recordHashes(reg *Registry, units []*unit) error {
	added := map[string]string{}
	for _, u := range units {
		for _, p := range u.parts {
			sum, ok := u.hashes[p.Abs]
			r := reg.byAbs(p.Abs)
			if !ok || r == nil {
				continue
			}
			if r.SHA256 == "" {
				added[r.ID] = sum
			}
			r.SHA256, r.Size, r.ModTime = sum, p.Size, p.Mod
		}
	}
	if err := c.saveRegistry(reg); err != nil {
		return err
	}
	if len(added) == 0 {
		return nil
	}
	return c.Audit("register", nil, map[string]int{"files": len(added)}, added)
}
