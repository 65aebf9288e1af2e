package engine

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/kiseki-forensics/kiseki/timeline"
)

// Annotation kinds. Each is one line of the case's annotation log
// (AnnotationsFile); the log is append-only, so un-starring is a new
// "unstar" line, not a deletion.
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

// Annotations is a case's append-only annotation log, loaded in memory and
// safe for concurrent use.
type Annotations struct {
	mu   sync.Mutex
	path string
	all  []Annotation
}

// Limits on one annotation: a comment is prose, not a pasted log file.
const (
	maxAnnotationText = 64 << 10 // comment or query bytes
	maxAnnotationName = 1000     // saved search name bytes
	maxTagBytes       = 200      // a tag is a word or short phrase
)

// OpenAnnotations loads the case's annotation log (empty when there is none).
func (c *Case) OpenAnnotations() (*Annotations, error) {
	s := &Annotations{path: c.path(AnnotationsFile)}
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
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", s.path, err)
	}
	return s, nil
}

// validate checks an annotation before it is written.
func (a *Annotation) validate() error {
	switch a.Kind {
	case KindStar, KindUnstar:
	case KindTag, KindUntag:
		a.Value = strings.TrimSpace(a.Value)
		if a.Value == "" || strings.ContainsAny(a.Value, ",\n\r") || len(a.Value) > maxTagBytes {
			return errors.New("a tag is one word or phrase without commas, at most 200 bytes")
		}
	case KindComment:
		if strings.TrimSpace(a.Value) == "" {
			return errors.New("empty comment")
		}
	case KindSearch:
		if strings.TrimSpace(a.Name) == "" {
			return errors.New("a saved search needs a name")
		}
	default:
		return fmt.Errorf("unknown annotation kind %q", a.Kind)
	}
	if a.Kind != KindSearch && a.Row == nil {
		return errors.New("an event annotation needs the event's row")
	}
	if len(a.Value) > maxAnnotationText || len(a.Name) > maxAnnotationName {
		return errors.New("annotation text too long")
	}
	return nil
}

// Add validates an annotation, numbers it and appends it to the log.
func (s *Annotations) Add(a Annotation) (Annotation, error) {
	if err := a.validate(); err != nil {
		return a, err
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
		return a, fmt.Errorf("%s: %w", s.path, err)
	}
	if err := f.Close(); err != nil {
		return a, fmt.Errorf("%s: %w", s.path, err)
	}
	s.all = append(s.all, a)
	return a, nil
}

// List returns every annotation in order.
func (s *Annotations) List() []Annotation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Annotation(nil), s.all...)
}

// Events folds the log into per-event state for one timeline generation,
// in event time order (then row). Events whose notes were all undone are
// left out.
func (s *Annotations) Events(generation int64) []EventNotes {
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
		n.fold(a)
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

// fold applies one annotation to an event's state.
func (n *EventNotes) fold(a Annotation) {
	n.Last = a.Time
	switch a.Kind {
	case KindStar:
		n.Starred = true
	case KindUnstar:
		n.Starred = false
	case KindTag:
		if !containsString(n.Tags, a.Value) {
			n.Tags = append(n.Tags, a.Value)
		}
	case KindUntag:
		n.Tags = removeString(n.Tags, a.Value)
	case KindComment:
		n.Comments = append(n.Comments, a)
	}
}

// Searches returns the saved searches; a later one with the same name
// replaces the earlier in place.
func (s *Annotations) Searches() []Annotation {
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

func containsString(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func removeString(list []string, v string) []string {
	out := list[:0]
	for _, x := range list {
		if x != v {
			out = append(out, x)
		}
	}
	return out
}
