#!/bin/sh
# Times Kiseki's memory scanner against GNU `strings -a` on the same
# dump-like file, in one run, with peak memory (/usr/bin/time -v).
#
# usage: bench/memscan.sh [SIZE_MIB [WORKDIR]]   (default 2048 MiB, /tmp/kiseki-memscan)
#
# The file is built from 64 KiB blocks chosen by a fixed-seed generator:
# 35% zero pages, 35% random bytes, 20% text pages from /usr/share/doc
# (decompressed, in order) and 10% from a gcore of a live process (the HTTP
# server of fixtures/memory/make.sh, holding requests with card numbers and
# e-mail addresses). Both tools read the file from the page cache (it is
# read once before the runs) and write to /dev/null. Needs gdb, python3 and
# GNU time.
set -eu
size=${1:-2048}
work=${2:-/tmp/kiseki-memscan}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$work"
img=$work/dump-${size}m.raw

if [ ! -s "$img" ]; then
	echo "building $img ($size MiB)" >&2
	sh "$root/fixtures/memory/make.sh" "$work/fixture" >/dev/null
	find /usr/share/doc -type f -name '*.gz' -print0 | sort -z | xargs -0 zcat -f 2>/dev/null >"$work/doc.txt" || true
	find /usr/share/doc -type f ! -name '*.gz' -print0 | sort -z | xargs -0 cat 2>/dev/null >>"$work/doc.txt" || true
	python3 - "$img" "$size" "$work/doc.txt" "$work/fixture/server.core" <<'PY'
import os, random, sys
out, size, doc, core = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
blk = 64 << 10
rng = random.Random(1)
srcs = [open(doc, "rb").read(), open(core, "rb").read()]
pos = [0, 0]
zero = bytes(blk)
with open(out, "wb") as f:
    for _ in range(size * (1 << 20) // blk):
        r = rng.random()
        if r < 0.35:
            f.write(zero)
        elif r < 0.70:
            f.write(rng.randbytes(blk))
        else:
            k = 0 if r < 0.90 else 1
            s = srcs[k]
            if pos[k] + blk > len(s):
                pos[k] = 0
            f.write(s[pos[k]:pos[k] + blk])
            pos[k] += blk
PY
fi
(cd "$root" && go build -o "$work/memscan" ./bench/memscan)
cat "$img" >/dev/null
bytes=$(stat -c %s "$img")
echo "file: $img ($bytes bytes), $(nproc) CPUs, load: $(cut -d' ' -f1-3 /proc/loadavg)"

run() {
	name=$1
	shift
	/usr/bin/time -v "$@" >/dev/null 2>"$work/$name.time"
	wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$work/$name.time")
	user=$(awk -F': ' '/User time/ {print $2}' "$work/$name.time")
	sys=$(awk -F': ' '/System time/ {print $2}' "$work/$name.time")
	rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$work/$name.time")
	awk -v n="$name" -v b="$bytes" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" 'BEGIN {
		printf "%-22s wall %7.2fs  %8.1f MB/s  cpu %7.2fs (%6.1f MB per cpu-s)  peak RSS %7.1f MiB\n",
			n, w, b/1e6/w, u+s, b/1e6/(u+s), r/1024 }'
}
run "strings -a" strings -a "$img"
run "kiseki memscan" "$work/memscan" "$img"
run "kiseki memscan -w1" "$work/memscan" -workers 1 "$img"
echo "strings -a prints $(strings -a "$img" | wc -l) strings; Kiseki found:"
grep -v '^container' "$work/kiseki memscan.time" | grep -E '^  ' || true
grep '^container' "$work/kiseki memscan.time" || true
