// Package accum holds the streaming accumulators of a column that package
// expect and package profile share, so that a pass that evaluates
// expectations and builds a profile computes each statistic once.
//
// A Column accumulates, batch by batch, the statistics of one column:
//   - counts: rows, missing values (nulls, and NaN in float columns) and
//     non-missing values;
//   - extremes: the smallest and largest non-missing value;
//   - moments: per batch, a compensated sum and the sum of squared
//     deviations from the batch mean, combined in batch order by Summarize;
//   - lengths: the shortest and longest string, in runes;
//   - distribution: exact counts of the distinct values up to a limit, and
//     for numbers a DDSketch of every value (see EnableNumbers).
//
// Each is folded in by one call per batch. Package expect calls them from
// its typed, fused per-column loops (one call per batch and statistic, no
// interface call per value); package profile through AddArray. Columns
// filled by different goroutines over different batches are combined with
// Merge: counts, extremes and lengths do not depend on how the batches were
// spread, and moments are combined in batch order whatever the spread.
package accum

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/DataDog/sketches-go/ddsketch"
	"github.com/DataDog/sketches-go/ddsketch/mapping"
	"github.com/DataDog/sketches-go/ddsketch/store"
)

// Stat names one of a Column's statistics.
type Stat int

// The statistics of a Column, in the order of the package documentation.
const (
	Counts Stat = iota
	Extremes
	Moments
	Lengths
	Distribution
)

func (s Stat) String() string {
	return [...]string{"counts", "extremes", "moments", "lengths", "distribution"}[s]
}

var trace atomic.Pointer[func(column string, s Stat)]

// SetTrace makes every Column call f(column, stat) each time it folds a
// batch into one of its statistics, from the goroutine that updates it,
// until the returned function restores the previous tracer. It is for
// tests that prove a statistic is computed once per batch; f must be safe
// for concurrent use.
func SetTrace(f func(column string, s Stat)) (restore func()) {
	old := trace.Swap(&f)
	return func() { trace.Store(old) }
}

// Column is the accumulated state of one column. Its fields are read once
// the pass is over; during it they change only through its methods.
type Column struct {
	// Name is the column's name (for tracing only).
	Name string
	// Rows counts the rows, Nulls the missing values among them, Count
	// the others.
	Rows, Nulls, Count int64
	// Min and Max are the extremes of the non-missing values: +Inf and
	// -Inf while there are none.
	Min, Max float64
	// MinLen and MaxLen are the shortest and longest string lengths, in
	// runes: math.MaxInt and -1 while there are none.
	MinLen, MaxLen int
	// Batches holds the moments of each batch that had values.
	Batches []BatchMoments

	// The distribution, when enabled: Nums or Strs hold exact counts while
	// there are at most maxDistinct distinct values (then High is set and
	// they are nil); Sketch holds every number counted so far, except
	// those still in Nums.
	Sketch      *ddsketch.DDSketch
	Nums        map[float64]int64
	Strs        map[string]int64
	High        bool
	maxDistinct int
	// strKeys maps each key of Strs to itself, a copy the Column owns:
	// Strs is assigned only through it, as an assignment to a Go map
	// stores its string key anew, and a key that aliases a batch's
	// buffers would outlive them.
	strKeys map[string]string
}

// NewColumn returns an empty Column named name, with no distribution.
func NewColumn(name string) *Column {
	return &Column{Name: name, Min: math.Inf(1), Max: math.Inf(-1), MinLen: math.MaxInt, MaxLen: -1}
}

// Mark reports that a batch was folded into statistic s, to the tracer
// (see SetTrace). The Add methods mark themselves; a caller that folds
// values one at a time (AddString) marks once per batch.
func (c *Column) Mark(s Stat) {
	if f := trace.Load(); f != nil && *f != nil {
		(*f)(c.Name, s)
	}
}

// AddCounts folds in a batch of rows of which missing had no value.
func (c *Column) AddCounts(rows, missing int) {
	c.Mark(Counts)
	c.Rows += int64(rows)
	c.Nulls += int64(missing)
	c.Count += int64(rows - missing)
}

// AddExtremes folds in a batch's smallest and largest values (+Inf and
// -Inf when it had none).
func (c *Column) AddExtremes(lo, hi float64) {
	c.Mark(Extremes)
	c.Min, c.Max = min(c.Min, lo), max(c.Max, hi)
}

// AddLengths folds in a batch's shortest and longest string lengths.
func (c *Column) AddLengths(lo, hi int) {
	c.Mark(Lengths)
	c.MinLen, c.MaxLen = min(c.MinLen, lo), max(c.MaxLen, hi)
}

// AddMoments folds in the moments of batch number batch, whose
// non-missing values are xs, all between lo and hi (from Gather). An empty
// batch adds nothing.
func (c *Column) AddMoments(xs []float64, batch int, lo, hi float64) {
	c.Mark(Moments)
	if len(xs) == 0 {
		return
	}
	if !math.IsInf(lo, 0) && !math.IsInf(hi, 0) {
		c.Batches = append(c.Batches, finiteMoments(xs, batch))
	} else {
		c.Batches = append(c.Batches, infiniteMoments(xs, batch))
	}
}

// EnableNumbers turns on the distribution of a numeric column: exact
// counts of up to maxDistinct distinct values and a DDSketch of relative
// accuracy alpha. It panics when alpha is not in (0, 1).
func (c *Column) EnableNumbers(alpha float64, maxDistinct int) {
	m, err := mapping.NewCubicallyInterpolatedMapping(alpha)
	if err != nil {
		panic(fmt.Sprintf("accum: relative accuracy %v: %v", alpha, err))
	}
	c.Sketch = ddsketch.NewDDSketch(m, store.NewDenseStore(), store.NewDenseStore())
	c.Nums = map[float64]int64{}
	c.maxDistinct = maxDistinct
}

// EnableStrings turns on the distribution of a string or boolean column:
// exact counts of up to maxDistinct distinct values.
func (c *Column) EnableStrings(maxDistinct int) {
	c.Strs, c.strKeys = map[string]int64{}, map[string]string{}
	c.maxDistinct = maxDistinct
}

// Distributed reports whether the distribution is on.
func (c *Column) Distributed() bool { return c.Sketch != nil || c.Strs != nil || c.High }

// AddNumbers folds a batch's non-missing values into the distribution.
// While the values are counted exactly the sketch is built from the counts
// (at the end, or when there are too many of them).
func (c *Column) AddNumbers(xs []float64) {
	c.Mark(Distribution)
	rest := xs
	if c.Nums != nil {
		rest = nil
		for i, v := range xs {
			c.Nums[v]++
			if len(c.Nums) > c.maxDistinct {
				c.flushNums()
				rest = xs[i+1:]
				break
			}
		}
	}
	for _, v := range rest {
		AddClamped(c.Sketch, v, 1)
	}
}

// flushNums moves the exact counts into the sketch and marks the column
// high-cardinality.
func (c *Column) flushNums() {
	for v, n := range c.Nums {
		AddClamped(c.Sketch, v, float64(n))
	}
	c.Nums = nil
	c.High = true
}

// AddString folds n occurrences of s into the distribution of a string or
// boolean column; s may alias a batch's buffers (a new key is copied).
func (c *Column) AddString(s string, n int64) {
	if c.Strs == nil {
		return
	}
	k, ok := c.strKeys[s]
	if !ok {
		k = strings.Clone(s)
		c.strKeys[k] = k
	}
	c.Strs[k] += n
	if len(c.Strs) > c.maxDistinct {
		c.High, c.Strs, c.strKeys = true, nil, nil
	}
}

// ShiftBatches renumbers the batches' moments by adding n, for a Column
// that saw batches after those of the one it is merged into.
func (c *Column) ShiftBatches(n int) {
	for i := range c.Batches {
		c.Batches[i].Batch += n
	}
}

// Merge folds o, filled over other batches, into c; o is not to be used
// afterwards. Both have the distribution on or off alike.
func (c *Column) Merge(o *Column) {
	c.Rows += o.Rows
	c.Nulls += o.Nulls
	c.Count += o.Count
	c.Min, c.Max = math.Min(c.Min, o.Min), math.Max(c.Max, o.Max)
	c.MinLen, c.MaxLen = min(c.MinLen, o.MinLen), max(c.MaxLen, o.MaxLen)
	c.Batches = append(c.Batches, o.Batches...)
	if c.Sketch != nil {
		if err := c.Sketch.MergeWith(o.Sketch); err != nil {
			panic(fmt.Sprintf("accum: merge sketches: %v", err)) // same options, same mapping
		}
		switch {
		case c.Nums != nil && o.Nums != nil:
			for v, n := range o.Nums {
				c.Nums[v] += n
			}
			if len(c.Nums) > c.maxDistinct {
				c.flushNums()
			}
		case c.Nums != nil:
			c.flushNums()
		case o.Nums != nil:
			for v, n := range o.Nums {
				AddClamped(c.Sketch, v, float64(n))
			}
		}
		return
	}
	c.High = c.High || o.High
	if c.High {
		c.Strs, c.strKeys = nil, nil
	} else if c.Strs != nil {
		// o's keys are o's own copies.
		for v, n := range o.Strs {
			if _, ok := c.strKeys[v]; !ok {
				c.strKeys[v] = v
			}
			c.Strs[v] += n
		}
		if len(c.Strs) > c.maxDistinct {
			c.High, c.Strs, c.strKeys = true, nil, nil
		}
	}
}

// FullSketch returns a sketch of every number seen: Sketch itself, or a
// copy with the exact counts added while they are kept.
func (c *Column) FullSketch() *ddsketch.DDSketch {
	if c.Nums == nil {
		return c.Sketch
	}
	sk := c.Sketch.Copy()
	for v, n := range c.Nums {
		AddClamped(sk, v, float64(n))
	}
	return sk
}

// AddClamped adds n occurrences of v to s, clamping infinities (and other
// untrackable magnitudes) to the largest trackable value.
func AddClamped(s *ddsketch.DDSketch, v, n float64) {
	if err := s.AddWithCount(v, n); err != nil {
		top := s.MaxIndexableValue()
		if v < 0 {
			top = -top
		}
		_ = s.AddWithCount(top, n) // the largest indexable magnitude is always accepted
	}
}

// BatchMoments are the moments of one batch's non-missing values: a
// compensated sum and the sum of squared deviations from the batch mean
// over its finite values, and the counts of ±Inf, which compensation
// cannot carry.
type BatchMoments struct {
	Batch      int
	N          int64
	Sum, Comp  float64
	M2         float64
	PInf, NInf int64
}

// twoSum returns a+b rounded and its rounding error (Knuth's TwoSum, exact
// for finite sums, in any order of magnitude of a and b).
func twoSum(a, b float64) (s, e float64) {
	s = a + b
	z := s - a
	return s, (a - (s - z)) + (b - z)
}

// finiteMoments are the moments of finite values: a compensated sum in
// four lanes (the lanes' additions are independent, which is twice as fast
// as one chain) and the squared deviations from the mean, in four lanes too.
func finiteMoments(xs []float64, batch int) BatchMoments {
	m := BatchMoments{Batch: batch, N: int64(len(xs))}
	var s, c [4]float64
	i := 0
	for ; i+4 <= len(xs); i += 4 {
		for l := range 4 {
			t, e := twoSum(s[l], xs[i+l])
			s[l], c[l] = t, c[l]+e
		}
	}
	for ; i < len(xs); i++ {
		t, e := twoSum(s[0], xs[i])
		s[0], c[0] = t, c[0]+e
	}
	sum, comp := s[0], c[0]
	for l := 1; l < 4; l++ {
		t, e := twoSum(sum, s[l])
		sum, comp = t, comp+e+c[l]
	}
	m.Sum, m.Comp = sum, comp
	mean := (sum + comp) / float64(len(xs))
	var q [4]float64
	i = 0
	for ; i+4 <= len(xs); i += 4 {
		for l := range 4 {
			d := xs[i+l] - mean
			q[l] += d * d
		}
	}
	for ; i < len(xs); i++ {
		d := xs[i] - mean
		q[0] += d * d
	}
	m.M2 = (q[0] + q[1]) + (q[2] + q[3])
	return m
}

// infiniteMoments are the moments of a batch holding ±Inf: the counts of
// each, and the moments of the finite values.
func infiniteMoments(xs []float64, batch int) BatchMoments {
	m := BatchMoments{Batch: batch, N: int64(len(xs))}
	for _, v := range xs {
		if math.IsInf(v, 0) {
			if v > 0 {
				m.PInf++
			} else {
				m.NInf++
			}
			continue
		}
		t, e := twoSum(m.Sum, v)
		m.Sum, m.Comp = t, m.Comp+e
	}
	finite := m.N - m.PInf - m.NInf
	mean := 0.0
	if finite > 0 {
		mean = (m.Sum + m.Comp) / float64(finite)
	}
	for _, v := range xs {
		if !math.IsInf(v, 0) {
			d := v - mean
			m.M2 += d * d
		}
	}
	return m
}

// Summary is what a column's moments give.
type Summary struct {
	// Sum is 0 without values. Mean and Stddev (the sample standard
	// deviation, n−1) are NaN when undefined: no values, one value for
	// Stddev. With infinite values, Sum and Mean are ±Inf (NaN when both
	// signs occur) and Stddev NaN.
	Sum, Mean, Stddev float64
	// Infinite reports that the values include ±Inf.
	Infinite bool
}

// Summarize combines the batches' moments in batch order (it sorts
// Batches): the compensated sums are added with Neumaier's compensation,
// the sums of squared deviations with Chan et al.'s pairwise update.
func (c *Column) Summarize() Summary {
	s := Summary{Mean: math.NaN(), Stddev: math.NaN()}
	if len(c.Batches) == 0 {
		return s
	}
	ms := c.Batches
	sort.Slice(ms, func(i, j int) bool { return ms[i].Batch < ms[j].Batch })
	var sum, comp, m2, mean float64
	var n, pinf, ninf int64
	for _, m := range ms {
		pinf += m.PInf
		ninf += m.NInf
		fin := m.N - m.PInf - m.NInf
		if fin == 0 {
			continue
		}
		for _, v := range []float64{m.Sum, m.Comp} {
			t := sum + v
			if math.Abs(sum) >= math.Abs(v) {
				comp += (sum - t) + v
			} else {
				comp += (v - t) + sum
			}
			sum = t
		}
		bm := (m.Sum + m.Comp) / float64(fin)
		if n == 0 {
			mean, m2 = bm, m.M2
		} else {
			nt := n + fin
			d := bm - mean
			m2 += m.M2 + d*d*float64(n)*float64(fin)/float64(nt)
			mean += d * float64(fin) / float64(nt)
		}
		n += fin
	}
	s.Sum = sum + comp
	if n > 0 {
		s.Mean = s.Sum / float64(n)
	}
	if n > 1 {
		s.Stddev = math.Sqrt(m2 / float64(n-1))
	}
	if pinf > 0 || ninf > 0 {
		s.Infinite = true
		switch {
		case pinf > 0 && ninf > 0:
			s.Sum = math.NaN()
		case pinf > 0:
			s.Sum = math.Inf(1)
		default:
			s.Sum = math.Inf(-1)
		}
		s.Mean, s.Stddev = s.Sum, math.NaN()
	}
	return s
}
