//go:build !unix

package main

import "os/exec"

// childMaxRSS is 0 where the child's rusage is not available.
func childMaxRSS(*exec.Cmd) float64 { return 0 }
