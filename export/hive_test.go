package export

import "testing"

func TestHiveEscape(t *testing.T) {
	for in, want := range map[string]string{
		"web01":        "web01",
		"a/b=c d":      "a%2Fb%3Dc%20d",
		"db-01.corp_x": "db-01.corp_x",
		"ホスト":          "%E3%83%9B%E3%82%B9%E3%83%88",
	} {
		if got := hiveEscape(in); got != want {
			t.Errorf("hiveEscape(%q) = %q, want %q", in, got, want)
		}
	}
}
