package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Image sizes: enough room for the files and their MFT or inode tables.
const (
	ntfsImageSize  = 1 << 30
	ext4ImageSize  = 2 << 30
	quickImageSize = 128 << 20
	// ntfsPerDir and ext4PerDir are files per directory, as the earlier
	// bench scripts made them.
	ntfsPerDir = 1000
	ext4PerDir = 100
	// ext4Deleted is how many files are deleted from the ext4 image after
	// it is made (the deleted-inode paths).
	ext4Deleted = 200
)

func sh(ctx context.Context, args ...string) error {
	out, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %v: %s", strings.Join(args, " "), err, out)
	}
	return nil
}

// ntfsImage makes an NTFS image of n one-byte files in directories of
// ntfsPerDir, with the first 50 files of d000 deleted, through ntfs-3g.
func ntfsImage(ctx context.Context, c config, log io.Writer) (string, error) {
	img := filepath.Join(c.work, fmt.Sprintf("ntfs-%d.img", c.ntfsFiles))
	if _, err := os.Stat(img); err == nil {
		return img, nil
	}
	if err := need("mkntfs", "ntfs-3g", "umount"); err != nil {
		return "", err
	}
	if os.Geteuid() != 0 {
		return "", skipError{"making the NTFS image needs root (ntfs-3g mount)"}
	}
	if _, err := os.Stat("/dev/fuse"); err != nil {
		return "", skipError{"no /dev/fuse for ntfs-3g"}
	}
	fmt.Fprintf(log, "making an NTFS image of %d files...\n", c.ntfsFiles)
	tmp := img + ".tmp"
	size := int64(ntfsImageSize)
	if c.quick {
		size = quickImageSize
	}
	f, err := os.Create(tmp)
	if err != nil {
		return "", err
	}
	f.Close()
	if err := os.Truncate(tmp, size); err != nil {
		return "", err
	}
	if err := sh(ctx, "mkntfs", "-F", "-f", "-q", tmp); err != nil {
		return "", err
	}
	mnt := filepath.Join(c.work, "ntfs-mnt")
	if err := os.MkdirAll(mnt, 0o755); err != nil {
		return "", err
	}
	if err := sh(ctx, "ntfs-3g", tmp, mnt); err != nil {
		return "", err
	}
	err = fillTree(mnt, c.ntfsFiles, ntfsPerDir, func(d, i int) string {
		return filepath.Join(fmt.Sprintf("d%03d", d), fmt.Sprintf("file%05d.txt", i))
	}, []byte("x"))
	for i := 0; err == nil && i < 50 && i < c.ntfsFiles; i++ {
		err = os.Remove(filepath.Join(mnt, "d000", fmt.Sprintf("file%05d.txt", i)))
	}
	if uerr := sh(ctx, "umount", mnt); err == nil {
		err = uerr
	}
	if err != nil {
		return "", err
	}
	return img, os.Rename(tmp, img)
}

// fillTree writes n files named by name(dir, i) under root, perDir a
// directory.
func fillTree(root string, n, perDir int, name func(d, i int) string, data []byte) error {
	for k := range n {
		p := filepath.Join(root, name(k/perDir, k%perDir))
		if k%perDir == 0 {
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// ext4Image makes an ext4 image of n empty files (mkfs.ext4 -d), then
// deletes ext4Deleted of them with debugfs.
func ext4Image(ctx context.Context, c config, log io.Writer) (string, error) {
	img := filepath.Join(c.work, fmt.Sprintf("ext4-%d.img", c.ext4Files))
	if _, err := os.Stat(img); err == nil {
		return img, nil
	}
	if err := need("mkfs.ext4", "debugfs"); err != nil {
		return "", err
	}
	fmt.Fprintf(log, "making an ext4 image of %d files...\n", c.ext4Files)
	tree := filepath.Join(c.work, "ext4-tree")
	os.RemoveAll(tree)
	defer os.RemoveAll(tree)
	name := func(d, i int) string {
		return filepath.Join(fmt.Sprintf("dir%d", d%50), fmt.Sprintf("sub%d", d), fmt.Sprintf("file-%03d.txt", i))
	}
	if err := fillTree(tree, c.ext4Files, ext4PerDir, name, nil); err != nil {
		return "", err
	}
	tmp := img + ".tmp"
	// mkfs.ext4 reads a bare number as blocks: the size goes in KiB.
	size := fmt.Sprintf("%dk", ext4ImageSize>>10)
	if c.quick {
		size = fmt.Sprintf("%dk", quickImageSize>>10)
	}
	os.Remove(tmp)
	if err := sh(ctx, "mkfs.ext4", "-q", "-F", "-N", fmt.Sprint(c.ext4Files*2+1024), "-d", tree, tmp, size); err != nil {
		return "", err
	}
	var cmds strings.Builder
	for d := 0; d < min(ext4Deleted, c.ext4Files/ext4PerDir); d++ {
		fmt.Fprintf(&cmds, "rm /%s\n", filepath.ToSlash(name(d, 50)))
	}
	dbg := exec.CommandContext(ctx, "debugfs", "-w", tmp, "-f", "-")
	dbg.Stdin = strings.NewReader(cmds.String())
	if out, err := dbg.CombinedOutput(); err != nil {
		return "", fmt.Errorf("debugfs: %v: %s", err, out)
	}
	return img, os.Rename(tmp, img)
}

func ntfsRow(ctx context.Context, c config, log io.Writer) (Row, error) {
	if err := need("fls", "mactime"); err != nil {
		return Row{}, err
	}
	img, err := ntfsImage(ctx, c, log)
	if err != nil {
		return Row{}, err
	}
	return imageRow(ctx, c, "ntfs", img, fmt.Sprintf("NTFS image, %d files", c.ntfsFiles))
}

func ext4Row(ctx context.Context, c config, log io.Writer) (Row, error) {
	if err := need("fls", "mactime"); err != nil {
		return Row{}, err
	}
	img, err := ext4Image(ctx, c, log)
	if err != nil {
		return Row{}, err
	}
	return imageRow(ctx, c, "ext4", img, fmt.Sprintf("ext4 image, %d files", c.ext4Files))
}
