//go:build unix

package cli

import "syscall"

// cpuSeconds is the process's user and system CPU time: on a machine
// shared with other work, rows per CPU second is what the code costs.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
