package leaks

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/kiseki-forensics/kiseki/parsers/memory/carve"
	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/search/vocab"
	"github.com/kiseki-forensics/kiseki/timeline"
	"github.com/kiseki-forensics/kiseki/timeline/artifacts"
)

// PIIKinds are the kinds content mode counts.
var PIIKinds = []string{artifacts.KindEmail, artifacts.KindCard, artifacts.KindPhone}

// ValidCard reports whether digits are a payment card number: Luhn-valid and
// in a known issuer's range and length (the memory carver's checks).
func ValidCard(value string) bool {
	d := []byte(artifacts.Normalize(artifacts.KindCard, value))
	return carve.Luhn(d) && carve.Issuer(d) != ""
}

// Mask masks a counted value for printing (artifacts.Mask for personal
// data; other values as they are).
func Mask(kind, value string) string { return artifacts.Mask(kind, value) }

// FindPII calls fn for each e-mail address, card number (Luhn and issuer
// checked) and phone number in text, with the carver's rules.
func FindPII(sc *carve.Scanner, text []byte, fn func(kind, value string)) {
	sc.Scan(text, func(m *carve.Match) {
		switch m.Kind {
		case carve.KindEmail:
			fn(artifacts.KindEmail, string(m.Value))
		case carve.KindCard:
			if ValidCard(string(m.Value)) {
				fn(artifacts.KindCard, string(m.Value))
			}
		case carve.KindPhone:
			fn(artifacts.KindPhone, string(m.Value))
		}
	})
}

// runPII counts distinct personal data values in memory artifacts and in
// the text of events (message, URL decoded, raw line).
func runPII(ctx context.Context, env *vocab.Env, opt Options) (*Result, error) {
	type key struct{ kind, value string }
	vals := map[key]*Value{}
	add := func(kind, value, source string, t int64, ref timeline.Ref) {
		k := key{kind, artifacts.Normalize(kind, value)}
		v := vals[k]
		if v == nil {
			v = &Value{Kind: kind, Value: k.value, Source: source, First: t}
			vals[k] = v
		}
		v.Count++
		if t != 0 && (v.First == 0 || t < v.First) {
			v.First = t
		}
		if !strings.Contains(v.Source, source) {
			v.Source += "+" + source
		}
		if len(v.Refs) < opt.RefCap {
			v.Refs = append(v.Refs, ref)
		}
	}
	useArtifacts := len(opt.Sources) == 0
	for _, s := range opt.Sources {
		if s == "memory" || s == "artifacts" {
			useArtifacts = true
		}
	}
	nArt := 0
	if useArtifacts {
		for _, p := range env.Artifacts {
			err := artifacts.Each(p, func(a *artifacts.Artifact) error {
				if !artifacts.IsPII(a.Kind) {
					return nil
				}
				if a.Kind == artifacts.KindCard && !ValidCard(a.Value) {
					return nil
				}
				off := a.Offset
				add(a.Kind, strings.Clone(a.Value), "artifacts", 0, timeline.Ref{Evidence: strings.Clone(a.Evidence), Path: strings.Clone(a.RefPath), Offset: &off})
				nArt++
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
	}
	// Events: every row in range (of the chosen sources), its text columns.
	var q []string
	for _, s := range opt.Sources {
		if s != "memory" && s != "artifacts" {
			q = append(q, "source:"+vocab.Quote(s))
		}
	}
	query := ""
	if len(q) > 0 {
		query = "(" + strings.Join(q, " OR ") + ")"
	} else if len(opt.Sources) > 0 {
		query = "source:-" // only artifacts were chosen
	}
	if len(opt.Actors) > 0 {
		var t []string
		for _, p := range opt.Actors {
			t = append(t, "ip:"+p.String())
		}
		if query != "" {
			query += " AND "
		}
		query += "(" + strings.Join(t, " OR ") + ")"
	}
	var sc carve.Scanner
	var rowsScanned int64
	err := env.Searcher.Scan(ctx, search.Request{Query: query, From: opt.From, To: opt.To}, nil, func(seg *timeline.Segment, rows []search.Rows) error {
		// URLs are dictionary-encoded: scan each distinct value once.
		urlVals, urlCodes := seg.DictCodes(timeline.ColURL)
		type hit struct{ kind, value string }
		var urlHits [][]hit
		if urlVals != nil {
			urlHits = make([][]hit, len(urlVals))
			for k, u := range urlVals {
				if u == "" {
					continue
				}
				text := u
				if strings.Contains(u, "%") {
					if d, err := url.QueryUnescape(u); err == nil {
						text = d
					}
				}
				FindPII(&sc, []byte(text), func(kind, value string) { urlHits[k] = append(urlHits[k], hit{kind, value}) })
			}
		}
		rows[0].Each(func(i int) bool {
			rowsScanned++
			t := seg.Time(i)
			var ref *timeline.Ref
			emit := func(kind, value string) {
				if ref == nil {
					r := vocab.RefAt(seg, i)
					ref = &r
				}
				add(kind, value, "events", t, *ref)
			}
			if urlHits != nil {
				for _, h := range urlHits[urlCodes[i]] {
					emit(h.kind, h.value)
				}
			}
			for _, c := range []int{timeline.ColMessage, timeline.ColRaw} {
				if s := seg.Str(c, i); s != "" {
					FindPII(&sc, []byte(s), emit)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	res := &Result{DistinctBy: "e-mail addresses, payment card numbers (Luhn-valid, known issuer range) and phone numbers, normalised", Sample: []string{}, Refs: []timeline.Ref{},
		ByKind: map[string]int64{}}
	for _, k := range PIIKinds {
		res.ByKind[k] = 0
	}
	list := make([]Value, 0, len(vals))
	for _, v := range vals {
		res.ByKind[v.Kind]++
		list = append(list, *v)
	}
	sort.SliceStable(list, func(i, j int) bool {
		if list[i].Kind != list[j].Kind {
			return list[i].Kind < list[j].Kind
		}
		return list[i].Value < list[j].Value
	})
	res.Values = list
	for _, k := range PIIKinds {
		res.Records += res.ByKind[k]
	}
	for _, v := range list {
		if len(res.Sample) < opt.Sample {
			s := v.Value
			if !opt.Reveal {
				s = Mask(v.Kind, s)
			}
			res.Sample = append(res.Sample, v.Kind+":"+s)
		}
		for _, r := range v.Refs {
			if len(res.Refs) < opt.RefCap {
				res.Refs = append(res.Refs, r)
			}
		}
	}
	res.Method = fmt.Sprintf("distinct personal data values (%d e-mail, %d card, %d phone) found in %d memory artifact rows and in the message, URL (decoded) and raw text of %d events",
		res.ByKind[artifacts.KindEmail], res.ByKind[artifacts.KindCard], res.ByKind[artifacts.KindPhone], nArt, rowsScanned)
	if len(opt.Sources) > 0 {
		res.Method += " of sources " + strings.Join(opt.Sources, ", ")
	}
	if len(opt.Actors) > 0 {
		res.Method += " involving the given addresses"
	}
	if !opt.Reveal {
		res.Method += "; values masked (--reveal shows them)"
	}
	return res, nil
}
