#!/usr/bin/env bash
# Side-by-side on one ~100k-file NTFS image: Kiseki's NTFS parser
# (bench/ntfsbench: parse every MFT entry into events and sort them by time)
# against the Sleuth Kit's `fls -r -m` + `mactime -b`, each under
# /usr/bin/time -v for wall time and peak memory.
# Needs root, /dev/fuse and Debian packages ntfs-3g, sleuthkit, time.
# Usage: bench/ntfs_vs_tsk.sh [WORKDIR] [FILES]   (image kept in WORKDIR)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/kiseki-ntfs-bench}
files=${2:-100000}
img=$work/ntfs-${files}.img
mkdir -p "$work"
if [ ! -f "$img" ]; then
  mnt=$work/mnt
  mkdir -p "$mnt"
  truncate -s 1G "$img"
  mkntfs -F -f -q "$img" > /dev/null 2>&1
  ntfs-3g "$img" "$mnt"
  trap 'mountpoint -q "$mnt" && umount "$mnt"' EXIT
  python3 - "$mnt" "$files" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
per = 1000
for d in range((n + per - 1) // per):
    dp = os.path.join(root, "d%03d" % d)
    os.mkdir(dp)
    for i in range(min(per, n - d * per)):
        with open(os.path.join(dp, "file%05d.txt" % i), "w") as f:
            f.write("x")
PY
  # some deleted files too
  rm -f "$mnt"/d000/file000[0-4]*.txt
  umount "$mnt"
  trap - EXIT
fi
go build -o "$work/ntfsbench" "$repo/bench/ntfsbench"
peak() { grep -E "Maximum resident" "$1" | awk '{printf "%.0f MiB", $6/1024}'; }
wall() { grep -E "Elapsed \(wall" "$1" | awk '{print $8}'; }
cpu() { awk -F': ' '/User time|System time/ {s += $2} END {printf "%.2fs cpu", s}' "$1"; }
echo "image: $img ($(du -h "$img" | cut -f1) used)"
/usr/bin/time -v "$work/ntfsbench" "$img" 2> "$work/k.time"
echo "kiseki total: $(wall "$work/k.time") wall, $(cpu "$work/k.time"), peak $(peak "$work/k.time")"
/usr/bin/time -v fls -r -m / "$img" > "$work/tsk.body" 2> "$work/fls.time"
/usr/bin/time -v mactime -b "$work/tsk.body" > /dev/null 2> "$work/mactime.time"
echo "tsk: fls -r -m $(wall "$work/fls.time") wall, $(cpu "$work/fls.time"), peak $(peak "$work/fls.time"); mactime -b $(wall "$work/mactime.time") wall, $(cpu "$work/mactime.time"), peak $(peak "$work/mactime.time"); $(wc -l < "$work/tsk.body") bodyfile lines"
