package cli

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/kiseki-forensics/kiseki/report"
)

// leakSetKeys are the keys of one count in a --leaks file: kiseki leaks'
// flags by their names, plus name, data (the kinds of personal data the
// records hold) and actors-from-scope (true: the report's scope).
var leakSetKeys = []string{"name", "data", "actor", "actors-from-scope", "endpoint", "status", "distinct", "from", "to", "window-from-file", "pii", "source"}

// loadLeakSets reads a --leaks file:
//
//	leaks:
//	  - name: customer records enumerated through the API
//	    data: [name, e-mail address, postal address]
//	    actors-from-scope: true
//	    endpoint: GET /api/customers*
//	    status: 2xx
//	    distinct: param:id
//	  - name: payments sent while checkout.js was altered
//	    data: [payment card number]
//	    window-from-file: web01:/var/www/shop/js/checkout.js
//	    endpoint: POST /checkout/pay*
//	    status: 2xx
//	    distinct: param:order
//
// Errors name the file and line.
func loadLeakSets(path string, loc *time.Location) ([]report.LeakSet, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, usageErrorf("--leaks: %v", err)
	}
	var doc struct {
		Leaks []yaml.Node `yaml:"leaks"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, usageErrorf("--leaks %s: %v", path, err)
	}
	if len(doc.Leaks) == 0 {
		return nil, usageErrorf("--leaks %s: no counts (want a list under \"leaks:\")", path)
	}
	var sets []report.LeakSet
	for i := range doc.Leaks {
		n := &doc.Leaks[i]
		set, err := leakSet(n, loc)
		if err != nil {
			return nil, usageErrorf("--leaks %s:%d:%d: %v", path, n.Line, n.Column, err)
		}
		if set.Name == "" {
			set.Name = "count " + strconv.Itoa(i+1)
		}
		sets = append(sets, set)
	}
	return sets, nil
}

// leakSet reads one count: each key as the kiseki leaks flag of its name.
func leakSet(n *yaml.Node, loc *time.Location) (report.LeakSet, error) {
	var set report.LeakSet
	if n.Kind != yaml.MappingNode {
		return set, fmt.Errorf("a count is a mapping of selectors")
	}
	for k := 0; k+1 < len(n.Content); k += 2 {
		key, val := n.Content[k].Value, n.Content[k+1]
		var list []string
		if val.Kind == yaml.SequenceNode {
			if err := val.Decode(&list); err != nil {
				return set, fmt.Errorf("%s: %v", key, err)
			}
		} else {
			list = []string{val.Value}
		}
		v := strings.Join(list, ",")
		if err := setLeakKey(&set, key, v, list, loc); err != nil {
			return set, fmt.Errorf("line %d: %w", val.Line, err)
		}
	}
	return set, nil
}

func setLeakKey(set *report.LeakSet, key, v string, list []string, loc *time.Location) error {
	var err error
	o := &set.Opt
	switch key {
	case "name":
		set.Name = v
		return nil
	case "data":
		set.Data = list
		return nil
	case "actor":
		for _, a := range list {
			p, err := parseActor(a)
			if err != nil {
				return err
			}
			o.Actors = append(o.Actors, p)
			set.Args = append(set.Args, "--actor", a)
		}
		return nil
	case "actors-from-scope":
		set.FromScope, err = strconv.ParseBool(v)
		return err
	case "pii":
		if o.PII, err = strconv.ParseBool(v); err == nil && o.PII {
			set.Args = append(set.Args, "--pii")
		}
		return err
	case "source":
		o.Sources = list
	case "endpoint":
		o.Endpoint = v
	case "status":
		o.Status = v
	case "distinct":
		o.Distinct = v
	case "window-from-file":
		o.WindowFile = v
	case "from":
		o.From, err = parseTimeFlag("from", v, loc, false)
	case "to":
		o.To, err = parseTimeFlag("to", v, loc, true)
	default:
		return fmt.Errorf("unknown key %q (want one of %s)", key, strings.Join(leakSetKeys, ", "))
	}
	if err != nil {
		return err
	}
	if key == "source" {
		set.Args = append(set.Args, "--source", v)
	} else {
		set.Args = append(set.Args, "--"+key, v)
	}
	return nil
}
