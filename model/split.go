package model

import (
	"cmp"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/trustml/trustml/internal/arrowx"
)

// Split methods accepted by [Split].
const (
	SplitRandom = "random"
	SplitTime   = "time"
	SplitNone   = "none"
)

// Split chooses which rows train a model and which test it.
//
// The zero value is SplitNone. When Method is empty it is inferred: "time"
// if By is set, else "random" if TestFraction > 0, else "none".
type Split struct {
	// Method is SplitRandom, SplitTime or SplitNone.
	Method string `json:"method,omitempty"`
	// TestFraction is the share of rows held out for testing, in (0, 1),
	// for random and time splits. The test set has round(n·TestFraction)
	// rows (half away from zero), which must leave both sets non-empty;
	// a time split may move the cut, see [Split.Rows].
	TestFraction float64 `json:"test_fraction,omitempty"`
	// Seed seeds the random split. The generator is math/rand/v2's PCG
	// (PCG-DXSM) seeded with (Seed, Seed), and the permutation is a
	// Fisher–Yates shuffle drawing unbiased bounded integers from its
	// 64-bit output, so a seed gives the same rows on every machine and Go
	// version.
	Seed uint64 `json:"seed"`
	// By is the time column of a time split.
	By string `json:"by,omitempty"`
}

// Partition is the outcome of a [Split]: zero-based row numbers, ascending.
type Partition struct {
	// Method is the method actually used (after inference).
	Method string `json:"method"`
	// Train holds the training rows.
	Train []int `json:"-"`
	// Test holds the test rows.
	Test []int `json:"-"`
	// TrainRows and TestRows are len(Train) and len(Test), for reports.
	TrainRows int `json:"train_rows"`
	TestRows  int `json:"test_rows"`
	// OnTrainingData reports whether the test rows are the training rows
	// (method "none"): metrics then say how well the model fits, not how
	// well it generalises, and a report should say "evaluated on training
	// data".
	OnTrainingData bool `json:"evaluated_on_training_data"`
}

func (s Split) method() string {
	switch {
	case s.Method != "":
		return s.Method
	case s.By != "":
		return SplitTime
	case s.TestFraction > 0:
		return SplitRandom
	}
	return SplitNone
}

// Rows splits rows 0..n-1. times holds each row's time for a time split
// (and is ignored otherwise); it must have length n and no NaN.
//
// For a time split the rows are ordered by time (ties by row number) and
// cut so that the last round(n·TestFraction) rows are tested. Every row of
// the training set is strictly earlier than every row of the test set: when
// the cut would fall inside a run of equal times, the cut moves later so
// the whole run trains; if that leaves no test row, the cut moves earlier
// instead so the whole run tests. If all times are equal no split exists
// and Rows returns an error.
func (s Split) Rows(n int, times []float64) (Partition, error) {
	if s.method() == SplitTime {
		if len(times) != n {
			return Partition{}, fmt.Errorf("model: split: %d times for %d rows", len(times), n)
		}
		if i := slices.IndexFunc(times, math.IsNaN); i >= 0 {
			return Partition{}, fmt.Errorf("model: split: time of row %d is NaN", i)
		}
	}
	return splitRows(s, n, times)
}

// Batches splits the rows of batches (counted across batches in order),
// reading the By column for a time split. The time column may have any
// integer, floating-point, date, time or timestamp type (compared in its
// stored units) and must have no nulls or NaN. The batches are only read.
func (s Split) Batches(batches []arrow.RecordBatch) (Partition, error) {
	n := 0
	for _, b := range batches {
		n += int(b.NumRows())
	}
	if s.method() != SplitTime {
		return splitRows[float64](s, n, nil)
	}
	if s.By == "" {
		return Partition{}, fmt.Errorf("model: split: a time split needs a time column (by)")
	}
	ints, fl, err := readTimes(batches, s.By, "split")
	if err != nil {
		return Partition{}, err
	}
	if fl != nil {
		return s.Rows(n, fl)
	}
	return splitRows(s, n, ints)
}

// readTimes reads the time column by across batches: its integer values
// (dates, times, timestamps in their stored units, int64) or else, for
// other numeric types, its values as float64. Nulls are an error; what
// names the caller in errors.
func readTimes(batches []arrow.RecordBatch, by, what string) (ints []int64, fl []float64, err error) {
	floats := false
	for b, batch := range batches {
		col, err := arrowx.Column(batch, by)
		if err != nil {
			return nil, nil, fmt.Errorf("model: %s: batch %d: %w", what, b, err)
		}
		if col.NullN() > 0 {
			return nil, nil, fmt.Errorf("model: %s: time column %q has %d nulls in batch %d", what, by, col.NullN(), b)
		}
		switch c := col.(type) {
		case *array.Date32:
			for i := range c.Len() {
				ints = append(ints, int64(c.Value(i)))
			}
		case *array.Date64:
			for i := range c.Len() {
				ints = append(ints, int64(c.Value(i)))
			}
		case *array.Timestamp:
			for i := range c.Len() {
				ints = append(ints, int64(c.Value(i)))
			}
		case *array.Time32:
			for i := range c.Len() {
				ints = append(ints, int64(c.Value(i)))
			}
		case *array.Time64:
			for i := range c.Len() {
				ints = append(ints, int64(c.Value(i)))
			}
		case *array.Int64:
			ints = append(ints, c.Int64Values()...)
		default:
			at, ok := arrowx.NumericAt(col)
			if !ok {
				return nil, nil, fmt.Errorf("model: %s: time column %q: unsupported type %s", what, by, col.DataType())
			}
			floats = true
			for i := range col.Len() {
				v, _ := at(i)
				fl = append(fl, v)
			}
		}
	}
	if floats {
		if len(ints) > 0 {
			return nil, nil, fmt.Errorf("model: %s: time column %q changes type between batches", what, by)
		}
		if fl == nil {
			fl = []float64{}
		}
		return nil, fl, nil
	}
	if ints == nil {
		ints = []int64{}
	}
	return ints, nil, nil
}

func splitRows[T cmp.Ordered](s Split, n int, times []T) (Partition, error) {
	method := s.method()
	p := Partition{Method: method}
	if method == SplitNone {
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		p.Train, p.Test, p.OnTrainingData = all, slices.Clone(all), true
		p.TrainRows, p.TestRows = n, n
		return p, nil
	}
	if method != SplitRandom && method != SplitTime {
		return p, fmt.Errorf("model: split: unknown method %q (want %q, %q or %q)", method, SplitRandom, SplitTime, SplitNone)
	}
	if !(s.TestFraction > 0 && s.TestFraction < 1) {
		return p, fmt.Errorf("model: split: test fraction %v is not in (0, 1)", s.TestFraction)
	}
	nTest := int(math.Round(float64(n) * s.TestFraction))
	if nTest < 1 || nTest > n-1 {
		return p, fmt.Errorf("model: split: %d rows with test fraction %v leave an empty train or test set", n, s.TestFraction)
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	cut := n - nTest // order[:cut] trains, order[cut:] tests
	if method == SplitRandom {
		r := rand.New(rand.NewPCG(s.Seed, s.Seed))
		for i := n - 1; i > 0; i-- {
			j := boundedUint(r, uint64(i+1))
			order[i], order[j] = order[j], order[i]
		}
		// The test rows are the first nTest of the permutation.
		cut = nTest
		p.Test, p.Train = slices.Clone(order[:cut]), slices.Clone(order[cut:])
	} else {
		if len(times) != n {
			return p, fmt.Errorf("model: split: %d times for %d rows", len(times), n)
		}
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(times[a], times[b]) })
		c := cut
		for c < n && times[order[c]] == times[order[c-1]] {
			c++
		}
		if c == n {
			c = cut
			for c > 0 && times[order[c]] == times[order[c-1]] {
				c--
			}
		}
		if c == 0 {
			return p, fmt.Errorf("model: split: every row has the same time; a time split is impossible")
		}
		p.Train, p.Test = slices.Clone(order[:c]), slices.Clone(order[c:])
	}
	slices.Sort(p.Train)
	slices.Sort(p.Test)
	p.TrainRows, p.TestRows = len(p.Train), len(p.Test)
	return p, nil
}

// boundedUint returns a uniform integer in [0, bound) using Lemire's
// multiply-and-reject method on r's 64-bit output. It is written out here,
// rather than calling r.Uint64N, so the stream of draws is fixed by this
// code and not by the standard library's version.
func boundedUint(r *rand.Rand, bound uint64) int {
	hi, lo := bits.Mul64(r.Uint64(), bound)
	if lo < bound {
		threshold := -bound % bound
		for lo < threshold {
			hi, lo = bits.Mul64(r.Uint64(), bound)
		}
	}
	return int(hi)
}
