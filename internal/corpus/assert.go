package corpus

import (
	"bufio"
	"os"
	"testing"

	"github.com/kiseki-forensics/kiseki/internal/crowdsecassert"
)

// Asserts holds the field values a CrowdSec parser.assert file expects, per
// stage and parser, by line index: Asserts["s01-parse"]["crowdsecurity/nginx-logs"][3]["remote_addr"].
// Parsed[...] and Meta[...] keys are merged; Success is kept as "Success".
// (crowdsecassert.Read matches the entries to the lines of the log instead.)
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
		a, ok := crowdsecassert.ParseAssertion(sc.Bytes())
		if !ok {
			continue
		}
		key := a.Key // the slice suffix of a value is not kept
		switch a.Kind {
		case "Success":
			key = "Success"
		case "Parsed", "Meta":
		default:
			continue
		}
		if out[a.Stage] == nil {
			out[a.Stage] = map[string]map[int]map[string]string{}
		}
		if out[a.Stage][a.Parser] == nil {
			out[a.Stage][a.Parser] = map[int]map[string]string{}
		}
		if out[a.Stage][a.Parser][a.Index] == nil {
			out[a.Stage][a.Parser][a.Index] = map[string]string{}
		}
		out[a.Stage][a.Parser][a.Index][key] = a.Value
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
