package engine

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"
)

// sniffArchive recognises tar and zip containers by their magic bytes.
func sniffArchive(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")) || bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return "zip"
	case len(head) >= 262 && bytes.Equal(head[257:262], []byte("ustar")):
		return "tar"
	}
	return ""
}

// member is one file inside an archive.
type member struct {
	name string
	size int64
	mod  time.Time
	open func() (io.ReadCloser, error)
}

// parseArchive reads an archive as a directory: every regular member is
// spooled to a temporary file (parsers may read a file twice, and a tar
// stream cannot be rewound), detected and parsed like a file of its own, and
// summarised on its own line with the path "archive!member". Members carry
// the archive's evidence id; the archive itself is what was hashed.
func (c *Case) parseArchive(ctx context.Context, b *Bundle, u *unit, f BundleFile, kind string, comp Compression, sink *countingSink, progress func(int64)) error {
	s := sink.summary
	budget := &expansionBudget{archiveLeft: max(f.Size*maxExpansion, minBombLimit), bundle: &b.expanded}
	each := func(m member) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		ms := ItemSummary{Evidence: s.Evidence, Path: f.Rel + "!" + m.name, Host: s.Host, Status: "parsed"}
		msink := &countingSink{next: sink.next, summary: &ms, arts: sink.arts}
		tmp, err := c.spool(u, m, budget)
		if err == nil {
			mf := BundleFile{Rel: ms.Path, Abs: tmp, Size: m.size, Mod: m.mod, Item: f.Item}
			if st, serr := os.Stat(tmp); serr == nil {
				mf.Size = st.Size()
			}
			err = c.parseFile(ctx, b, u, mf, msink, func(int64) {}, true)
			os.Remove(tmp)
		}
		if errors.Is(err, context.Canceled) {
			return err
		}
		if errors.Is(err, ErrBomb) {
			return fmt.Errorf("member %s: %w", m.name, err) // the archive stops here
		}
		if err != nil {
			msink.warn(err.Error())
			if ms.Status != "unrecognised" {
				ms.Status = "failed"
			}
		}
		msink.setTimes()
		s.Members = append(s.Members, ms)
		s.Events += ms.Events
		s.Unparsed += ms.Unparsed
		s.Artifacts += ms.Artifacts
		return nil
	}
	limit := max(f.Size*maxExpansion, minBombLimit)
	var err error
	switch kind {
	case "tar":
		err = eachTarMember(f, comp, limit, each)
	case "zip":
		err = eachZipMember(f, comp, limit, each)
	}
	progress(f.Size)
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("%s: %s archive: %w", f.Rel, kind, err)
	}
	return err
}

// maxBundleExpanded bounds the bytes expanded out of all the archives of
// one bundle: a bomb can be spread over many archives each under its own
// limit. Real bundles of triage archives expand to tens of GiB; past 1 TiB
// it is a bomb, or a bundle to split. A variable so tests can lower it.
var maxBundleExpanded int64 = 1 << 40

// expansionBudget is what members may still expand to: the archive's own
// limit (the same ratio as for a compressed stream, over all its members
// together) and the bundle's, shared by every unit parsed at once.
type expansionBudget struct {
	archiveLeft int64
	bundle      *atomic.Int64
}

func (b *expansionBudget) take(n int64) error {
	b.archiveLeft -= n
	if b.archiveLeft < 0 {
		return fmt.Errorf("the archive's members expand past its limit: %w", ErrBomb)
	}
	if b.bundle.Add(n) > maxBundleExpanded {
		return fmt.Errorf("the bundle's archives expand past %d bytes together: %w", maxBundleExpanded, ErrBomb)
	}
	return nil
}

type budgetReader struct {
	r io.Reader
	b *expansionBudget
}

func (r budgetReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if berr := r.b.take(int64(n)); berr != nil {
		return n, berr
	}
	return n, err
}

// spool copies a member to a temporary file in the unit's work directory,
// counting its bytes against the expansion budget.
func (c *Case) spool(u *unit, m member, budget *expansionBudget) (string, error) {
	rc, err := m.open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	tmp, err := os.CreateTemp(u.tmp, "member-*")
	if err != nil {
		return "", err
	}
	_, err = io.Copy(tmp, budgetReader{rc, budget})
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return tmp.Name(), nil
}

func eachTarMember(f BundleFile, comp Compression, limit int64, fn func(member) error) error {
	r, err := f.open(comp, nil)
	if err != nil {
		return err
	}
	defer r.Close()
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		if h.Size > limit {
			return fmt.Errorf("member %s declares %d bytes, over the limit of %d (possible decompression bomb)", h.Name, h.Size, limit)
		}
		body := io.NopCloser(io.LimitReader(tr, h.Size))
		if err := fn(member{name: h.Name, size: h.Size, mod: h.ModTime, open: func() (io.ReadCloser, error) { return body, nil }}); err != nil {
			return err
		}
	}
}

func eachZipMember(f BundleFile, comp Compression, limit int64, fn func(member) error) error {
	if comp != CompNone {
		return errors.New("a compressed zip file: decompress it first")
	}
	var ra io.ReaderAt = f.src
	if f.src == nil {
		fh, err := os.Open(f.Abs)
		if err != nil {
			return err
		}
		defer fh.Close()
		ra = fh
	}
	zr, err := zip.NewReader(ra, f.Size)
	if err != nil {
		return err
	}
	for i, zf := range zr.File {
		if zf.FileInfo().IsDir() || !zf.Mode().IsRegular() {
			continue
		}
		name := zf.Name
		if name == "" {
			name = "member-" + strconv.Itoa(i)
		}
		open := func() (io.ReadCloser, error) {
			rc, err := zf.Open()
			if err != nil {
				return nil, err
			}
			// The declared size can lie: bound what is read by the limit.
			return &limitedReader{r: rc, left: limit, close: rc.Close}, nil
		}
		if err := fn(member{name: filepath.ToSlash(name), size: int64(zf.UncompressedSize64), mod: zf.Modified, open: open}); err != nil {
			return err
		}
	}
	return nil
}
