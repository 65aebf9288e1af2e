package server

import (
	"net/http"
	"runtime"
)

// Requests that scan the timeline run a few at a time. Beyond the cores,
// more concurrent scans only share the CPU more thinly (each one slower,
// the tail slowest) while each holds its own working set (segments being
// loaded, the values a word matches): 50 clients at once took the server
// to 2.7 GB. Waiting requests queue in arrival order; answers already
// cached and point reads (one event's detail) never wait.
func scanSlots() int { return 2 * runtime.GOMAXPROCS(0) }

// reportSlots: a report runs the scope, the leak count and a re-hash of
// the evidence; one at a time, beside the scans.
const reportSlots = 1

// limiter is a counting semaphore that gives up when the request does.
type limiter chan struct{}

// wait takes a slot; false when the request was cancelled first.
func (l limiter) wait(r *http.Request) bool {
	select {
	case l <- struct{}{}:
		return true
	case <-r.Context().Done():
		return false
	}
}

func (l limiter) done() { <-l }

// limited runs h with a slot of l.
func limited(l limiter, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !l.wait(r) {
			writeError(w, http.StatusServiceUnavailable, r.Context().Err())
			return
		}
		defer l.done()
		h(w, r)
	}
}
