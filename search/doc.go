// Package search answers queries over a case's timeline: a small query
// language (field terms, wildcards, CIDR blocks, status classes, phrases,
// AND/OR/NOT), evaluated segment by segment on the Arrow columns, with a
// Bleve index over the distinct text values (messages, URLs, paths, user
// agents, raw lines) for word and phrase search. Counts and histograms come
// from the columns; only the rows printed are ever materialised.
package search
