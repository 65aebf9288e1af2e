#!/usr/bin/env bash
# End-to-end ingest benchmark: N lines (default 10 million, in 10 files) of
# nginx access log (plain) or CloudFront (gzip'd) ingested into a fresh case,
# first without the index (parse + merge), then the index build on its own.
# Prints wall time, CPU time and peak memory (max RSS) of each step from
# /usr/bin/time.
#
#   bench/ingest.sh [LINES] [WORKDIR] [nginx|cloudfront]
set -euo pipefail
lines=${1:-10000000}
work=${2:-/tmp/kiseki-bench}
kind=${3:-nginx}
cd "$(dirname "$0")/.."
go build -o "$work/kiseki" . 2>/dev/null || { mkdir -p "$work"; go build -o "$work/kiseki" .; }
if [ ! -f "$work/lines-$kind-$lines" ]; then
  rm -rf "$work/bundle" "$work"/lines-*
  go run "./bench/gen-$kind" -out "$work/bundle" -lines "$lines" -files 10
  touch "$work/lines-$kind-$lines"
fi
rm -rf "$work/case"
echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== ingest --no-index ($lines lines, $(du -sh "$work/bundle" | cut -f1))"
/usr/bin/time -f "wall %e s, user %U s, sys %S s, max RSS %M KiB" "$work/kiseki" ingest "$work/bundle" --case "$work/case" --no-index --head 0 -q --cpuprofile "$work/ingest.prof" | tail -2
echo "== index build"
/usr/bin/time -f "wall %e s, user %U s, sys %S s, max RSS %M KiB" "$work/kiseki" ingest "$work/bundle" --case "$work/case" --head 0 -q | tail -2
echo "== search"
/usr/bin/time -f "wall %e s, max RSS %M KiB" "$work/kiseki" search --case "$work/case" --count 'status:5xx AND url:*customer*'
