//go:build unix

package parsertest

import (
	"syscall"
	"time"
)

// ProcessCPU returns the user and system CPU time the process has used.
// Benchmarks divide their work by it as well as by wall time, because on a
// machine shared by many jobs wall time mostly measures the waiting.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
