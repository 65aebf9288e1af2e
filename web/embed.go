// Package web holds the front end of the web timeline: sources in src/,
// built by scripts/build-web.sh (esbuild) into dist/, which is committed and
// embedded so that a fresh clone needs only `go build`. Browser tests live
// in tests/ and run from the server package's Go tests.
package web

import "embed"

// Dist is the built front end (dist/app.js, dist/app.css).
//
//go:embed dist
var Dist embed.FS
