// Package vocab is the vocabulary that the analyses over a case's timeline
// (search/scope, search/leaks) share, so each fact has one source:
//
//   - source classes (web origin, CDN, firewall, file system, login...), read
//     from the parser registry (parsers.ClassOf), and the query fragments
//     that select them;
//   - the case environment (Env): hosts with their addresses, mounts and
//     document roots, CDN origins, internal address blocks, from the bundle
//     manifest; URL <-> file mapping through a document root;
//   - row helpers: references (RefAt, RowRef, Interner), the client behind
//     a proxy (ClientAddr), URL paths, JSON extras, CDN cache hits;
//   - dictionary memos (DictCheck, RowsCheck, StrSet) that decide a
//     segment's dictionary values once instead of once per row;
//   - spans (first/last time, count, capped references) and time windows.
package vocab
