package export

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kiseki-forensics/kiseki/timeline"
)

// bulkFileBytes bounds one bulk file: Elasticsearch and OpenSearch advise
// bulk requests of a few to 15 MB, and refuse bodies over
// http.max_content_length (100 MB by default).
const bulkFileBytes = 10 << 20

// IndexPrefix starts every index Kiseki exports to; the index template
// matches it.
const IndexPrefix = "kiseki-"

// TemplateName is the file of the index template in an OpenSearch export.
const TemplateName = "index-template.json"

// writeOpenSearch writes OUT/index-template.json and
// OUT/bulk-NNNNNN.ndjson: action and document lines for the _bulk API, each
// action with the event's stable _id, so importing twice overwrites
// instead of duplicating.
func writeOpenSearch(ctx context.Context, src *source, opt Options, sum *Summary) error {
	index := opt.Index
	if index == "" {
		index = IndexName(src.name)
	}
	if err := CheckIndexName(index); err != nil {
		return err
	}
	tmp := strings.TrimSuffix(opt.Out, "/") + ".tmp"
	os.RemoveAll(tmp)
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return err
	}
	tpl, err := json.MarshalIndent(IndexTemplate(), "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, TemplateName), append(tpl, '\n'), 0o644); err != nil {
		return err
	}
	sum.Files = append(sum.Files, TemplateName)
	var (
		f    *os.File
		w    *bufio.Writer
		size int
	)
	closeFile := func() error {
		if f == nil {
			return nil
		}
		err := w.Flush()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		f = nil
		return err
	}
	ids := newEventIDs(src.sha)
	var action, d doc
	err = src.each(ctx, func(_ int, _ int64, ev *timeline.Event) error {
		action.begin()
		action.key("index")
		action.b = append(action.b, `{"_index":`...)
		action.b = appendString(action.b, index)
		action.b = append(action.b, `,"_id":`...)
		action.b = appendString(action.b, ids.id(ev))
		action.b = append(action.b, '}')
		a := append(action.end(), '\n')
		d.begin()
		d.str("@timestamp", time.Unix(0, ev.Time).UTC().Format(time.RFC3339Nano))
		d.str("message", message(ev))
		d.fields(src.name, ev, "")
		b := append(d.end(), '\n')
		if f != nil && size+len(a)+len(b) > bulkFileBytes {
			if err := closeFile(); err != nil {
				return err
			}
		}
		if f == nil {
			name := fmt.Sprintf("bulk-%06d.ndjson", len(sum.Files))
			var err error
			if f, err = os.Create(filepath.Join(tmp, name)); err != nil {
				return err
			}
			w, size = bufio.NewWriterSize(f, 1<<20), 0
			sum.Files = append(sum.Files, name)
		}
		w.Write(a)
		_, err := w.Write(b)
		size += len(a) + len(b)
		sum.Events++
		return err
	})
	if cerr := closeFile(); err == nil {
		err = cerr
	}
	if err != nil {
		os.RemoveAll(tmp)
		return err
	}
	return replaceDir(tmp, opt.Out)
}

// IndexName is the default index of a case: kiseki-<case name>, lower case,
// with the characters OpenSearch forbids in index names replaced by '-'.
func IndexName(caseName string) string {
	var b strings.Builder
	b.WriteString(IndexPrefix)
	for _, r := range strings.ToLower(caseName) {
		if strings.ContainsRune(`\/*?"<>| ,#:`, r) {
			r = '-'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// CheckIndexName applies OpenSearch's and Elasticsearch's rules for index
// names: lower case, none of \ / * ? " < > | space , # :, not starting
// with - _ +, not . or .., at most 255 bytes.
func CheckIndexName(n string) error {
	switch {
	case n == "" || n == "." || n == "..":
		return fmt.Errorf("index name %q is not allowed", n)
	case len(n) > 255:
		return fmt.Errorf("index name %q is longer than 255 bytes", n)
	case strings.ToLower(n) != n:
		return fmt.Errorf("index name %q must be lower case", n)
	case strings.ContainsAny(n, `\/*?"<>| ,#:`):
		return fmt.Errorf("index name %q holds a character OpenSearch forbids (\\ / * ? \" < > | space , # :)", n)
	case strings.ContainsAny(n[:1], "-_+"):
		return fmt.Errorf("index name %q must not start with -, _ or +", n)
	}
	return nil
}

// keywordMax is ignore_above for keyword fields: longer values (a giant URL
// or user agent) stay in _source and in the text field but are not indexed
// as one term; Lucene's term limit is 32766 bytes.
const keywordMax = 8191

// IndexTemplate is the composable index template (OpenSearch 1+,
// Elasticsearch 7.8+) for kiseki-* indices: the mapping of every field the
// bulk documents carry.
func IndexTemplate() map[string]any {
	kw := map[string]any{"type": "keyword", "ignore_above": keywordMax}
	textKW := map[string]any{"type": "text", "fields": map[string]any{"keyword": kw}}
	long := map[string]any{"type": "long"}
	integer := map[string]any{"type": "integer"}
	ip := map[string]any{"type": "ip", "ignore_malformed": true}
	props := map[string]any{
		"@timestamp": map[string]any{"type": "date_nanos"},
		"time_ns":    long,
		"case":       kw, "time_desc": kw, "time_orig": kw, "zone": kw, "host": kw, "source": kw,
		"evidence": kw, "ref": kw, "ref_path": kw,
		"ref_offset": long, "ref_line": long, "ref_inode": long, "ref_mft": long,
		"path": textKW, "user": kw, "src_ip": ip, "dst_ip": ip, "src_port": integer, "dst_port": integer,
		"method": kw, "url": textKW, "status": integer, "bytes": long, "user_agent": textKW,
		"action": kw, "tags": kw, "message": map[string]any{"type": "text"},
		"extra":      map[string]any{"type": "object", "dynamic": true},
		"raw":        map[string]any{"type": "text", "index": false},
		"raw_base64": map[string]any{"type": "binary"},
	}
	return map[string]any{
		"index_patterns": []string{IndexPrefix + "*"},
		"priority":       100,
		"template": map[string]any{
			"mappings": map[string]any{
				"dynamic": "strict",
				"dynamic_templates": []any{map[string]any{"extra_fields": map[string]any{
					"path_match": "extra.*", "mapping": kw,
				}}},
				"properties": props,
			},
		},
	}
}
