package memory

import (
	"math/rand/v2"
	"testing"
)

// The run finder alone, on random bytes and on zero pages. BaselineSum is a
// byte-sum loop over the same size, to read the others against on a shared
// machine.
//
//	go test ./parsers/memory -run XXX -bench 'FindRuns|Baseline' -benchtime 10x
func BenchmarkFindRunsRandom(b *testing.B) {
	data := make([]byte, 16<<20)
	r := rand.New(rand.NewPCG(1, 1))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	n := 0
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		findRuns(data, func(s, e int) { n++ }, func(s, e int) { n++ })
	}
}

func BenchmarkFindRunsZero(b *testing.B) {
	data := make([]byte, 16<<20)
	n := 0
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		findRuns(data, func(s, e int) { n++ }, func(s, e int) { n++ })
	}
}

func BenchmarkBaselineSum(b *testing.B) {
	data := make([]byte, 16<<20)
	b.SetBytes(int64(len(data)))
	var s byte
	for b.Loop() {
		for _, c := range data {
			s += c
		}
	}
	_ = s
}
