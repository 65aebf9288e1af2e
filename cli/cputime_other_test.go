//go:build !unix

package cli

// cpuSeconds is not measured here: the benchmark reports wall time only.
func cpuSeconds() float64 { return 0 }
