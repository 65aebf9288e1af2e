//go:build unix

package main

import (
	"os/exec"
	"syscall"
)

// childMaxRSS is a finished child's peak RSS in MiB from its rusage.
func childMaxRSS(cmd *exec.Cmd) float64 {
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		return float64(ru.Maxrss) / 1024 // Linux: KiB
	}
	return 0
}
