package engine

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoadBundle: any manifest loads or is refused with an InputError,
// never panics, and what loads lists its files.
func FuzzLoadBundle(f *testing.F) {
	for _, s := range []string{
		"", "case: x\n", "evidence:\n  - path: a.log\n    host: web01\n",
		"timezone: Asia/Tokyo\nyear: 2025\nevidence:\n  - path: logs/\n    clock_offset: -35s\n    log_format: '$remote_addr'\n",
		"evidence:\n  - path: ../../etc/passwd\n", "evidence: [ {path: a.log\n", "evidence: 3\n", "- a\n- b\n",
		"evidence:\n  - path: a.log\n    log_fromat: x\n", "hosts: {web01: [10.0.0.5]}\ninternal: [10.0.0.0/8]\n",
		"evidence:\n  - path: a.log\n    clock_offset: 2562047h\n", "&a [*a]\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, manifest []byte) {
		dir := t.TempDir()
		os.MkdirAll(filepath.Join(dir, "logs"), 0o755)
		os.WriteFile(filepath.Join(dir, "a.log"), []byte("x\n"), 0o644)
		os.WriteFile(filepath.Join(dir, "logs", "b.log"), []byte("y\n"), 0o644)
		os.WriteFile(filepath.Join(dir, BundleManifestName), manifest, 0o644)
		b, err := LoadBundle(dir)
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v is not an InputError", err)
			}
			return
		}
		files, err := b.Files()
		for _, fl := range files {
			if r, rerr := filepath.Rel(dir, fl.Abs); rerr != nil || !filepath.IsLocal(r) {
				t.Fatalf("file %s outside the bundle", fl.Abs)
			}
		}
		_ = err
	})
}

func tarSeed(f *testing.F) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	body := []byte("Jan  1 00:00:00 web01 sshd[1]: hello\n")
	tw.WriteHeader(&tar.Header{Name: "var/log/auth.log", Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg})
	tw.Write(body)
	tw.WriteHeader(&tar.Header{Name: "dir/", Typeflag: tar.TypeDir})
	tw.Close()
	return buf.Bytes()
}

func zipSeed(f *testing.F) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("results/Generic.Client.Info.json")
	w.Write([]byte(`{"Hostname":"web01"}` + "\n"))
	w, _ = zw.CreateHeader(&zip.FileHeader{Name: "stored.txt", Method: zip.Store})
	w.Write([]byte("plain\n"))
	zw.Close()
	return buf.Bytes()
}

// FuzzArchive: any tar or zip bytes give members, bounded by the limit, or
// an error; never a panic or a read past the limit.
func FuzzArchive(f *testing.F) {
	f.Add(tarSeed(f))
	f.Add(zipSeed(f))
	f.Add([]byte("PK\x05\x06" + string(make([]byte, 18))))
	f.Add(append(make([]byte, 257), []byte("ustar\x0000")...))
	const limit = 64 << 10 // small: every member is read to it
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "a")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		bf := BundleFile{Rel: "a", Abs: p, Size: int64(len(data))}
		read := func(m member) error {
			rc, err := m.open()
			if err != nil {
				return nil
			}
			defer rc.Close()
			n, _ := io.Copy(io.Discard, io.LimitReader(rc, limit+1))
			if n > limit {
				t.Fatalf("member %s read past the limit", m.name)
			}
			return nil
		}
		switch sniffArchive(data) {
		case "tar":
			eachTarMember(bf, CompNone, limit, read)
		case "zip":
			eachZipMember(bf, CompNone, limit, read)
		}
	})
}

// FuzzDecompress: any bytes under every compression decompress, fail, or
// stop at the bomb limit; never a panic or more than the limit.
func FuzzDecompress(f *testing.F) {
	for _, fn := range compressors(f) {
		f.Add(fn([]byte("10.0.0.1 - - [13/Jan/2016:19:31:16 +0000] \"GET / HTTP/1.1\" 200 1\n")))
	}
	f.Add([]byte("BZh9"))
	f.Add([]byte{0x1f, 0x8b, 8, 0})
	oldE, oldM := maxExpansion, minBombLimit
	maxExpansion, minBombLimit = 10, 1<<20
	f.Cleanup(func() { maxExpansion, minBombLimit = oldE, oldM })
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "a")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, comp := range []Compression{CompNone, CompGzip, CompBzip2, CompXZ, CompZstd} {
			r, err := openStream(p, comp, int64(len(data)), nil)
			if err != nil {
				continue
			}
			n, _ := io.Copy(io.Discard, r)
			r.Close()
			if limit := max(int64(len(data))*maxExpansion, minBombLimit); n > limit {
				t.Fatalf("%s: %d bytes out, over the limit %d", comp, n, limit)
			}
		}
	})
}
