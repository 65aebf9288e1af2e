// Package report builds the investigation report of a case from the same
// search, scope and leak-count code as the CLI, and writes it as
// self-contained HTML (inline CSS and SVG, no scripts), Markdown, JSON, PDF
// (HTML printed by headless Chromium), an IODEF 2.0 incident document
// (RFC 7970) or a STIX 2.1 bundle. Every number in it comes with the CLI
// command that answers it, so a reader can re-run each one.
package report
