package server

import (
	"path"
	"strconv"
	"strings"
)

// noteSource answers the query language's annotation fields from the
// annotation log (search.NoteSource): tag: matches the analysts' tags
// (exactly, case-insensitive, or as a glob with * and ?), starred:true the
// starred events (starred:false the annotated events that are not), and
// comment: the events whose comments contain the words, case-insensitive.
// Only the current generation's annotations count.
func (srv *Server) noteSource(field, value string) ([]int64, error) {
	v := strings.ToLower(value)
	var want bool
	if field == "starred" {
		b, err := strconv.ParseBool(value)
		if err != nil {
			return nil, &fieldValueError{field, value, "true or false"}
		}
		want = b
	}
	var rows []int64
	for _, n := range srv.notes.Events(srv.generation()) {
		hit := false
		switch field {
		case "tag":
			for _, t := range n.Tags {
				ok, _ := path.Match(v, strings.ToLower(t))
				hit = hit || ok
			}
		case "starred":
			hit = n.Starred == want
		case "comment":
			for _, c := range n.Comments {
				hit = hit || strings.Contains(strings.ToLower(c.Value), v)
			}
		}
		if hit {
			rows = append(rows, n.Row)
		}
	}
	return rows, nil
}

// fieldValueError is a query value its field cannot take.
type fieldValueError struct{ field, value, want string }

func (e *fieldValueError) Error() string {
	return "query: " + e.field + ":" + e.value + ": want " + e.want
}
