// Command duckcheck is an independent reader of Kiseki's Parquet export: it
// reads the Hive-partitioned files with DuckDB (through duckdb-go, cgo) and
// compares them with the JSONL that `kiseki timeline --format jsonl` printed
// for the same case: row counts, rows per host, first and last times, and
// the values of a sample of rows.
//
// It is its own Go module, so the kiseki binary stays pure Go
// (CGO_ENABLED=0); it does not import Kiseki: the JSONL contract
// (docs/usage.md) is all it knows.
//
//	duckcheck -parquet OUT CASE=timeline.jsonl [CASE=timeline.jsonl ...]
//
// Exit status 0 when every check holds, 1 on a mismatch, 2 on bad usage.
// scripts/duckcheck runs it on the 20-bundle test campaign.
package main
