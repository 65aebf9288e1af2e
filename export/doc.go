// Package export writes a case's timeline in the formats other engines read:
// Parquet in Hive-style case=/host=/date= directories (DuckDB, Spark, Trino),
// Timesketch JSONL, and OpenSearch/Elasticsearch bulk NDJSON with an index
// template. Every format reads the timeline the way `kiseki timeline` does
// (search.Searcher.Each over the current generation, in time order), so an
// export holds exactly the rows the timeline shows; a later schema change
// only adds columns.
package export
