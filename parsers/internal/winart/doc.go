// Package winart holds what the Windows artifact parsers (evtx, registry,
// prefetch, lnk, recyclebin) share: FILETIME conversion, UTF-16LE strings,
// and random access to an input whether it is a plain file or a member of
// a compressed stream.
package winart
