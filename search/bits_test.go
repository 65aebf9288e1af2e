package search

import (
	"math/rand/v2"
	"testing"
)

// TestOrCodes: the branchless word loop sets exactly the rows a plain loop
// would, for ranges that start and end inside words and across several.
func TestOrCodes(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	codes := make([]int32, 700)
	for i := range codes {
		codes[i] = int32(rng.IntN(5))
	}
	hit := []bool{false, true, false, true, true}
	for _, r := range [][2]int{{0, 700}, {0, 64}, {3, 61}, {63, 65}, {64, 128}, {5, 699}, {130, 130}, {1, 2}} {
		lo, hi := r[0], r[1]
		out := make(bitset, (len(codes)+63)/64)
		out.set(lo) // bits already set stay set
		orCodes(out, codes, lo, hi, hit)
		for i := range codes {
			want := i >= lo && i < hi && hit[codes[i]] || i == lo
			if out.has(i) != want {
				t.Errorf("[%d,%d) row %d: %v, want %v", lo, hi, i, out.has(i), want)
			}
		}
	}
}
