package search

import (
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
)

func TestWords(t *testing.T) {
	cases := map[string][]string{
		"/themes/Evil.php?cmd=id":                {"themes", "evil", "php", "cmd", "id"},
		"203.0.113.7":                            {"203", "0", "113", "7"},
		"Failed password for root from 10.0.0.1": {"failed", "password", "for", "root", "from", "10", "0", "0", "1"},
		"Ünïcode Straße_東京 №5":                   {"ünïcode", "straße", "東京", "5"},
		"":                                       nil,
		"--//..":                                 nil,
		"\xff\xfeabc\x00DEF":                     {"abc", "def"},
	}
	for in, want := range cases {
		if got := Words(in); !slices.Equal(got, want) {
			t.Errorf("Words(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWordsMatchUnicodeLetters cross-checks the tokenizer with Bleve's own
// Unicode word segmenter on text where both agree on what a word is
// (letters and digits separated by spaces and ASCII punctuation).
func TestWordsMatchUnicodeLetters(t *testing.T) {
	in := "GET /api/customers?id=42 HTTP/1.1 Mozilla 5 0 Windows NT 10 0 Die Straße Ürün"
	var want []string
	for _, tok := range unicode.NewUnicodeTokenizer().Tokenize([]byte(strings.NewReplacer("/", " ", "?", " ", "=", " ", ".", " ").Replace(in))) {
		want = append(want, strings.ToLower(string(tok.Term)))
	}
	if got := Words(in); !slices.Equal(got, want) {
		t.Errorf("Words = %q\nBleve unicode = %q", got, want)
	}
}

func TestTokenizerRegistered(t *testing.T) {
	im, err := indexMapping()
	if err != nil {
		t.Fatal(err)
	}
	a := im.AnalyzerNamed(wordsAnalyzer)
	if a == nil {
		t.Fatal("analyzer not registered")
	}
	var got []string
	for _, tok := range a.Analyze([]byte("Evil.PHP cmd=ID")) {
		got = append(got, string(tok.Term))
	}
	if want := []string{"evil", "php", "cmd", "id"}; !slices.Equal(got, want) {
		t.Errorf("analyzer: %q, want %q", got, want)
	}
}

func TestTextQueryMatch(t *testing.T) {
	cases := []struct {
		t    Term
		v    string
		want bool
	}{
		{Term{Value: "evil"}, "/themes/evil.php", true},
		{Term{Value: "evi"}, "/themes/evil.php", false},
		{Term{Value: "EVIL php"}, "/Evil.PHP", true},
		{Term{Value: "php evil"}, "/evil.php", true},
		{Term{Value: "php evil", Phrase: true}, "/evil.php", false},
		{Term{Value: "evil.php", Phrase: true}, "/x/EVIL.php?a", true},
		{Term{Value: "203.0.113.7", Phrase: true}, "from 203.0.113.7 port", true},
		{Term{Value: "203.0.113.7", Phrase: true}, "from 203.0.113.70 port", false},
		{Term{Value: "ev*"}, "/themes/evil.php", true},
		{Term{Value: "*.php"}, "/themes/evil.php", false}, // words hold no '.'
		{Term{Value: "--"}, "--", false},
	}
	for _, tc := range cases {
		if got := newTextQuery(tc.t).match(tc.v); got != tc.want {
			t.Errorf("%s on %q: %v, want %v", tc.t, tc.v, got, tc.want)
		}
	}
	anchored := textQuery{words: []string{"api", "customers"}, anchored: true}
	if !anchored.match("/api/customers?id=1") || anchored.match("/v2/api/customers") {
		t.Error("anchored phrase")
	}
}

func FuzzWords(f *testing.F) {
	for _, s := range []string{"/a/b.php?x=1", "Straße 東京", "\xff\xfe", "a\u00a0b", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		words := Words(s)
		for _, w := range words {
			if w == "" {
				t.Fatalf("empty word in %q", s)
			}
			// Every word is found by a word query and its phrase.
			if !newTextQuery(Term{Value: w}).match(s) || !newTextQuery(Term{Value: w, Phrase: true}).match(s) {
				t.Fatalf("word %q of %q not matched", w, s)
			}
		}
		if len(words) > 0 && len(s) <= maxIndexedValue {
			if !(textQuery{words: words, phrase: true}).match(s) {
				t.Fatalf("all words of %q as a phrase not matched", s)
			}
		}
	})
}

func BenchmarkWords(b *testing.B) {
	v := "/api/customer?id=11651&session=ab12CD34ef HTTP/1.1 Mozilla/5.0 (Windows NT 10.0; Win64; x64)"
	b.SetBytes(int64(len(v)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		eachWord(v, func(string, bool) bool { n++; return true })
	}
	_ = n
}

func BenchmarkTextQueryMatch(b *testing.B) {
	v := "/api/customer?id=11651&session=ab12CD34ef"
	q := newTextQuery(Term{Value: "customer 11651"})
	b.SetBytes(int64(len(v)))
	b.ReportAllocs()
	for b.Loop() {
		q.match(v)
	}
}
