package report

import (
	"net/netip"
	"strings"

	"github.com/kiseki-forensics/kiseki/search"
	"github.com/kiseki-forensics/kiseki/search/vocab"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// seedsFromNotes returns the addresses the starred or tagged events point
// at, in time order: a web request's client (the CDN's client, or the
// X-Forwarded-For / client_ip client of an origin behind a proxy, never the
// proxy itself), a connection's outside end (either direction), else its
// source. The event is read from the timeline by its row; the summary the
// annotation kept (its first word, "ADDR" or "ADDR:PORT") is the fallback.
func seedsFromNotes(s *search.Searcher, env *vocab.Env, notes []Annotated) []string {
	var out []string
	add := func(a string) {
		if a != "" && !contains(out, a) {
			out = append(out, a)
		}
	}
	for i := range notes {
		n := &notes[i]
		if !n.Starred && len(n.Tags) == 0 {
			continue
		}
		var got []string
		s.Row(n.row, func(ev *timeline.Event) error {
			got = eventSeeds(ev, env)
			return nil
		})
		if len(got) == 0 && n.SrcIP != "" {
			got = []string{n.SrcIP}
		}
		if len(got) > 0 {
			n.SrcIP = got[0]
		}
		for _, a := range got {
			add(a)
		}
	}
	return out
}

// eventSeeds is what one event says about the intruder's addresses.
func eventSeeds(ev *timeline.Event, env *vocab.Env) []string {
	if ev.Method != "" || vocab.IsWeb(ev.Source) {
		if a, ok := parseAddr(vocab.EventClientAddr(ev)); ok {
			return []string{a}
		}
		return nil
	}
	var outside []string
	for _, v := range []string{ev.SrcIP, ev.DstIP} {
		if a, ok := parseAddr(v); ok && !env.IsInternal(netip.MustParseAddr(a)) {
			outside = append(outside, a)
		}
	}
	if len(outside) > 0 {
		return outside
	}
	if a, ok := parseAddr(ev.SrcIP); ok {
		return []string{a}
	}
	return nil
}

// summaryAddr reads the address an event summary starts with: "ADDR",
// "ADDR:PORT" or "[V6]:PORT".
func summaryAddr(summary string) string {
	f := strings.Fields(summary)
	if len(f) == 0 {
		return ""
	}
	if ap, err := netip.ParseAddrPort(f[0]); err == nil {
		return ap.Addr().Unmap().String()
	}
	a, _ := parseAddr(f[0])
	return a
}

func parseAddr(v string) (string, bool) {
	a, err := netip.ParseAddr(strings.TrimSpace(v))
	if err != nil {
		return "", false
	}
	return a.Unmap().String(), true
}
