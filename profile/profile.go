package profile

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// Version is the profile_version written in every Profile; a reader
// refuses other versions.
const Version = 1

// Defaults used when the corresponding Options field is zero.
const (
	// DefaultRelativeAccuracy is the sketch's relative accuracy α: a
	// quantile is within a relative 0.5% of its true value.
	DefaultRelativeAccuracy = 0.005
	// DefaultMaxDistinct is the most distinct values a column's exact counts
	// keep before the column is marked high-cardinality.
	DefaultMaxDistinct = 1000
)

// Kind classifies a column by what can be measured of it.
type Kind string

// Kinds.
const (
	Numeric Kind = "numeric" // signed and unsigned integers, float32, float64
	String  Kind = "string"  // utf8, large_utf8, utf8_view, and dictionaries of those
	Boolean Kind = "boolean"
	Other   Kind = "other" // counted only
)

// Profile summarises a dataset's columns.
type Profile struct {
	// Version is Version.
	Version int `json:"profile_version"`
	// Rows is the number of rows profiled.
	Rows int64 `json:"rows"`
	// RelativeAccuracy is the α of every sketch; MaxDistinct the limit of
	// exact value counts.
	RelativeAccuracy float64 `json:"relative_accuracy"`
	MaxDistinct      int     `json:"max_distinct"`
	// Source optionally says what was profiled (set by the caller, for
	// example the command line's data fingerprint); the package never reads it.
	Source any `json:"source,omitempty"`
	// Columns are in the order they were asked for.
	Columns []Column `json:"columns"`
}

// Column is the profile of one column.
type Column struct {
	Name string `json:"name"`
	// Type is the Arrow type as text (DataType.String), e.g. "int64".
	Type  string `json:"type"`
	Kind  Kind   `json:"kind"`
	Count int64  `json:"count"` // non-null values
	Nulls int64  `json:"nulls"` // nulls, NaN included

	// Numeric is set for numeric columns with at least one value.
	Numeric *NumericSummary `json:"numeric,omitempty"`

	// HighCardinality reports that the column had more than MaxDistinct
	// distinct values, so that Values is nil and Distinct is unknown.
	HighCardinality bool `json:"high_cardinality,omitempty"`
	// Distinct is the number of distinct non-null values, nil when the
	// column is of high cardinality or of Kind Other.
	Distinct *int64 `json:"distinct,omitempty"`
	// Values are the exact counts of a string or boolean column's values
	// ("false" and "true" for booleans), sorted by value; nil when the
	// column is of high cardinality. Numeric columns keep theirs in
	// Numeric.Values.
	Values []ValueCount `json:"values,omitempty"`

	// Lengths holds a string column's shortest and longest value, in runes.
	Lengths *Lengths `json:"lengths,omitempty"`
}

// ValueCount is a distinct value and how often it occurs.
type ValueCount struct {
	Value string `json:"value"`
	Count int64  `json:"count"`
}

// NumberCount is a distinct number and how often it occurs.
type NumberCount struct {
	Value Float `json:"value"`
	Count int64 `json:"count"`
}

// Lengths bounds the lengths of a string column's values.
type Lengths struct {
	Min int64 `json:"min"`
	Max int64 `json:"max"`
}

// NumericSummary describes the non-null values of a numeric column.
type NumericSummary struct {
	Min  Float `json:"min"`
	Max  Float `json:"max"`
	Mean Float `json:"mean"`
	// Stddev is the sample standard deviation (n − 1); NaN (null in JSON)
	// for a single value.
	Stddev Float `json:"stddev"`
	// Sketch approximates the distribution within a relative accuracy.
	Sketch Sketch `json:"sketch"`
	// Values are the exact counts, sorted by value, while the column is
	// not of high cardinality.
	Values []NumberCount `json:"values,omitempty"`
}

// Float is a float64 whose JSON form also holds NaN (null), +Inf ("+Inf")
// and -Inf ("-Inf").
type Float float64

// MarshalJSON writes f, with NaN as null and infinities as strings.
func (f Float) MarshalJSON() ([]byte, error) {
	v := float64(f)
	switch {
	case math.IsNaN(v):
		return []byte("null"), nil
	case math.IsInf(v, 1):
		return []byte(`"+Inf"`), nil
	case math.IsInf(v, -1):
		return []byte(`"-Inf"`), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

// UnmarshalJSON reads what MarshalJSON writes.
func (f *Float) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case "null":
		*f = Float(math.NaN())
		return nil
	case `"+Inf"`:
		*f = Float(math.Inf(1))
		return nil
	case `"-Inf"`:
		*f = Float(math.Inf(-1))
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("want a number, null, \"+Inf\" or \"-Inf\", got %s", b)
	}
	*f = Float(v)
	return nil
}

// Column returns the profile of the named column, or nil.
func (p *Profile) Column(name string) *Column {
	for i := range p.Columns {
		if p.Columns[i].Name == name {
			return &p.Columns[i]
		}
	}
	return nil
}

// Categories returns the column's exact value counts as text, sorted by
// value (numerically for numeric columns), and whether they are known: a
// numeric value is written as strconv.FormatFloat(v, 'f', -1, 64), so the
// integer 5 is "5". They are unknown for high-cardinality columns and
// columns of Kind Other.
func (c *Column) Categories() ([]ValueCount, bool) {
	switch {
	case c.HighCardinality || c.Kind == Other:
		return nil, false
	case c.Kind != Numeric:
		return c.Values, true
	case c.Numeric == nil:
		return nil, true
	}
	out := make([]ValueCount, len(c.Numeric.Values))
	for i, v := range c.Numeric.Values {
		out[i] = ValueCount{Value: strconv.FormatFloat(float64(v.Value), 'f', -1, 64), Count: v.Count}
	}
	return out, true
}

// Points returns the distribution of a numeric column's values as sorted
// distinct values and their counts: the exact values when they are known,
// else the sketch's bucket representatives (each within the relative
// accuracy of the values it stands for); exact says which. Both are empty
// for a column without numeric values.
func (c *Column) Points() (values []float64, counts []int64, exact bool) {
	if c.Numeric == nil {
		return nil, nil, true
	}
	if c.Numeric.Values != nil {
		values = make([]float64, len(c.Numeric.Values))
		counts = make([]int64, len(c.Numeric.Values))
		for i, v := range c.Numeric.Values {
			values[i], counts[i] = float64(v.Value), v.Count
		}
		return values, counts, true
	}
	values, counts = c.Numeric.Sketch.Points()
	return values, counts, false
}

// Quantile returns the q-quantile (0 ≤ q ≤ 1) of a numeric column's values:
// the value of rank ⌊q·(n−1)⌋ in the sorted values when they are known
// exactly (the lower order statistic), else the sketch's estimate; NaN when
// the column has no numeric values.
func (c *Column) Quantile(q float64) float64 {
	if c.Numeric == nil {
		return math.NaN()
	}
	if vs := c.Numeric.Values; vs != nil {
		rank := int64(math.Floor(q * float64(c.Count-1)))
		var seen int64
		for _, v := range vs {
			seen += v.Count
			if seen > rank {
				return float64(v.Value)
			}
		}
		return float64(vs[len(vs)-1].Value)
	}
	v := c.Numeric.Sketch.Quantile(q)
	return math.Min(math.Max(v, float64(c.Numeric.Min)), float64(c.Numeric.Max))
}

// CDF returns the fraction of a numeric column's values that are ≤ x: exact
// when the values are known; from the sketch otherwise, counting whole
// buckets whose representative is ≤ x (so within the relative accuracy of
// x). NaN for a column without numeric values.
func (c *Column) CDF(x float64) float64 {
	values, counts, _ := c.Points()
	if len(values) == 0 {
		return math.NaN()
	}
	var below, total int64
	for i, v := range values {
		total += counts[i]
		if v <= x {
			below += counts[i]
		}
	}
	return float64(below) / float64(total)
}

// Bin is one histogram bin: the values in (Lo, Hi], the first bin also
// holding Lo.
type Bin struct {
	Lo    float64 `json:"lo"`
	Hi    float64 `json:"hi"`
	Count int64   `json:"count"`
}

// Histogram returns n equal-width bins from the column's minimum to its
// maximum (one bin when they are equal), counted from Points: exact when the
// values are, else each bucket counted whole where its representative falls.
// It returns nil for a column without numeric values or when the extremes
// are not finite, and panics when n < 1.
func (c *Column) Histogram(n int) []Bin {
	if n < 1 {
		panic("profile: Histogram needs at least one bin")
	}
	if c.Numeric == nil {
		return nil
	}
	lo, hi := float64(c.Numeric.Min), float64(c.Numeric.Max)
	if math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return nil
	}
	if lo == hi {
		n = 1
	}
	edges := make([]float64, n+1)
	for i := range edges {
		edges[i] = lo + (hi-lo)*float64(i)/float64(n)
	}
	edges[n] = hi
	return binned(c, edges)
}

// QuantileHistogram returns bins whose edges are the column's quantiles at
// 0, 1/n, …, 1 (equal-mass bins for continuous data); repeated edges are
// merged, so a column with few distinct values has fewer bins. It returns
// nil for a column without numeric values and panics when n < 1.
func (c *Column) QuantileHistogram(n int) []Bin {
	if n < 1 {
		panic("profile: QuantileHistogram needs at least one bin")
	}
	if c.Numeric == nil {
		return nil
	}
	edges := []float64{float64(c.Numeric.Min)}
	for i := 1; i < n; i++ {
		if q := c.Quantile(float64(i) / float64(n)); q > edges[len(edges)-1] {
			edges = append(edges, q)
		}
	}
	if hi := float64(c.Numeric.Max); hi > edges[len(edges)-1] || len(edges) == 1 {
		edges = append(edges, hi)
	}
	return binned(c, edges)
}

// binned counts Points into the bins (edges[i], edges[i+1]], the first
// closed below; points outside all bins go to the nearest end bin.
func binned(c *Column, edges []float64) []Bin {
	bins := make([]Bin, len(edges)-1)
	for i := range bins {
		bins[i] = Bin{Lo: edges[i], Hi: edges[i+1]}
	}
	values, counts, _ := c.Points()
	j := 0
	for i, v := range values {
		for j < len(bins)-1 && v > bins[j].Hi {
			j++
		}
		bins[j].Count += counts[i]
	}
	return bins
}
