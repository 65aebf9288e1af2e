//go:build !unix

package parsertest

import "time"

// ProcessCPU is unavailable here; rates per CPU second are not reported.
func ProcessCPU() time.Duration { return 0 }
