package logformat

import (
	"errors"
	"fmt"
	"strings"
)

// kind is what a field step stands for.
type kind uint8

const (
	fExtra kind = iota
	fSrcIP
	fSrcPort
	fDstIP
	fDstPort
	fUser
	fTimeCLF      // 10/Oct/2000:13:55:36 -0700, with or without brackets
	fTimeISO      // 2000-10-10T13:55:36-07:00
	fTimeEpoch    // 1573840000.123 ($msec) or %{sec}t
	fTimeEpochMs  // %{msec}t
	fTimeEpochUs  // %{usec}t
	fTimeStrftime // %{format}t
	fRequest
	fMethod
	fURI   // path and query
	fPath  // path only
	fQuery // query, with or without its '?'
	fStatus
	fBytes
	fUA
	fReferer
	fXFF
	fHost
	fProto
	fScheme
	fIgnore // %{msec_frac}t and the like: kept in Extra, not a time
)

// step is one piece of a compiled format: a literal, or a field.
type step struct {
	lit    string // literal text (field steps have none)
	field  bool
	kind   kind
	key    string // Extra key
	spaces int    // spaces the field's value itself contains (time_local: 1)
	tfmt   string // strftime format of fTimeStrftime
	word   bool   // the value never holds a space (addresses, numbers)
}

// Format is a compiled log_format / LogFormat string.
type Format struct {
	steps   []step
	hasTime bool
	src     string
}

// Compile turns a log format string into steps. It accepts nginx variables
// ($name, ${name}) or Apache directives (%h, %>s, %{Referer}i ...), and the
// whole configuration statement around them.
func Compile(s string) (*Format, error) {
	s = strings.TrimSpace(s)
	src := s
	s = unwrap(s)
	var f *Format
	var err error
	if isApache(s) {
		f, err = compileApache(s)
	} else {
		f, err = compileNginx(s)
	}
	if err != nil {
		return nil, err
	}
	f.src = src
	if len(f.steps) == 0 {
		return nil, errors.New("log format: empty")
	}
	for i := range f.steps {
		st := &f.steps[i]
		if st.field && isTime(st.kind) {
			f.hasTime = true
		}
		switch st.kind {
		case fSrcIP, fSrcPort, fDstIP, fDstPort, fStatus, fBytes, fMethod, fTimeEpoch, fTimeEpochMs, fTimeEpochUs, fTimeISO:
			st.word = true
		}
		if i > 0 && st.field && f.steps[i-1].field && !(f.steps[i-1].kind == fPath && st.kind == fQuery) {
			return nil, fmt.Errorf("log format: fields %s and %s follow each other with nothing between them", f.steps[i-1].key, st.key)
		}
	}
	if !f.hasTime {
		return nil, errors.New("log format: no time field ($time_local, $time_iso8601, $msec, %t)")
	}
	return f, nil
}

func isTime(k kind) bool {
	switch k {
	case fTimeCLF, fTimeISO, fTimeEpoch, fTimeEpochMs, fTimeEpochUs, fTimeStrftime:
		return true
	}
	return false
}

// unwrap strips a pasted configuration statement down to the format:
// `log_format main '$a' '$b';` → `$a$b`, `LogFormat "%h \"%r\"" combined` →
// `%h "%r"`. A bare format is returned as is.
func unwrap(s string) string {
	low := strings.ToLower(s)
	switch {
	case strings.HasPrefix(low, "log_format"):
		s = strings.TrimSuffix(strings.TrimSpace(s), ";")
		var b strings.Builder
		found := false
		for i := 0; i < len(s); i++ {
			q := s[i]
			if q != '\'' && q != '"' {
				continue
			}
			j := i + 1
			for j < len(s) && s[j] != q {
				if s[j] == '\\' && j+1 < len(s) {
					b.WriteByte(s[j+1])
					j += 2
					continue
				}
				b.WriteByte(s[j])
				j++
			}
			found = true
			i = j
		}
		if found {
			return b.String()
		}
	case strings.HasPrefix(low, "logformat") || strings.HasPrefix(low, "customlog"):
		i := strings.IndexByte(s, '"')
		if i < 0 {
			return s
		}
		var b strings.Builder
		for j := i + 1; j < len(s); j++ {
			if s[j] == '\\' && j+1 < len(s) {
				b.WriteByte(s[j+1])
				j++
				continue
			}
			if s[j] == '"' {
				break
			}
			b.WriteByte(s[j])
		}
		return b.String()
	}
	// A bare Apache string as it appears in the config, quotes escaped.
	if strings.Contains(s, `\"`) && isApache(s) {
		return strings.ReplaceAll(s, `\"`, `"`)
	}
	return s
}

func isApache(s string) bool {
	if strings.Contains(s, "$") {
		return false
	}
	return strings.Contains(s, "%")
}

func addLit(steps []step, lit string) []step {
	if lit == "" {
		return steps
	}
	if n := len(steps); n > 0 && !steps[n-1].field {
		steps[n-1].lit += lit
		return steps
	}
	return append(steps, step{lit: lit})
}

func isVarByte(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func compileNginx(s string) (*Format, error) {
	f := &Format{}
	lit := strings.Builder{}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '$' {
			lit.WriteByte(c)
			continue
		}
		var name string
		if i+1 < len(s) && s[i+1] == '{' {
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				return nil, fmt.Errorf("log format: unclosed ${ at %d", i)
			}
			name = s[i+2 : i+2+end]
			i += 2 + end
		} else {
			j := i + 1
			for j < len(s) && isVarByte(s[j]) {
				j++
			}
			if j == i+1 {
				lit.WriteByte(c)
				continue
			}
			name = s[i+1 : j]
			i = j - 1
		}
		f.steps = addLit(f.steps, lit.String())
		lit.Reset()
		f.steps = append(f.steps, nginxField(name))
	}
	f.steps = addLit(f.steps, lit.String())
	return f, nil
}

func nginxField(name string) step {
	st := step{field: true, key: name}
	switch name {
	case "remote_addr", "binary_remote_addr":
		st.kind = fSrcIP
	case "remote_port":
		st.kind = fSrcPort
	case "server_addr":
		st.kind = fDstIP
	case "server_port":
		st.kind = fDstPort
	case "remote_user":
		st.kind = fUser
	case "time_local":
		st.kind, st.spaces = fTimeCLF, 1
	case "time_iso8601":
		st.kind = fTimeISO
	case "msec":
		st.kind = fTimeEpoch
	case "request":
		st.kind, st.spaces = fRequest, 2
	case "request_method":
		st.kind = fMethod
	case "request_uri":
		st.kind = fURI
	case "uri", "document_uri":
		st.kind = fPath
	case "args", "query_string":
		st.kind = fQuery
	case "status":
		st.kind = fStatus
	case "body_bytes_sent":
		st.kind = fBytes
	case "http_user_agent":
		st.kind = fUA
	case "http_referer":
		st.kind, st.key = fReferer, "referer"
	case "http_x_forwarded_for":
		st.kind, st.key = fXFF, "x_forwarded_for"
	case "host", "http_host", "server_name":
		st.kind, st.key = fHost, "vhost"
	case "server_protocol":
		st.kind, st.key = fProto, "proto"
	case "scheme":
		st.kind, st.key = fScheme, "scheme"
	}
	return st
}

func compileApache(s string) (*Format, error) {
	f := &Format{}
	lit := strings.Builder{}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			switch s[i+1] {
			case 'n':
				lit.WriteByte('\n')
			case 't':
				lit.WriteByte('\t')
			default:
				lit.WriteByte(s[i+1])
			}
			i++
			continue
		}
		if c != '%' {
			lit.WriteByte(c)
			continue
		}
		i++
		if i >= len(s) {
			return nil, errors.New("log format: % at the end")
		}
		if s[i] == '%' {
			lit.WriteByte('%')
			continue
		}
		// Modifiers: status conditions (%400,501{...}i, %!200h), < and >.
		for i < len(s) && (s[i] == '<' || s[i] == '>' || s[i] == '!' || s[i] == ',' || (s[i] >= '0' && s[i] <= '9')) {
			i++
		}
		arg := ""
		if i < len(s) && s[i] == '{' {
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return nil, fmt.Errorf("log format: unclosed %%{ at %d", i)
			}
			arg = s[i+1 : i+end]
			i += end + 1
		}
		if i >= len(s) {
			return nil, errors.New("log format: directive letter missing at the end")
		}
		if s[i] == '^' && i+2 < len(s) { // %{name}^ti, %{name}^to: trailers
			i += 2
		}
		st, err := apacheField(s[i], arg)
		if err != nil {
			return nil, err
		}
		f.steps = addLit(f.steps, lit.String())
		lit.Reset()
		f.steps = append(f.steps, st)
	}
	f.steps = addLit(f.steps, lit.String())
	return f, nil
}

// headerKey names a request header the way nginx does: http_user_agent.
func headerKey(prefix, h string) string {
	return prefix + strings.ReplaceAll(strings.ToLower(h), "-", "_")
}

func apacheField(letter byte, arg string) (step, error) {
	st := step{field: true, key: "%" + string(letter)}
	switch letter {
	case 'h', 'a':
		st.kind, st.key = fSrcIP, "remote_addr"
		if arg == "c" {
			st.key = "client_addr"
		}
	case 'A':
		st.kind, st.key = fDstIP, "server_addr"
	case 'p':
		st.kind, st.key = fDstPort, "server_port"
		if arg == "remote" {
			st.kind, st.key = fSrcPort, "remote_port"
		}
	case 'l':
		st.key = "ident"
	case 'u':
		st.kind, st.key = fUser, "remote_user"
	case 't':
		st.key = "time"
		switch a := strings.TrimPrefix(strings.TrimPrefix(arg, "begin:"), "end:"); a {
		case "":
			st.kind, st.spaces = fTimeCLF, 1
		case "sec":
			st.kind = fTimeEpoch
		case "msec":
			st.kind = fTimeEpochMs
		case "usec":
			st.kind = fTimeEpochUs
		case "msec_frac", "usec_frac":
			st.kind, st.key = fIgnore, "time_"+a
		default:
			st.kind, st.tfmt, st.spaces = fTimeStrftime, a, strings.Count(a, " ")
		}
	case 'r':
		st.kind, st.key, st.spaces = fRequest, "request", 2
	case 'm':
		st.kind, st.key = fMethod, "request_method"
	case 'U':
		st.kind, st.key = fPath, "uri"
	case 'q':
		st.kind, st.key = fQuery, "query_string"
	case 'H':
		st.kind, st.key = fProto, "proto"
	case 's':
		st.kind, st.key = fStatus, "status"
	case 'b', 'B':
		st.kind, st.key = fBytes, "body_bytes_sent"
	case 'O':
		st.key = "bytes_sent"
	case 'I':
		st.key = "bytes_received"
	case 'S':
		st.key = "bytes_transferred"
	case 'v', 'V':
		st.kind, st.key = fHost, "vhost"
	case 'T':
		st.key = "request_time"
		if arg == "us" {
			st.key = "request_time_us"
		} else if arg == "ms" {
			st.key = "request_time_ms"
		}
	case 'D':
		st.key = "request_time_us"
	case 'P':
		st.key = "pid"
	case 'k':
		st.key = "keepalive_requests"
	case 'X':
		st.key = "connection_status"
	case 'L':
		st.key = "log_id"
	case 'R':
		st.key = "handler"
	case 'f':
		st.key = "filename"
	case 'i':
		switch strings.ToLower(arg) {
		case "user-agent":
			st.kind, st.key = fUA, "http_user_agent"
		case "referer":
			st.kind, st.key = fReferer, "referer"
		case "x-forwarded-for":
			st.kind, st.key = fXFF, "x_forwarded_for"
		case "host":
			st.kind, st.key = fHost, "vhost"
		default:
			st.key = headerKey("http_", arg)
		}
	case 'o':
		st.key = headerKey("sent_http_", arg)
	case 'e':
		st.key = "env_" + arg
	case 'n':
		st.key = "note_" + arg
	case 'C':
		st.key = "cookie_" + arg

	default:
		return st, fmt.Errorf("log format: unknown directive %%%c", letter)
	}
	return st, nil
}
