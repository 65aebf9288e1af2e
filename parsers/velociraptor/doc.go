// Package velociraptor imports the results of a Velociraptor offline
// collector: the collection zip (Collection-HOST-DATE.zip) that the
// collector writes holds
//
//   - results/ARTIFACT.json (ARTIFACT%2FSOURCE.json for artifacts with
//     several sources): one JSON object per line, one row of the
//     artifact's query each;
//   - uploads/ACCESSOR/PATH: the files the artifact copied, names
//     URL-encoded (uploads/auto/C%3A/Windows/..., uploads/ntfs/%5C%5C.%5CC%3A/$MFT);
//   - log.json, uploads.json, requests.json, collection_context.json:
//     the collection's own bookkeeping.
//
// The engine opens the zip as an archive, so each upload is detected and
// parsed as the file it is (a $MFT as ntfs-mft, a log as its format).
// This package is the "velociraptor" format of the results files: every
// row becomes one event per time it carries (each top-level field whose
// value is an RFC 3339 time, or _ts / epoch seconds), with the field name
// as time_desc, so an MFT row gives its $SI and $FN times and an event log
// row its EventTime; a row without a time is kept as one event with time
// 0 and time_desc "unknown". The artifact name is Extra "artifact"; host,
// user, path and addresses come from the usual column names; every column
// is kept in Extra.
package velociraptor
