package accum

import (
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
)

// Number is the constraint of the values Gather reads.
type Number interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~float32 | ~float64
}

// Gather returns, in one pass, the values of the rows that have one as
// float64, without NaN, the number of NaN it skipped, and the smallest and
// largest values (+Inf and -Inf when there are none). bm is the validity
// bitmap (nil when no row is null) and off the array's offset into it.
// The values are in *scratch, reused from batch to batch, or, for float64
// values without missing rows nor NaN, vals itself.
func Gather[T Number](scratch *[]float64, vals []T, bm []byte, off int) (xs []float64, nan int, lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	if f, ok := any(vals).([]float64); ok && bm == nil {
		for _, v := range f {
			if v != v {
				nan++
			}
			lo, hi = Lower(lo, v), Higher(hi, v)
		}
		if nan == 0 {
			return f, 0, lo, hi
		}
		lo, hi, nan = math.Inf(1), math.Inf(-1), 0
	}
	dst := (*scratch)[:0]
	for i, v := range vals {
		if bm != nil && !bitutil.BitIsSet(bm, off+i) {
			continue
		}
		x := float64(v)
		if x != x {
			nan++
			continue
		}
		lo, hi = Lower(lo, x), Higher(hi, x)
		dst = append(dst, x)
	}
	*scratch = dst
	return dst, nan, lo, hi
}

// Lower and Higher fold v into a running minimum and maximum. A branch
// that is rarely taken beats the builtin min and max of floats, which
// order NaN and signed zeros (a pass 5 to 8 times as fast); the builtins
// apply only to values that tie with or beat the extreme, so that -0 and
// +0 come out the same in any order. NaN changes nothing.
func Lower(lo, v float64) float64 {
	if v <= lo {
		return min(lo, v)
	}
	return lo
}

// Higher: see Lower.
func Higher(hi, v float64) float64 {
	if v >= hi {
		return max(hi, v)
	}
	return hi
}

// Numeric reports whether AddArray reads dt's values as numbers: integers
// and float32/64 (float16, dates and times are only counted).
func Numeric(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT32, arrow.FLOAT64:
		return true
	}
	return false
}

// Textual reports whether AddArray reads dt's values as strings: utf8,
// large_utf8, utf8_view and dictionaries of those.
func Textual(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		return true
	case arrow.DICTIONARY:
		return Textual(dt.(*arrow.DictionaryType).ValueType)
	}
	return false
}

// Scratch is the space AddArray reuses from batch to batch.
type Scratch struct {
	floats []float64
	counts []int64
}

// AddArray folds batch number batch of the column, arr, into every
// statistic its type has: counts always; for numbers (see Numeric)
// extremes, moments and, when enabled, the distribution; for strings
// lengths and the distribution; for booleans the distribution of "true"
// and "false". NaN counts as missing.
func (c *Column) AddArray(sc *Scratch, arr arrow.Array, batch int) {
	switch a := arr.(type) {
	case *array.Int8:
		addNumbers(c, sc, a, a.Int8Values(), batch)
	case *array.Int16:
		addNumbers(c, sc, a, a.Int16Values(), batch)
	case *array.Int32:
		addNumbers(c, sc, a, a.Int32Values(), batch)
	case *array.Int64:
		addNumbers(c, sc, a, a.Int64Values(), batch)
	case *array.Uint8:
		addNumbers(c, sc, a, a.Uint8Values(), batch)
	case *array.Uint16:
		addNumbers(c, sc, a, a.Uint16Values(), batch)
	case *array.Uint32:
		addNumbers(c, sc, a, a.Uint32Values(), batch)
	case *array.Uint64:
		addNumbers(c, sc, a, a.Uint64Values(), batch)
	case *array.Float32:
		addNumbers(c, sc, a, a.Float32Values(), batch)
	case *array.Float64:
		addNumbers(c, sc, a, a.Float64Values(), batch)
	case *array.Dictionary:
		if !Textual(a.DataType()) {
			c.AddCounts(a.Len(), a.NullN())
			return
		}
		c.addDictionary(sc, a)
	case *array.Boolean:
		c.AddCounts(a.Len(), a.NullN())
		var t, f int64
		for i := 0; i < a.Len(); i++ {
			if a.IsNull(i) {
				continue
			}
			if a.Value(i) {
				t++
			} else {
				f++
			}
		}
		c.AddBools(t, f)
	case stringArray:
		addStrings(c, a)
	default:
		c.AddCounts(arr.Len(), arr.NullN())
	}
}

// AddBools folds a batch's counts of true and false into the distribution.
func (c *Column) AddBools(t, f int64) {
	c.Mark(Distribution)
	if t > 0 {
		c.AddString("true", t)
	}
	if f > 0 {
		c.AddString("false", f)
	}
}

type stringArray interface {
	arrow.Array
	Value(int) string
}

func addNumbers[T Number](c *Column, sc *Scratch, a arrow.Array, vals []T, batch int) {
	var bm []byte
	if a.NullN() > 0 {
		bm = a.NullBitmapBytes()
	}
	xs, nan, lo, hi := Gather(&sc.floats, vals, bm, a.Data().Offset())
	c.AddCounts(len(vals), a.NullN()+nan)
	c.AddExtremes(lo, hi)
	c.AddMoments(xs, batch, lo, hi)
	if c.Sketch != nil {
		c.AddNumbers(xs)
	}
}

func addStrings(c *Column, a stringArray) {
	n := a.Len()
	c.AddCounts(n, a.NullN())
	lo, hi := math.MaxInt, -1
	for i := 0; i < n; i++ {
		if a.IsNull(i) {
			continue
		}
		s := a.Value(i)
		l := utf8.RuneCountInString(s)
		lo, hi = min(lo, l), max(hi, l)
		c.AddString(s, 1)
	}
	c.AddLengths(lo, hi)
	c.Mark(Distribution)
}

// addDictionary counts indices first, so each value costs an array
// increment, and each dictionary entry one map update per batch.
func (c *Column) addDictionary(sc *Scratch, d *array.Dictionary) {
	dict, ok := d.Dictionary().(stringArray)
	if !ok {
		panic(fmt.Sprintf("accum: column %q: dictionary of %T", c.Name, d.Dictionary()))
	}
	counts := sc.counts[:0]
	for range dict.Len() {
		counts = append(counts, 0)
	}
	n := d.Len()
	for i := 0; i < n; i++ {
		if d.IsValid(i) {
			counts[d.GetValueIndex(i)]++
		}
	}
	sc.counts = counts
	c.AddCounts(n, d.NullN())
	lo, hi := math.MaxInt, -1
	for j, k := range counts {
		if k == 0 {
			continue
		}
		s := dict.Value(j)
		l := utf8.RuneCountInString(s)
		lo, hi = min(lo, l), max(hi, l)
		c.AddString(s, k)
	}
	c.AddLengths(lo, hi)
	c.Mark(Distribution)
}
