package search

import (
	"sort"
	"strings"

	"github.com/kiseki-forensics/kiseki/timeline"
)

type fieldKind uint8

const (
	fieldKeyword fieldKind = iota // exact or glob, case-insensitive
	fieldIP                       // exact address, CIDR block or glob
	fieldInt                      // number, comparison, range, status class
	fieldText                     // words via the index; glob on the whole value
	fieldTag                      // one of the comma-separated tags
	fieldLabel                    // a taxonomy label computed from the row (search/taxonomy.go)
	fieldNote                     // the analysts' annotations (search/notes.go)
)

type fieldSpec struct {
	kind fieldKind
	cols []int
	// textKind is the index kind for text fields.
	textKind string
	// zeroAbsent: the column stores "absent" as 0 (status, ports).
	zeroAbsent bool
	// client: an address field whose columns include the extra column,
	// where it reads the client behind a proxy (clientValue).
	client bool
}

var fields = map[string]fieldSpec{
	"ip":        {kind: fieldIP, cols: []int{timeline.ColSrcIP, timeline.ColDstIP}},
	"client_ip": {kind: fieldIP, cols: []int{timeline.ColExtra}, client: true},
	"src_ip":    {kind: fieldIP, cols: []int{timeline.ColSrcIP}},
	"dst_ip":    {kind: fieldIP, cols: []int{timeline.ColDstIP}},
	"host":      {kind: fieldKeyword, cols: []int{timeline.ColHost}},
	"source":    {kind: fieldKeyword, cols: []int{timeline.ColSource}},
	"user":      {kind: fieldKeyword, cols: []int{timeline.ColUser}},
	"method":    {kind: fieldKeyword, cols: []int{timeline.ColMethod}},
	"action":    {kind: fieldKeyword, cols: []int{timeline.ColAction}},
	"evidence":  {kind: fieldKeyword, cols: []int{timeline.ColEvidence}},
	"time_desc": {kind: fieldKeyword, cols: []int{timeline.ColTimeDesc}},
	"zone":      {kind: fieldKeyword, cols: []int{timeline.ColZone}},
	"ref":       {kind: fieldKeyword, cols: []int{timeline.ColRefPath}},
	"tag":       {kind: fieldTag, cols: []int{timeline.ColTags}},
	"status":    {kind: fieldInt, cols: []int{timeline.ColStatus}, zeroAbsent: true},
	"port":      {kind: fieldInt, cols: []int{timeline.ColSrcPort, timeline.ColDstPort}, zeroAbsent: true},
	"src_port":  {kind: fieldInt, cols: []int{timeline.ColSrcPort}, zeroAbsent: true},
	"dst_port":  {kind: fieldInt, cols: []int{timeline.ColDstPort}, zeroAbsent: true},
	"bytes":     {kind: fieldInt, cols: []int{timeline.ColBytes}},
	"line":      {kind: fieldInt, cols: []int{timeline.ColLine}},
	"inode":     {kind: fieldInt, cols: []int{timeline.ColInode}},
	"mft":       {kind: fieldInt, cols: []int{timeline.ColMFT}},
	"url":       {kind: fieldText, cols: []int{timeline.ColURL}, textKind: "url"},
	"path":      {kind: fieldText, cols: []int{timeline.ColPath}, textKind: "path"},
	"ua":        {kind: fieldText, cols: []int{timeline.ColUserAgent}, textKind: "ua"},
	"message":   {kind: fieldText, cols: []int{timeline.ColMessage}, textKind: "message"},
	"raw":       {kind: fieldText, cols: []int{timeline.ColRaw}, textKind: "raw"},
	"starred":   {kind: fieldNote},
	"comment":   {kind: fieldNote},
	fieldSandia: {kind: fieldLabel},
	fieldTarget: {kind: fieldLabel},
	fieldBenign: {kind: fieldLabel},
}

// textFields are what a term without a field searches, in index kinds.
var textFields = []string{"message", "url", "path", "ua", "raw"}

// FieldNames lists the query fields, sorted.
func FieldNames() string {
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// clientValue is the address an address field compares: the value itself
// for an address column; for the extra column (a JSON object), the client
// behind a proxy that the event records (client_ip, else the first
// X-Forwarded-For address), or "" (vocab.ClientAddr's rule, without its
// fallback to the connecting address, which src_ip holds).
func clientValue(v string) string {
	if v == "" || v[0] != '{' {
		return v
	}
	if c := jsonString(v, "client_ip"); c != "" {
		return c
	}
	x := jsonString(v, "x_forwarded_for")
	if i := strings.IndexByte(x, ','); i >= 0 {
		x = x[:i]
	}
	return strings.TrimSpace(x)
}

// jsonString finds "key":"value" in a flat JSON object of strings (the
// extra column) without decoding it; escaped values are not addresses.
func jsonString(obj, key string) string {
	k := strings.Index(obj, `"`+key+`":"`)
	if k < 0 {
		return ""
	}
	rest := obj[k+len(key)+4:]
	end := strings.IndexByte(rest, '"')
	if end < 0 || strings.IndexByte(rest[:end], '\\') >= 0 {
		return ""
	}
	return rest[:end]
}
