#!/usr/bin/env bash
# Side-by-side: Kiseki's ext4 reader vs the Sleuth Kit (fls -r -m / + mactime)
# on the same ~100k-file ext4 image, wall time and peak memory (/usr/bin/time -v).
# Needs e2fsprogs, sleuthkit and GNU time. Usage: bench/ext4_vs_tsk.sh [FILES]
set -euo pipefail
files=${1:-100000}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "making a tree of $files files..."
dirs=$(((files + 99) / 100))
mkdir -p "$tmp/tree"
for d in $(seq 1 "$dirs"); do
	mkdir -p "$tmp/tree/dir$((d % 50))/sub$d"
	(cd "$tmp/tree/dir$((d % 50))/sub$d" && touch $(printf 'file-%03d.txt ' $(seq 1 100)))
done
echo "mkfs.ext4 -d ..."
mkfs.ext4 -q -F -N $((files * 2)) -d "$tmp/tree" "$tmp/fs.img" 2G
# some deleted files, for the slack and deleted-inode paths
for d in $(seq 1 200); do echo "rm /dir$((d % 50))/sub$d/file-050.txt"; done | debugfs -w "$tmp/fs.img" -f - >/dev/null 2>&1
ls -ls "$tmp/fs.img"

go build -o "$tmp/ext4walk" "$root/bench/ext4walk"
sync
cat "$tmp/fs.img" >/dev/null # warm the page cache for both

t() { /usr/bin/time -v "$@" 2>"$tmp/time.txt"; grep -E 'Elapsed|Maximum resident' "$tmp/time.txt" >&2; }
echo "== kiseki ext4walk"
t "$tmp/ext4walk" "$tmp/fs.img"
echo "== fls -r -m / + mactime -b (one run)"
t sh -c "fls -r -m / '$tmp/fs.img' >'$tmp/body.txt' && mactime -b '$tmp/body.txt' -d >/dev/null"
echo "bodyfile lines: $(wc -l <"$tmp/body.txt")"
echo "== fls -r -m / alone"
t sh -c "fls -r -m / '$tmp/fs.img' >/dev/null"
