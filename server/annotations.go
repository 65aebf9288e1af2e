package server

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/kiseki-forensics/kiseki/timeline"
)

// Annotation kinds. Each is one line of CASEDIR/annotations.jsonl; the file
// is append-only, so un-starring is a new "unstar" line, not a deletion.
const (
	KindStar    = "star"
	KindUnstar  = "unstar"
	KindTag     = "tag"
	KindUntag   = "untag"
	KindComment = "comment"
	KindSearch  = "search" // a saved search: Name and Value (the query)
)

// Annotation is one line of the annotation log.
type Annotation struct {
	ID         int64         `json:"id"`
	Time       time.Time     `json:"time"` // when it was made (UTC)
	User       string        `json:"user"`
	Kind       string        `json:"kind"`
	Row        *int64        `json:"row,omitempty"`        // the event's row id in Generation
	Generation int64         `json:"generation,omitempty"` // timeline generation of Row
	EventTime  string        `json:"event_time,omitempty"` // the event's time, RFC 3339 UTC
	Ref        *timeline.Ref `json:"ref,omitempty"`        // the event's evidence reference
	Host       string        `json:"host,omitempty"`
	Source     string        `json:"source,omitempty"`
	Summary    string        `json:"summary,omitempty"` // the event's summary when annotated
	Name       string        `json:"name,omitempty"`    // saved search name
	Value      string        `json:"value,omitempty"`   // tag, comment text, or query
	From       string        `json:"from,omitempty"`    // saved search time range
	To         string        `json:"to,omitempty"`
}

// EventNotes is the folded state of one event's annotations.
type EventNotes struct {
	Row       int64         `json:"row"`
	EventTime string        `json:"event_time"`
	Ref       *timeline.Ref `json:"ref,omitempty"`
	Host      string        `json:"host,omitempty"`
	Source    string        `json:"source,omitempty"`
	Summary   string        `json:"summary,omitempty"`
	Starred   bool          `json:"starred"`
	Tags      []string      `json:"tags,omitempty"`
	Comments  []Annotation  `json:"comments,omitempty"`
	Last      time.Time     `json:"last"` // latest annotation
}

// annotationStore is the append-only annotation log of a case.
type annotationStore struct {
	mu   sync.Mutex
	path string
	all  []Annotation
}

const maxAnnotationText = 64 << 10

func openAnnotations(caseDir string) (*annotationStore, error) {
	s := &annotationStore{path: filepath.Join(caseDir, "annotations.jsonl")}
	f, err := os.Open(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for n := 1; sc.Scan(); n++ {
		var a Annotation
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", s.path, n, err)
		}
		s.all = append(s.all, a)
	}
	return s, sc.Err()
}

// add validates an annotation, numbers it and appends it to the log.
func (s *annotationStore) add(a Annotation) (Annotation, error) {
	switch a.Kind {
	case KindStar, KindUnstar:
	case KindTag, KindUntag:
		a.Value = strings.TrimSpace(a.Value)
		if a.Value == "" || strings.ContainsAny(a.Value, ",\n\r") || len(a.Value) > 200 {
			return a, errors.New("a tag is one word or phrase without commas, at most 200 bytes")
		}
	case KindComment:
		if strings.TrimSpace(a.Value) == "" {
			return a, errors.New("empty comment")
		}
	case KindSearch:
		if strings.TrimSpace(a.Name) == "" {
			return a, errors.New("a saved search needs a name")
		}
	default:
		return a, fmt.Errorf("unknown annotation kind %q", a.Kind)
	}
	if a.Kind != KindSearch && a.Row == nil {
		return a, errors.New("an event annotation needs the event's row")
	}
	if len(a.Value) > maxAnnotationText || len(a.Name) > 1000 {
		return a, errors.New("annotation text too long")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a.ID = int64(len(s.all)) + 1
	if a.Time.IsZero() {
		a.Time = time.Now().UTC()
	}
	b, err := json.Marshal(a)
	if err != nil {
		return a, err
	}
	f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return a, err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return a, err
	}
	if err := f.Close(); err != nil {
		return a, err
	}
	s.all = append(s.all, a)
	return a, nil
}

// list returns every annotation in order.
func (s *annotationStore) list() []Annotation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Annotation(nil), s.all...)
}

// events folds the log into per-event state, in event time order.
func (s *annotationStore) events(generation int64) []EventNotes {
	s.mu.Lock()
	defer s.mu.Unlock()
	by := map[int64]*EventNotes{}
	for _, a := range s.all {
		if a.Row == nil || a.Generation != generation {
			continue
		}
		n := by[*a.Row]
		if n == nil {
			n = &EventNotes{Row: *a.Row, EventTime: a.EventTime, Ref: a.Ref, Host: a.Host, Source: a.Source, Summary: a.Summary}
			by[*a.Row] = n
		}
		n.Last = a.Time
		switch a.Kind {
		case KindStar:
			n.Starred = true
		case KindUnstar:
			n.Starred = false
		case KindTag:
			if !contains(n.Tags, a.Value) {
				n.Tags = append(n.Tags, a.Value)
			}
		case KindUntag:
			n.Tags = remove(n.Tags, a.Value)
		case KindComment:
			n.Comments = append(n.Comments, a)
		}
	}
	out := make([]EventNotes, 0, len(by))
	for _, n := range by {
		if n.Starred || len(n.Tags) > 0 || len(n.Comments) > 0 {
			out = append(out, *n)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].EventTime != out[j].EventTime {
			return out[i].EventTime < out[j].EventTime
		}
		return out[i].Row < out[j].Row
	})
	return out
}

// searches returns the saved searches, newest name wins.
func (s *annotationStore) searches() []Annotation {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[string]int{}
	var out []Annotation
	for _, a := range s.all {
		if a.Kind != KindSearch {
			continue
		}
		if i, ok := seen[a.Name]; ok {
			out[i] = a
			continue
		}
		seen[a.Name] = len(out)
		out = append(out, a)
	}
	return out
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func remove(list []string, v string) []string {
	out := list[:0]
	for _, x := range list {
		if x != v {
			out = append(out, x)
		}
	}
	return out
}
