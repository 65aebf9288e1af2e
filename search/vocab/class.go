package vocab

import (
	"strings"

	"github.com/kiseki-forensics/kiseki/parsers"
	_ "github.com/kiseki-forensics/kiseki/parsers/all" // the source classes are declared by the formats
)

// IsCDN reports whether a source is a CDN or load balancer access log.
func IsCDN(source string) bool { return parsers.ClassOf(source) == parsers.ClassCDN }

// IsOriginWeb reports whether a source is a web server's own access log.
func IsOriginWeb(source string) bool { return parsers.ClassOf(source) == parsers.ClassWebOrigin }

// IsWeb reports whether a source is any HTTP access log.
func IsWeb(source string) bool {
	c := parsers.ClassOf(source)
	return c == parsers.ClassCDN || c == parsers.ClassWebOrigin
}

// IsFirewall reports whether a source is a firewall or router log (an
// observer of other hosts' traffic).
func IsFirewall(source string) bool { return parsers.ClassOf(source) == parsers.ClassFirewall }

// IsFS reports whether a source is a file system timeline.
func IsFS(source string) bool { return parsers.ClassOf(source) == parsers.ClassFS }

// IsLogin reports whether a source records logins.
func IsLogin(source string) bool { return parsers.ClassOf(source) == parsers.ClassLogin }

// QueryClass is a query fragment selecting the sources of the given
// classes: "(source:a OR source:b ...)".
func QueryClass(classes ...parsers.Class) string {
	var t []string
	for _, c := range classes {
		for _, s := range parsers.SourcesOf(c) {
			t = append(t, "source:"+Quote(s))
		}
	}
	if len(t) == 0 {
		return "source:-" // matches nothing
	}
	return "(" + strings.Join(t, " OR ") + ")"
}

// Query fragments selecting source classes.
var (
	QueryWeb    = QueryClass(parsers.ClassCDN, parsers.ClassWebOrigin)
	QueryCDN    = QueryClass(parsers.ClassCDN)
	QueryOrigin = QueryClass(parsers.ClassWebOrigin)
	QueryFW     = QueryClass(parsers.ClassFirewall)
	QueryLogin  = QueryClass(parsers.ClassLogin)
	QueryFS     = QueryClass(parsers.ClassFS)
)

// Quote makes a query-language phrase of v.
func Quote(v string) string { return `"` + strings.ReplaceAll(v, `"`, `\"`) + `"` }
