package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// Words are runs of letters and digits (Unicode), compared in lower case:
// "evil" finds /themes/evil.php?cmd=id and "203.0.113.7" is four words that
// a phrase finds in order. The index and the column scans use this one
// tokenizer, so a word query answers the same with or without the index.

// maxIndexedValue bounds the text tokenized per value: a 10 MB hostile line
// is searchable by its first part without costing 10 MB of terms, and the
// index and the scans look at the same part.
const maxIndexedValue = 64 << 10

// wordByte tells, for each ASCII byte, whether it is part of a word.
var wordByte = func() (t [128]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-32] = true, true
	}
	return t
}()

// nextWord returns the bounds of the first word of s at or after i, and
// whether its bytes are all ASCII; end is -1 when there is none.
func nextWord(s string, i int) (start, end int, ascii bool) {
	start = -1
	ascii = true
	for i < len(s) {
		c := s[i]
		size := 1
		in := false
		if c < utf8.RuneSelf {
			in = wordByte[c]
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			in = unicode.IsLetter(r) || unicode.IsNumber(r)
		}
		if in {
			if start < 0 {
				start = i
			}
			if c >= utf8.RuneSelf {
				ascii = false
			}
		} else if start >= 0 {
			return start, i, ascii
		}
		i += size
	}
	if start < 0 {
		return -1, -1, true
	}
	return start, len(s), ascii
}

// eachWord calls fn with every word of s (up to maxIndexedValue bytes), in
// order, not lowered; fn returning false stops.
func eachWord(s string, fn func(w string, ascii bool) bool) {
	if len(s) > maxIndexedValue {
		s = s[:maxIndexedValue]
	}
	for i := 0; ; {
		a, b, ascii := nextWord(s, i)
		if a < 0 || !fn(s[a:b], ascii) {
			return
		}
		i = b
	}
}

// equalWord reports whether the word w equals the lower-case word lw.
func equalWord(w string, ascii bool, lw string) bool {
	if !ascii {
		return strings.ToLower(w) == lw
	}
	if len(w) != len(lw) {
		return false
	}
	for i := 0; i < len(w); i++ {
		if lower(w[i]) != lw[i] {
			return false
		}
	}
	return true
}

// lowerWord returns w in lower case.
func lowerWord(w string, ascii bool) string {
	if !ascii {
		return strings.ToLower(w)
	}
	for i := 0; i < len(w); i++ {
		if c := w[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(w)
		}
	}
	return w
}

// Words returns the lower-case words of s.
func Words(s string) []string {
	var out []string
	eachWord(s, func(w string, ascii bool) bool {
		out = append(out, lowerWord(w, ascii))
		return true
	})
	return out
}

// wordsTokenizer is the tokenizer above as a Bleve tokenizer, registered
// under wordsTokenizerName.
type wordsTokenizer struct{}

const (
	wordsTokenizerName = "kiseki-words"
	wordsAnalyzer      = "kiseki-words"
)

func (wordsTokenizer) Tokenize(input []byte) analysis.TokenStream {
	s := string(input)
	var out analysis.TokenStream
	pos := 1
	eachWord(s, func(w string, ascii bool) bool {
		out = append(out, &analysis.Token{Term: []byte(lowerWord(w, ascii)), Position: pos, Type: analysis.AlphaNumeric})
		pos++
		return true
	})
	return out
}

func init() {
	registry.RegisterTokenizer(wordsTokenizerName, func(map[string]any, *registry.Cache) (analysis.Tokenizer, error) {
		return wordsTokenizer{}, nil
	})
}

// textQuery is a word, phrase or word-pattern query over one value.
type textQuery struct {
	words  []string // lower case
	phrase bool     // the words consecutive, in order
	// anchored: the phrase must start at the value's first word (the rest
	// of a request-line phrase after the method).
	anchored bool
	pattern  *glob // a '*'/'?' pattern one word must match
}

// newTextQuery is the text query of a term's value.
func newTextQuery(t Term) textQuery {
	if !t.Phrase && strings.ContainsAny(t.Value, "*?") {
		g := newGlob(t.Value)
		return textQuery{pattern: &g}
	}
	return textQuery{words: Words(t.Value), phrase: t.Phrase}
}

// empty reports whether the query can match nothing (no words).
func (q textQuery) empty() bool { return q.pattern == nil && len(q.words) == 0 }

// match reports whether the value v satisfies q.
func (q textQuery) match(v string) bool {
	switch {
	case q.pattern != nil:
		hit := false
		eachWord(v, func(w string, _ bool) bool {
			hit = q.pattern.match(w)
			return !hit
		})
		return hit
	case len(q.words) == 0:
		return false
	case q.phrase || q.anchored:
		return q.matchPhrase(v)
	case len(q.words) == 1:
		hit := false
		eachWord(v, func(w string, ascii bool) bool {
			hit = equalWord(w, ascii, q.words[0])
			return !hit
		})
		return hit
	}
	// A bit per query word; words past the 64th are not checked (a
	// query of that many words is not typed by hand).
	var seen uint64
	all := uint64(1)<<min(len(q.words), 64) - 1
	eachWord(v, func(w string, ascii bool) bool {
		for k, qw := range q.words[:min(len(q.words), 64)] {
			if seen&(1<<k) == 0 && equalWord(w, ascii, qw) {
				seen |= 1 << k
			}
		}
		return seen != all
	})
	return seen == all
}

// matchPhrase finds q.words consecutively in v (at its start if anchored).
func (q textQuery) matchPhrase(v string) bool {
	if len(v) > maxIndexedValue {
		v = v[:maxIndexedValue]
	}
	for i := 0; ; {
		a, b, ascii := nextWord(v, i)
		if a < 0 {
			return false
		}
		if equalWord(v[a:b], ascii, q.words[0]) && q.restAt(v, b) {
			return true
		}
		if q.anchored {
			return false
		}
		i = b
	}
}

// restAt reports whether words 1.. of q follow position i of v.
func (q textQuery) restAt(v string, i int) bool {
	for _, qw := range q.words[1:] {
		a, b, ascii := nextWord(v, i)
		if a < 0 || !equalWord(v[a:b], ascii, qw) {
			return false
		}
		i = b
	}
	return true
}
