#!/usr/bin/env bash
# Rebuilds the web front end (web/src -> web/dist) with the pinned npm
# packages. dist/ is committed, so a fresh clone builds Kiseki with `go build`
# alone; run this after changing web/src and commit the result.
set -euo pipefail
cd "$(dirname "$0")/../web"
[ -d node_modules ] || npm ci --no-audit --no-fund
node build.mjs
