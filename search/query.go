package search

import (
	"fmt"
	"strings"
	"unicode"
)

// Node is a parsed query.
type Node interface{ String() string }

// And, Or and Not combine queries.
type (
	And  struct{ Kids []Node }
	Or   struct{ Kids []Node }
	Not  struct{ Kid Node }
	Term struct {
		Field  string // "" for free text
		Value  string
		Phrase bool // the value was quoted
	}
	// All matches every row (the empty query).
	All struct{}
)

func (n And) String() string  { return join("AND", n.Kids) }
func (n Or) String() string   { return join("OR", n.Kids) }
func (n Not) String() string  { return "NOT " + n.Kid.String() }
func (n Term) String() string { return n.Field + ":" + fmt.Sprintf("%q", n.Value) }
func (All) String() string    { return "*" }

func join(op string, kids []Node) string {
	parts := make([]string, len(kids))
	for i, k := range kids {
		parts[i] = k.String()
	}
	return "(" + strings.Join(parts, " "+op+" ") + ")"
}

// QueryError is a query that does not parse.
type QueryError struct {
	Query string
	Pos   int
	Msg   string
}

func (e *QueryError) Error() string {
	return fmt.Sprintf("query %q: %s at position %d", e.Query, e.Msg, e.Pos+1)
}

type token struct {
	kind   byte // 'w' word, 'q' quoted, '(' ')'
	text   string
	field  string
	pos    int
	quoted bool
}

// Parse parses a query. Terms side by side are ANDed; OR, NOT and
// parentheses combine them; "-term" is NOT term and "+term" is term.
func Parse(q string) (Node, error) {
	toks, err := lex(q)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return All{}, nil
	}
	p := &qparser{q: q, toks: toks}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.i < len(p.toks) {
		return nil, &QueryError{q, p.toks[p.i].pos, "unexpected " + p.toks[p.i].text}
	}
	return n, nil
}

func lex(q string) ([]token, error) {
	var out []token
	i := 0
	for i < len(q) {
		c := q[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			i++
		case c == '(' || c == ')':
			out = append(out, token{kind: c, text: string(c), pos: i})
			i++
		default:
			start := i
			field := ""
			// A field name is letters/underscore followed by ':'.
			j := i
			for j < len(q) && (q[j] == '_' || q[j] < 0x80 && unicode.IsLetter(rune(q[j]))) {
				j++
			}
			if j > i && j < len(q) && q[j] == ':' && (c != '-' && c != '+') {
				field = strings.ToLower(q[i:j])
				i = j + 1
			}
			if i < len(q) && q[i] == '"' {
				end := i + 1
				var sb strings.Builder
				for end < len(q) && q[end] != '"' {
					if q[end] == '\\' && end+1 < len(q) {
						end++
					}
					sb.WriteByte(q[end])
					end++
				}
				if end >= len(q) {
					return nil, &QueryError{q, i, "unterminated quote"}
				}
				out = append(out, token{kind: 'w', text: sb.String(), field: field, pos: start, quoted: true})
				i = end + 1
				continue
			}
			end := i
			for end < len(q) && q[end] != ' ' && q[end] != '\t' && q[end] != '\n' && q[end] != ')' && !(q[end] == '(' && end == i) {
				end++
			}
			if end == i && field != "" {
				return nil, &QueryError{q, start, "field " + field + " has no value"}
			}
			out = append(out, token{kind: 'w', text: q[i:end], field: field, pos: start})
			i = end
		}
	}
	return out, nil
}

type qparser struct {
	q    string
	toks []token
	i    int
}

func (p *qparser) peekOp(op string) bool {
	if p.i >= len(p.toks) {
		return false
	}
	t := p.toks[p.i]
	return t.kind == 'w' && !t.quoted && t.field == "" && t.text == op
}

func (p *qparser) or() (Node, error) {
	var kids []Node
	for {
		n, err := p.and()
		if err != nil {
			return nil, err
		}
		kids = append(kids, n)
		if !p.peekOp("OR") && !p.peekOp("||") {
			break
		}
		p.i++
	}
	if len(kids) == 1 {
		return kids[0], nil
	}
	return Or{kids}, nil
}

func (p *qparser) and() (Node, error) {
	var kids []Node
	for p.i < len(p.toks) {
		t := p.toks[p.i]
		if t.kind == ')' || p.peekOp("OR") || p.peekOp("||") {
			break
		}
		if p.peekOp("AND") || p.peekOp("&&") {
			p.i++
			continue
		}
		n, err := p.unary()
		if err != nil {
			return nil, err
		}
		kids = append(kids, n)
	}
	switch len(kids) {
	case 0:
		pos := len(p.q)
		if p.i < len(p.toks) {
			pos = p.toks[p.i].pos
		}
		return nil, &QueryError{p.q, pos, "expected a term"}
	case 1:
		return kids[0], nil
	}
	return And{kids}, nil
}

func (p *qparser) unary() (Node, error) {
	if p.peekOp("NOT") || p.peekOp("!") {
		p.i++
		n, err := p.unary()
		if err != nil {
			return nil, err
		}
		return Not{n}, nil
	}
	return p.primary()
}

func (p *qparser) primary() (Node, error) {
	if p.i >= len(p.toks) {
		return nil, &QueryError{p.q, len(p.q), "expected a term"}
	}
	t := p.toks[p.i]
	p.i++
	switch t.kind {
	case '(':
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.i >= len(p.toks) || p.toks[p.i].kind != ')' {
			return nil, &QueryError{p.q, t.pos, "unclosed parenthesis"}
		}
		p.i++
		return n, nil
	case ')':
		return nil, &QueryError{p.q, t.pos, "unexpected )"}
	}
	text, field := t.text, t.field
	if !t.quoted && field == "" && len(text) > 1 && (text[0] == '-' || text[0] == '+') {
		neg := text[0] == '-'
		inner, err := lex(text[1:])
		if err != nil || len(inner) != 1 {
			return nil, &QueryError{p.q, t.pos, "bad term " + text}
		}
		term := Term{Field: inner[0].field, Value: inner[0].text, Phrase: inner[0].quoted}
		if err := checkField(p.q, t.pos, term.Field); err != nil {
			return nil, err
		}
		if neg {
			return Not{term}, nil
		}
		return term, nil
	}
	if err := checkField(p.q, t.pos, field); err != nil {
		return nil, err
	}
	return Term{Field: field, Value: text, Phrase: t.quoted}, nil
}

func checkField(q string, pos int, field string) error {
	if field == "" {
		return nil
	}
	if _, ok := fields[field]; !ok {
		return &QueryError{q, pos, "unknown field " + field + " (known: " + FieldNames() + ")"}
	}
	return nil
}
