package scope

import (
	"fmt"
	"os"
	"time"
)

// traceOn prints each pass's wall time to standard error when the
// environment sets KISEKI_SCOPE_TRACE: diagnosis of a slow scope on a case
// (which pass, how many rows it kept), never a result.
var traceOn = os.Getenv("KISEKI_SCOPE_TRACE") != ""

func trace(pass string, t0 time.Time, counts ...any) {
	if traceOn {
		fmt.Fprintf(os.Stderr, "scope: %-24s %8.1f ms %v\n", pass, float64(time.Since(t0).Microseconds())/1000, counts)
	}
}
