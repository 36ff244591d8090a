package accum

import (
	"math"
	"testing"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func float64s(t *testing.T, mem memory.Allocator, vals []float64, valid []bool) *array.Float64 {
	t.Helper()
	b := array.NewFloat64Builder(mem)
	defer b.Release()
	b.AppendValues(vals, valid)
	return b.NewFloat64Array()
}

// Hand-computed: 1, 2, 3, 4 have mean 2.5 and sample standard deviation
// √(5/3); a null and a NaN are missing.
func TestSummarizeHandComputed(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	c := NewColumn("x")
	c.EnableNumbers(0.01, 10)
	var sc Scratch
	a := float64s(t, mem, []float64{1, 2, 0, math.NaN()}, []bool{true, true, false, true})
	defer a.Release()
	b := float64s(t, mem, []float64{3, 4}, nil)
	defer b.Release()
	c.AddArray(&sc, a, 0)
	c.AddArray(&sc, b, 1)
	assert.Equal(t, int64(6), c.Rows)
	assert.Equal(t, int64(2), c.Nulls)
	assert.Equal(t, int64(4), c.Count)
	assert.Equal(t, 1.0, c.Min)
	assert.Equal(t, 4.0, c.Max)
	s := c.Summarize()
	assert.Equal(t, 10.0, s.Sum)
	assert.Equal(t, 2.5, s.Mean)
	assert.InDelta(t, math.Sqrt(5.0/3), s.Stddev, 1e-15)
	assert.Equal(t, map[float64]int64{1: 1, 2: 1, 3: 1, 4: 1}, c.Nums)
	assert.Equal(t, 4.0, c.FullSketch().GetCount())

	// Infinities: the mean follows their sign, the deviation is undefined.
	inf := NewColumn("inf")
	inf.AddMoments([]float64{1, math.Inf(1)}, 0, 1, math.Inf(1))
	s = inf.Summarize()
	assert.True(t, s.Infinite)
	assert.Equal(t, math.Inf(1), s.Mean)
	assert.True(t, math.IsNaN(s.Stddev))
	empty := NewColumn("empty").Summarize()
	assert.Equal(t, 0.0, empty.Sum)
	assert.True(t, math.IsNaN(empty.Mean))
}

// Merging the accumulators of two halves gives those of the whole, in
// whichever order the halves are merged; past MaxDistinct the exact counts
// give way to the sketch, which still holds every value.
func TestMergeHalvesEqualsWhole(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	var xs []float64
	for i := range 40 {
		xs = append(xs, float64(i%12)-3.5)
	}
	for _, maxDistinct := range []int{5, 100} {
		build := func(parts ...[]float64) *Column {
			c := NewColumn("x")
			c.EnableNumbers(0.01, maxDistinct)
			var sc Scratch
			for i, p := range parts {
				a := float64s(t, mem, p, nil)
				c.AddArray(&sc, a, i)
				a.Release()
			}
			return c
		}
		whole := build(xs[:20], xs[20:])
		first, second := build(xs[:20]), build(xs[20:])
		second.ShiftBatches(1)
		first.Merge(second)
		for _, got := range []*Column{first} {
			assert.Equal(t, whole.Count, got.Count)
			assert.Equal(t, whole.Min, got.Min)
			assert.Equal(t, whole.Max, got.Max)
			assert.Equal(t, whole.High, got.High)
			assert.Equal(t, whole.Nums, got.Nums)
			assert.Equal(t, whole.Summarize(), got.Summarize())
			assert.Equal(t, whole.FullSketch().GetCount(), got.FullSketch().GetCount())
			q1, err := whole.FullSketch().GetValueAtQuantile(0.5)
			require.NoError(t, err)
			q2, err := got.FullSketch().GetValueAtQuantile(0.5)
			require.NoError(t, err)
			assert.Equal(t, q1, q2)
		}
		assert.Equal(t, maxDistinct < 12, whole.High)
	}
}

// Strings: lengths in runes, exact counts of a dictionary's entries.
func TestStringsAndDictionary(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	sb := array.NewStringBuilder(mem)
	sb.AppendValues([]string{"héllo", "a", "", "a"}, []bool{true, true, true, true})
	sb.AppendNull()
	s := sb.NewStringArray()
	sb.Release()
	defer s.Release()
	c := NewColumn("s")
	c.EnableStrings(10)
	var sc Scratch
	c.AddArray(&sc, s, 0)
	assert.Equal(t, int64(1), c.Nulls)
	assert.Equal(t, 0, c.MinLen)
	assert.Equal(t, 5, c.MaxLen)
	assert.Equal(t, map[string]int64{"héllo": 1, "a": 2, "": 1}, c.Strs)

	idx := array.NewInt8Builder(mem)
	idx.AppendValues([]int8{1, 1, 0}, nil)
	indices := idx.NewArray()
	idx.Release()
	defer indices.Release()
	dict := array.NewDictionaryArray(&arrowDictType, indices, s)
	defer dict.Release()
	c.AddArray(&sc, dict, 1)
	assert.Equal(t, map[string]int64{"héllo": 2, "a": 4, "": 1}, c.Strs)
}

// TestAddStringOwnsKeys counts strings that alias a buffer, as a batch's
// values do, then overwrites the buffer: the counted keys must not change.
// (An assignment to a Go map stores its string key anew, so counting an
// existing key with the aliasing string would make the key alias it.)
func TestAddStringOwnsKeys(t *testing.T) {
	buf := []byte("benignbenign")
	view := func(i int) string { return unsafe.String(&buf[6*i], 6) }
	c := NewColumn("s")
	c.EnableStrings(10)
	c.AddString(view(0), 1)
	c.AddString(view(1), 2)
	o := NewColumn("s")
	o.EnableStrings(10)
	o.AddString(view(1), 1)
	o.AddString(view(0), 1)
	c.Merge(o)
	copy(buf, "XXXXXXXXXXXX")
	assert.Equal(t, map[string]int64{"benign": 5}, c.Strs)
	assert.Equal(t, map[string]int64{"benign": 2}, o.Strs)
}

var arrowDictType = arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}
