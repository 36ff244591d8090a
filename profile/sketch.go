package profile

import (
	"fmt"
	"math"

	"github.com/DataDog/sketches-go/ddsketch"
	"github.com/DataDog/sketches-go/ddsketch/mapping"
	"github.com/DataDog/sketches-go/ddsketch/store"
)

// Sketch is the saved form of a DDSketch: its index mapping and the count
// of each non-empty bucket. Buckets hold exact counts; a bucket's values
// are represented by one value within RelativeAccuracy of each of them.
type Sketch struct {
	RelativeAccuracy float64 `json:"relative_accuracy"`
	// Gamma and IndexOffset define the cubically interpolated mapping from
	// a value to its bucket index (sketches-go's CubicallyInterpolatedMapping).
	Gamma       float64 `json:"gamma"`
	IndexOffset float64 `json:"index_offset"`
	// Zero counts the values closer to 0 than the smallest indexable value.
	Zero int64 `json:"zero"`
	// Positive and Negative are the buckets of positive values and of the
	// magnitudes of negative values.
	Positive Buckets `json:"positive"`
	Negative Buckets `json:"negative"`
}

// Buckets are bucket indexes in increasing order and their counts.
type Buckets struct {
	Index []int   `json:"index"`
	Count []int64 `json:"count"`
}

func (b Buckets) total() int64 {
	var n int64
	for _, c := range b.Count {
		n += c
	}
	return n
}

// saveSketch converts a live sketch to its saved form.
func saveSketch(s *ddsketch.DDSketch, alpha float64) Sketch {
	m := s.IndexMapping.(*mapping.CubicallyInterpolatedMapping)
	pb := m.ToProto()
	out := Sketch{RelativeAccuracy: alpha, Gamma: pb.Gamma, IndexOffset: pb.IndexOffset, Zero: int64(s.GetZeroCount())}
	collect := func(st store.Store, b *Buckets) {
		st.ForEach(func(i int, c float64) bool {
			if c > 0 {
				b.Index = append(b.Index, i)
				b.Count = append(b.Count, int64(c))
			}
			return false
		})
	}
	collect(s.GetPositiveValueStore(), &out.Positive)
	collect(s.GetNegativeValueStore(), &out.Negative)
	return out
}

// Count returns the number of values in the sketch.
func (s *Sketch) Count() int64 { return s.Zero + s.Positive.total() + s.Negative.total() }

func (s *Sketch) mapping() mapping.IndexMapping {
	m, err := mapping.NewCubicallyInterpolatedMappingWithGamma(s.Gamma, s.IndexOffset)
	if err != nil {
		// A decoded profile is validated (see Decode); a Sketch built in
		// code with a bad gamma is misuse.
		panic(fmt.Sprintf("profile: sketch: %v", err))
	}
	return m
}

// Points returns the representative value of every non-empty bucket, in
// increasing order, and the bucket's count.
func (s *Sketch) Points() (values []float64, counts []int64) {
	if s.Count() == 0 {
		return nil, nil
	}
	m := s.mapping()
	n := len(s.Negative.Index) + len(s.Positive.Index) + 1
	values, counts = make([]float64, 0, n), make([]int64, 0, n)
	for i := len(s.Negative.Index) - 1; i >= 0; i-- {
		values = append(values, -m.Value(s.Negative.Index[i]))
		counts = append(counts, s.Negative.Count[i])
	}
	if s.Zero > 0 {
		values = append(values, 0)
		counts = append(counts, s.Zero)
	}
	for i, idx := range s.Positive.Index {
		values = append(values, m.Value(idx))
		counts = append(counts, s.Positive.Count[i])
	}
	return values, counts
}

// Quantile returns the sketch's estimate of the q-quantile: the
// representative of the bucket holding the value of rank ⌊q·(n−1)⌋, as
// sketches-go's GetValueAtQuantile does. NaN when the sketch is empty or q
// is outside [0, 1].
func (s *Sketch) Quantile(q float64) float64 {
	n := s.Count()
	if n == 0 || q < 0 || q > 1 || math.IsNaN(q) {
		return math.NaN()
	}
	rank := int64(math.Floor(q * float64(n-1)))
	values, counts := s.Points()
	var seen int64
	for i, c := range counts {
		seen += c
		if seen > rank {
			return values[i]
		}
	}
	return values[len(values)-1]
}

// validate reports a sketch that cannot have been written by this package.
func (s *Sketch) validate() error {
	if !(s.RelativeAccuracy > 0 && s.RelativeAccuracy < 1) {
		return fmt.Errorf("relative_accuracy must be between 0 and 1, got %v", s.RelativeAccuracy)
	}
	if !(s.Gamma > 1) || math.IsInf(s.Gamma, 0) {
		return fmt.Errorf("gamma must be a finite number greater than 1, got %v", s.Gamma)
	}
	if math.IsNaN(s.IndexOffset) || math.IsInf(s.IndexOffset, 0) {
		return fmt.Errorf("index_offset must be finite, got %v", s.IndexOffset)
	}
	if s.Zero < 0 {
		return fmt.Errorf("zero must be ≥ 0, got %d", s.Zero)
	}
	for _, b := range []struct {
		name string
		b    Buckets
	}{{"positive", s.Positive}, {"negative", s.Negative}} {
		if len(b.b.Index) != len(b.b.Count) {
			return fmt.Errorf("%s: %d indexes but %d counts", b.name, len(b.b.Index), len(b.b.Count))
		}
		for i, c := range b.b.Count {
			if c <= 0 {
				return fmt.Errorf("%s.count[%d]: must be > 0, got %d", b.name, i, c)
			}
			if i > 0 && b.b.Index[i] <= b.b.Index[i-1] {
				return fmt.Errorf("%s.index: must increase, got %d after %d", b.name, b.b.Index[i], b.b.Index[i-1])
			}
		}
	}
	return nil
}
