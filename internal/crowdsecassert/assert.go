// Package crowdsecassert reads the parser.assert files of CrowdSec hub tests
// (../shared/corpus/*/crowdsec/*/parser.assert) into the values each log
// line is expected to parse to, so parser tests can compare their events
// with an independent parser's answers.
//
// A parser.assert line reads
//
//	results["s01-parse"]["crowdsecurity/sshd-logs"][3].Evt.Parsed["sshd_client_ip"] == "5.33.63.160"
//
// Index i of a stage-0 parser is the i-th non-empty line of the log; a later
// stage only sees the lines kept so far, so its entries are matched to lines
// by their message and timestamp (see Read).
package crowdsecassert

import (
	"bufio"
	"bytes"
	"os"
	"sort"
	"strconv"
	"strings"
)

// Line holds what the assertions expect of one log line.
type Line struct {
	Text   string            // the log line
	Number int64             // 1-based line number in the file (empty lines count)
	Values map[string]string // "Parsed.key", "Meta.key", "Enriched.key" → value; later stages win
	// Parsers lists "stage/parser" that parsed the line successfully.
	Parsers []string
}

type entry struct {
	success *bool
	values  map[string]string
}

// Read parses assertFile for logFile and returns one Line per non-empty line
// of the log.
func Read(assertFile, logFile string) ([]Line, error) {
	logData, err := os.ReadFile(logFile)
	if err != nil {
		return nil, err
	}
	var lines []Line
	for i, t := range strings.Split(string(logData), "\n") {
		t = strings.TrimSuffix(t, "\r")
		if t == "" {
			continue
		}
		lines = append(lines, Line{Text: t, Number: int64(i + 1), Values: map[string]string{}})
	}
	f, err := os.Open(assertFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// stage → parser → index → entry
	res := map[string]map[string]map[int]*entry{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		a, ok := ParseAssertion(sc.Bytes())
		if !ok {
			continue
		}
		stage, parser, idx, field, value := a.Stage, a.Parser, a.Index, a.Field(), a.Value
		if res[stage] == nil {
			res[stage] = map[string]map[int]*entry{}
		}
		if res[stage][parser] == nil {
			res[stage][parser] = map[int]*entry{}
		}
		e := res[stage][parser][idx]
		if e == nil {
			e = &entry{values: map[string]string{}}
			res[stage][parser][idx] = e
		}
		if field == "Success" {
			b := value == "true"
			e.success = &b
			continue
		}
		e.values[field] = value
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	stages := make([]string, 0, len(res))
	for s := range res {
		if strings.HasPrefix(s, "s0") {
			stages = append(stages, s)
		}
	}
	sort.Strings(stages)
	// Stage 0 sees every line, index for index. A later stage sees only
	// the lines that earlier parsers kept, and which ones CrowdSec drops
	// depends on node settings the assert file does not hold; so each of its
	// entries is matched, in order, to the next kept line whose text holds
	// the entry's message and timestamp.
	var kept []int
	for si, st := range stages {
		parsersOf := make([]string, 0, len(res[st]))
		for p := range res[st] {
			parsersOf = append(parsersOf, p)
		}
		sort.Strings(parsersOf)
		for _, p := range parsersOf {
			idxs := make([]int, 0, len(res[st][p]))
			for k := range res[st][p] {
				idxs = append(idxs, k)
			}
			sort.Ints(idxs)
			next := 0
			for _, k := range idxs {
				e := res[st][p][k]
				li := -1
				if si == 0 {
					li = k
				} else {
					for next < len(kept) && !fits(e, lines[kept[next]].Text) {
						next++
					}
					if next < len(kept) {
						li = kept[next]
						next++
					}
				}
				if li < 0 || li >= len(lines) {
					continue
				}
				if e.success != nil && !*e.success {
					continue
				}
				lines[li].Parsers = append(lines[li].Parsers, st+"/"+p)
				for key, v := range e.values {
					lines[li].Values[key] = v
				}
			}
		}
		if si == 0 {
			for li := range lines {
				if len(lines[li].Parsers) > 0 {
					kept = append(kept, li)
				}
			}
		}
	}
	return lines, nil
}

// fits reports whether an entry's message and timestamp are in the line.
func fits(e *entry, line string) bool {
	for _, k := range []string{"Parsed.message", "Parsed.timestamp", "Parsed.timestamp8601"} {
		if v, ok := e.values[k]; ok && !strings.Contains(line, v) {
			return false
		}
	}
	return true
}

// Assertion is one line of a parser.assert file.
type Assertion struct {
	Stage, Parser string // "s01-parse", "crowdsecurity/nginx-logs"
	Index         int    // the line's index among the lines the stage sees
	// Kind is "Success", or the Evt map of the value: "Parsed", "Meta",
	// "Enriched"; Key is the map key and Suffix what follows it, such as
	// the "[4:]" of a slice of the value.
	Kind, Key, Suffix string
	Value             string // unquoted
}

// Field is how Read names the value: "Success" or "Kind.Key" with Suffix.
func (a *Assertion) Field() string {
	if a.Kind == "Success" {
		return a.Kind
	}
	return a.Kind + "." + a.Key + a.Suffix
}

// ParseAssertion reads one parser.assert line,
// results["stage"]["parser"][idx].Evt.Parsed["key"] == "value" or
// results[...][idx].Success == true; ok is false for any other line.
func ParseAssertion(b []byte) (a Assertion, ok bool) {
	rest, found := bytes.CutPrefix(b, []byte(`results["`))
	if !found {
		return
	}
	var s []byte
	if s, rest, found = bytes.Cut(rest, []byte(`"]["`)); !found {
		return
	}
	a.Stage = string(s)
	if s, rest, found = bytes.Cut(rest, []byte(`"][`)); !found {
		return
	}
	a.Parser = string(s)
	if s, rest, found = bytes.Cut(rest, []byte(`].`)); !found {
		return
	}
	n, err := strconv.Atoi(string(s))
	if err != nil {
		return
	}
	a.Index = n
	lhs, rhs, found := bytes.Cut(rest, []byte(" == "))
	if !found {
		return
	}
	if string(lhs) == "Success" {
		a.Kind, a.Value = "Success", string(rhs)
		return a, true
	}
	// Evt.Parsed["key"]
	lhs, found = bytes.CutPrefix(lhs, []byte("Evt."))
	if !found {
		return
	}
	kind, key, found := bytes.Cut(lhs, []byte(`["`))
	if !found {
		return
	}
	// Parsed["key"] or Enriched["MarshaledTime"][4:] (a slice of the value).
	name, suffix, found := bytes.Cut(key, []byte(`"]`))
	if !found {
		return
	}
	a.Kind, a.Key, a.Suffix = string(kind), string(name), string(suffix)
	if len(rhs) >= 2 && rhs[0] == '"' {
		v, err := strconv.Unquote(string(rhs))
		if err != nil {
			v = string(rhs[1 : len(rhs)-1])
		}
		a.Value = v
	} else {
		a.Value = string(rhs)
	}
	return a, true
}
