package artifacts

import (
	"strings"
)

// Artifact kinds, in dictionary order.
const (
	KindURL         = "url"
	KindIPv4        = "ipv4"
	KindIPv6        = "ipv6"
	KindDomain      = "domain"
	KindEmail       = "email"
	KindCard        = "card"
	KindPhone       = "phone"
	KindHTTPRequest = "http_request"
	KindHTTPHeader  = "http_header"
	KindCommand     = "command"
)

// Kinds is the fixed dictionary of the kind column.
var Kinds = []string{KindURL, KindIPv4, KindIPv6, KindDomain, KindEmail, KindCard, KindPhone,
	KindHTTPRequest, KindHTTPHeader, KindCommand}

// Encodings is the fixed dictionary of the encoding column.
var Encodings = []string{"ascii", "utf16le"}

// Absent marks an address the source does not have (as timeline.Absent).
const Absent = -1

// Artifact is one finding. A writer copies what it keeps, so the strings may
// point into the caller's buffers.
type Artifact struct {
	Evidence string
	RefPath  string
	Offset   int64
	PhysAddr int64 // Absent when unknown
	VirtAddr int64 // Absent when unknown
	Kind     string
	Value    string
	Context  string
	Encoding string // "ascii" or "utf16le"
}

// Sink receives artifacts. The Sink a parser is given may implement it next
// to timeline.Sink; the artifact is only valid during the call.
type Sink interface {
	Artifact(a *Artifact) error
}

// IsPII reports whether a kind is personal data that leak counts count.
func IsPII(kind string) bool {
	return kind == KindEmail || kind == KindCard || kind == KindPhone
}

// Normalize returns the form in which values of a kind are counted as
// distinct: cards and phone numbers as their digits (a leading '+' kept),
// e-mail addresses and domain names in lower case; other kinds as they are.
func Normalize(kind, value string) string {
	switch kind {
	case KindCard, KindPhone:
		var b strings.Builder
		for i := 0; i < len(value); i++ {
			c := value[i]
			if c >= '0' && c <= '9' || (c == '+' && i == 0) {
				b.WriteByte(c)
			}
		}
		return b.String()
	case KindEmail, KindDomain:
		return strings.ToLower(value)
	}
	return value
}

// Mask shortens a value for printing: cards keep their first six and last
// four digits (as PCI DSS allows), e-mail addresses their first letter and
// domain, phone numbers their last four digits.
func Mask(kind, value string) string {
	switch kind {
	case KindCard:
		d := Normalize(kind, value)
		if len(d) < 12 {
			return strings.Repeat("*", len(d))
		}
		return d[:6] + strings.Repeat("*", len(d)-10) + d[len(d)-4:]
	case KindPhone:
		d := Normalize(kind, value)
		if len(d) <= 4 {
			return strings.Repeat("*", len(d))
		}
		return strings.Repeat("*", len(d)-4) + d[len(d)-4:]
	case KindEmail:
		at := strings.LastIndexByte(value, '@')
		if at < 1 {
			return strings.Repeat("*", len(value))
		}
		return value[:1] + strings.Repeat("*", at-1) + value[at:]
	}
	return value
}
