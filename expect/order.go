package expect

import (
	"math/bits"
	"slices"
)

// selectBits is the number of bits a level of radix selection buckets
// keys by: 2^11 counts fit in the L1 cache. The first pass over many
// values takes topBits: 2^16 counts fit in the L2 cache and split a range
// that spans several binades (or both signs) finely enough that the
// buckets holding the ranks are small, or hold a single value, so that
// most selections end with the second pass.
const (
	selectBits = 11
	topBits    = 16
)

// orderStats returns the values of the given ranks (0-based positions in
// ascending order; sorted, without repeats) among the values held in src,
// whose smallest and largest values are lo and hi. It is a radix
// selection that never reorders src: a pass counts the values by the top
// varying bits of their keys, which finds the bucket of each rank; a
// bucket of few values is gathered (one more pass) and selected in
// memory, a larger one is counted again by its next bits. The extra
// memory is the gathered buckets, at most gatherMax(n) values each.
func orderStats(src [][]float64, lo, hi float64, ranks []int) []float64 {
	n := 0
	for _, c := range src {
		n += len(c)
	}
	keys := make([]uint64, len(ranks))
	first := selectBits
	if n >= 1<<20 {
		first = topBits
	}
	selectWindow(src, floatKey(lo+0), floatKey(hi+0), 0, ranks, keys, gatherMax(n), first)
	out := make([]float64, len(ranks))
	for i, k := range keys {
		out[i] = keyFloat(k)
	}
	return out
}

// gatherMax is the most values of n that orderStats gathers from one
// bucket: few enough to keep the memory small, enough to end most
// selections after two passes.
func gatherMax(n int) int { return max(1<<16, n/32) }

// selectWindow sets out[i] to the key of rank ranks[i] among the keys of
// src's values in [wl, wh], below of which lie below wl.
// The window's histogram has 2^width buckets.
func selectWindow(src [][]float64, wl, wh uint64, below int, ranks []int, out []uint64, most int, width int) {
	if wl == wh {
		for i := range out {
			out[i] = wl
		}
		return
	}
	shift := uint(max(0, bits.Len64(wh-wl)-width))
	hist := make([]int, (wh-wl)>>shift+1)
	for _, c := range src {
		for _, v := range c {
			if k := floatKey(v); k >= wl && k <= wh {
				hist[(k-wl)>>shift]++
			}
		}
	}
	rel := make([]int, len(ranks))
	for i, r := range ranks {
		rel[i] = r - below
	}
	buckets := locate(hist, rel)
	// Gather the small buckets in one pass; count the large ones again.
	want := make([]int32, len(hist))
	for i := range want {
		want[i] = -1
	}
	gathered := make([][]uint64, len(buckets))
	small := false
	for g, b := range buckets {
		if hist[b.bucket] <= most {
			want[b.bucket] = int32(g)
			gathered[g] = make([]uint64, 0, hist[b.bucket])
			small = true
		}
	}
	if small {
		for _, c := range src {
			for _, v := range c {
				if k := floatKey(v); k >= wl && k <= wh {
					if g := want[(k-wl)>>shift]; g >= 0 {
						gathered[g] = append(gathered[g], k)
					}
				}
			}
		}
	}
	for g, b := range buckets {
		o := out[b.first : b.first+len(b.ranks)]
		if gathered[g] != nil {
			selectKeys(gathered[g], b.ranks, o)
			gathered[g] = nil
			continue
		}
		bl := wl + uint64(b.bucket)<<shift
		bh := min(wh, bl+(uint64(1)<<shift-1))
		under := 0
		for _, h := range hist[:b.bucket] {
			under += h
		}
		abs := make([]int, len(b.ranks))
		for i, r := range b.ranks {
			abs[i] = r + below + under
		}
		selectWindow(src, bl, bh, below+under, abs, o, most, selectBits)
	}
}

// bucketRanks are the ranks that fall in one bucket of a histogram, made
// relative to the bucket; first is the index of the first of them in the
// ranks asked for.
type bucketRanks struct {
	bucket int
	first  int
	ranks  []int
}

// locate finds the bucket of each of the sorted ranks in a histogram.
func locate(hist []int, ranks []int) []bucketRanks {
	var out []bucketRanks
	below, b := 0, 0
	for i, r := range ranks {
		for below+hist[b] <= r {
			below += hist[b]
			b++
		}
		if n := len(out); n > 0 && out[n-1].bucket == b {
			out[n-1].ranks = append(out[n-1].ranks, r-below)
			continue
		}
		out = append(out, bucketRanks{bucket: b, first: i, ranks: []int{r - below}})
	}
	return out
}

// selectKeys sets out[i] to the key of rank ranks[i] among keys, which it
// may reorder.
func selectKeys(keys []uint64, ranks []int, out []uint64) {
	if len(keys) <= 256 {
		slices.Sort(keys)
		for i, r := range ranks {
			out[i] = keys[r]
		}
		return
	}
	lk, hk := keys[0], keys[0]
	for _, k := range keys {
		lk = min(lk, k)
		hk = max(hk, k)
	}
	if lk == hk {
		for i := range out {
			out[i] = lk
		}
		return
	}
	shift := uint(max(0, bits.Len64(hk-lk)-selectBits))
	hist := make([]int, (hk-lk)>>shift+1)
	for _, k := range keys {
		hist[(k-lk)>>shift]++
	}
	for _, b := range locate(hist, ranks) {
		// Each bucket spans 2^shift keys, less than keys do: the recursion
		// ends within 64/selectBits levels.
		g := make([]uint64, 0, hist[b.bucket])
		for _, k := range keys {
			if int((k-lk)>>shift) == b.bucket {
				g = append(g, k)
			}
		}
		selectKeys(g, b.ranks, out[b.first:b.first+len(b.ranks)])
	}
}
