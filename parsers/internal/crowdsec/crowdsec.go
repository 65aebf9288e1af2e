// Package crowdsec reads CrowdSec hub "parser.assert" files, the expected
// parser outputs that sit beside the hub's test logs in the shared corpus,
// so parser tests can assert the same values CrowdSec asserts.
//
// A parser.assert file is a list of expressions, one a line:
//
//	results["s01-parse"]["crowdsecurity/aws-alb"][0].Evt.Parsed["remote_addr"] == "192.168.1.10"
//
// Load keeps the Parsed and Meta string equalities of one stage and parser,
// per result index (the index follows the order of the log lines).
package crowdsec

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Result is what one log line parsed into: Parsed and Meta fields.
type Result struct {
	Parsed map[string]string
	Meta   map[string]string
}

// Load returns the results of the given stage ("s01-parse") and parser
// ("crowdsecurity/aws-alb"), indexed as in the file.
func Load(path, stage, parser string) ([]Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	prefix := fmt.Sprintf("results[%q][%q][", stage, parser)
	var out []Result
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := strings.TrimPrefix(sc.Text(), "basename(")
		if !strings.HasPrefix(line, prefix) {
			continue
		}
		rest := line[len(prefix):]
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			continue
		}
		idx, err := strconv.Atoi(rest[:end])
		if err != nil {
			return nil, fmt.Errorf("%s: bad index in %q", path, line)
		}
		rest = rest[end+1:]
		var m string
		switch {
		case strings.HasPrefix(rest, ".Evt.Parsed["):
			m, rest = "parsed", rest[len(".Evt.Parsed["):]
		case strings.HasPrefix(rest, ".Evt.Meta["):
			m, rest = "meta", rest[len(".Evt.Meta["):]
		default:
			continue
		}
		kEnd := strings.Index(rest, "]")
		if kEnd < 0 {
			continue
		}
		key, err := strconv.Unquote(rest[:kEnd])
		if err != nil {
			return nil, fmt.Errorf("%s: bad key in %q", path, line)
		}
		rest = strings.TrimPrefix(rest[kEnd+1:], ")")
		eq := strings.Index(rest, "== ")
		if eq < 0 {
			continue
		}
		val, err := strconv.Unquote(strings.TrimSpace(rest[eq+3:]))
		if err != nil {
			return nil, fmt.Errorf("%s: bad value in %q: %v", path, line, err)
		}
		for len(out) <= idx {
			out = append(out, Result{Parsed: map[string]string{}, Meta: map[string]string{}})
		}
		if m == "parsed" {
			out[idx].Parsed[key] = val
		} else {
			out[idx].Meta[key] = val
		}
	}
	return out, sc.Err()
}
