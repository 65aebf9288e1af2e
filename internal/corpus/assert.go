package corpus

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
)

// Asserts holds the field values a CrowdSec parser.assert file expects, per
// stage and parser, by line index: Asserts["s01-parse"]["crowdsecurity/nginx-logs"][3]["remote_addr"].
// Parsed[...] and Meta[...] keys are merged; Success is kept as "Success".
type Asserts map[string]map[string]map[int]map[string]string

// ReadAsserts parses the expectation lines of a CrowdSec parser.assert file:
//
//	results["STAGE"]["PARSER"][N].Evt.Parsed["KEY"] == "VALUE"
func ReadAsserts(t testing.TB, path string) Asserts {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := Asserts{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, `results["`) {
			continue
		}
		lhs, rhs, ok := strings.Cut(line, " == ")
		if !ok {
			continue
		}
		var stage, parser string
		rest := lhs[len(`results[`):]
		stage, rest = readQuoted(rest)
		rest = strings.TrimPrefix(rest, "][")
		parser, rest = readQuoted(rest)
		rest = strings.TrimPrefix(rest, "][")
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			continue
		}
		idx, err := strconv.Atoi(rest[:end])
		if err != nil {
			continue
		}
		rest = rest[end+1:]
		key := ""
		switch {
		case rest == ".Success":
			key = "Success"
		case strings.HasPrefix(rest, `.Evt.Parsed["`), strings.HasPrefix(rest, `.Evt.Meta["`):
			k := rest[strings.IndexByte(rest, '[')+1:]
			key, _ = readQuoted(k)
		default:
			continue
		}
		val := rhs
		if strings.HasPrefix(rhs, `"`) {
			if v, err := strconv.Unquote(rhs); err == nil {
				val = v
			}
		}
		if out[stage] == nil {
			out[stage] = map[string]map[int]map[string]string{}
		}
		if out[stage][parser] == nil {
			out[stage][parser] = map[int]map[string]string{}
		}
		if out[stage][parser][idx] == nil {
			out[stage][parser][idx] = map[string]string{}
		}
		out[stage][parser][idx][key] = val
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// readQuoted reads a Go-quoted string at the start of s.
func readQuoted(s string) (string, string) {
	if !strings.HasPrefix(s, `"`) {
		return "", s
	}
	for i := 1; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if s[i] == '"' {
			v, err := strconv.Unquote(s[:i+1])
			if err != nil {
				return "", s
			}
			return v, s[i+1:]
		}
	}
	return "", s
}
