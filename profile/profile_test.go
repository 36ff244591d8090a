package profile

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat"
)

var testSchema = arrow.NewSchema([]arrow.Field{
	{Name: "i", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
}, nil)

func batch(t testing.TB, mem memory.Allocator, js string) arrow.RecordBatch {
	t.Helper()
	b, _, err := array.RecordFromJSON(mem, testSchema, strings.NewReader(js))
	require.NoError(t, err)
	return b
}

const rowsJSON = `[
 {"i": 3, "f": 1.5, "s": "héllo", "b": true, "d": "2024-01-01"},
 {"i": -2, "f": null, "s": "a", "b": false, "d": null},
 {"i": null, "f": 2.5, "s": null, "b": true, "d": "2024-01-02"},
 {"i": 3, "f": -0.5, "s": "a", "b": null, "d": "2024-01-03"},
 {"i": 10, "f": 2.5, "s": "", "b": true, "d": "2024-01-04"}
]`

func TestProfileValues(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	b := batch(t, mem, rowsJSON)
	defer b.Release()
	p, err := New(testSchema, nil, Options{})
	require.NoError(t, err)
	p.Update(b)
	got := p.Finish()
	require.Len(t, got.Columns, 5)
	assert.Equal(t, int64(5), got.Rows)

	i := got.Column("i")
	assert.Equal(t, Numeric, i.Kind)
	assert.Equal(t, "int64", i.Type)
	assert.Equal(t, int64(4), i.Count)
	assert.Equal(t, int64(1), i.Nulls)
	xs := []float64{3, -2, 3, 10}
	assert.Equal(t, Float(-2), i.Numeric.Min)
	assert.Equal(t, Float(10), i.Numeric.Max)
	assert.InDelta(t, stat.Mean(xs, nil), float64(i.Numeric.Mean), 1e-12)
	assert.InDelta(t, stat.StdDev(xs, nil), float64(i.Numeric.Stddev), 1e-12)
	assert.Equal(t, []NumberCount{{-2, 1}, {3, 2}, {10, 1}}, i.Numeric.Values)
	assert.Equal(t, int64(3), *i.Distinct)
	cats, ok := i.Categories()
	require.True(t, ok)
	assert.Equal(t, []ValueCount{{"-2", 1}, {"3", 2}, {"10", 1}}, cats)
	assert.Equal(t, 3.0, i.Quantile(0.5)) // rank ⌊0.5·3⌋ = 1 of -2, 3, 3, 10
	assert.Equal(t, 0.75, i.CDF(3))
	assert.Equal(t, int64(4), i.Numeric.Sketch.Count())

	f := got.Column("f")
	assert.Equal(t, int64(4), f.Count)
	assert.Equal(t, []NumberCount{{-0.5, 1}, {1.5, 1}, {2.5, 2}}, f.Numeric.Values)

	s := got.Column("s")
	assert.Equal(t, String, s.Kind)
	assert.Equal(t, int64(4), s.Count)
	assert.Equal(t, []ValueCount{{"", 1}, {"a", 2}, {"héllo", 1}}, s.Values)
	assert.Equal(t, &Lengths{Min: 0, Max: 5}, s.Lengths) // runes, not bytes
	assert.Nil(t, s.Numeric)

	bo := got.Column("b")
	assert.Equal(t, Boolean, bo.Kind)
	assert.Equal(t, []ValueCount{{"false", 1}, {"true", 3}}, bo.Values)
	assert.Equal(t, int64(1), bo.Nulls)

	d := got.Column("d")
	assert.Equal(t, Other, d.Kind)
	assert.Equal(t, int64(4), d.Count)
	assert.Equal(t, int64(1), d.Nulls)
	assert.Nil(t, d.Distinct)
	_, ok = d.Categories()
	assert.False(t, ok)
}

func TestNaNIsNullAndInfIsAValue(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	bld := array.NewFloat64Builder(mem)
	defer bld.Release()
	bld.AppendValues([]float64{1, math.NaN(), math.Inf(1), 2}, nil)
	bld.AppendNull()
	arr := bld.NewArray()
	defer arr.Release()
	sc := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true}}, nil)
	b := array.NewRecordBatch(sc, []arrow.Array{arr}, 5)
	defer b.Release()
	p, err := New(sc, nil, Options{})
	require.NoError(t, err)
	p.Update(b)
	c := p.Finish().Column("x")
	assert.Equal(t, int64(3), c.Count)
	assert.Equal(t, int64(2), c.Nulls)
	assert.True(t, math.IsInf(float64(c.Numeric.Max), 1))
	assert.True(t, math.IsInf(float64(c.Numeric.Mean), 1))
	var buf bytes.Buffer
	require.NoError(t, Encode(&buf, p.Finish()))
	back, err := Decode("x.json", buf.Bytes())
	require.NoError(t, err)
	assert.True(t, math.IsInf(float64(back.Column("x").Numeric.Max), 1))
	assert.True(t, math.IsNaN(float64(back.Column("x").Numeric.Stddev)) == math.IsNaN(float64(c.Numeric.Stddev)))
}

func TestHighCardinality(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	b := batch(t, mem, rowsJSON)
	defer b.Release()
	p, err := New(testSchema, []string{"s", "i"}, Options{MaxDistinct: 2})
	require.NoError(t, err)
	p.Update(b)
	got := p.Finish()
	assert.Equal(t, []string{"s", "i"}, []string{got.Columns[0].Name, got.Columns[1].Name})
	for _, c := range got.Columns {
		assert.True(t, c.HighCardinality, c.Name)
		assert.Nil(t, c.Distinct, c.Name)
		_, ok := c.Categories()
		assert.False(t, ok)
	}
	_, _, exact := got.Column("i").Points()
	assert.False(t, exact)
	assert.Equal(t, int64(4), got.Column("s").Count)
}

func TestNewErrors(t *testing.T) {
	_, err := New(testSchema, []string{"i", "nope"}, Options{})
	assert.EqualError(t, err, `profile: no column "nope"; columns are i, f, s, b, d`)
	_, err = New(testSchema, []string{"i", "i"}, Options{})
	assert.EqualError(t, err, `profile: column "i" is listed twice`)
}

// randomBatches returns n batches of a seeded mix of values, nulls and NaN.
func randomBatches(t testing.TB, mem memory.Allocator, seed uint64, n, rows int) ([]arrow.RecordBatch, *arrow.Schema) {
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "k", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	rng := rand.New(rand.NewPCG(seed, 7))
	var out []arrow.RecordBatch
	for range n {
		bld := array.NewRecordBuilder(mem, sc)
		for range rows {
			switch r := rng.Float64(); {
			case r < 0.05:
				bld.Field(0).AppendNull()
			case r < 0.08:
				bld.Field(0).(*array.Float64Builder).Append(math.NaN())
			default:
				bld.Field(0).(*array.Float64Builder).Append(rng.NormFloat64()*20 - 5)
			}
			if rng.IntN(10) == 0 {
				bld.Field(1).AppendNull()
			} else {
				bld.Field(1).(*array.Int32Builder).Append(int32(rng.IntN(12)))
			}
			bld.Field(2).(*array.StringBuilder).Append(string(rune('a' + rng.IntN(5))))
		}
		out = append(out, bld.NewRecordBatch())
		bld.Release()
	}
	return out, sc
}

func TestMergeEqualsWhole(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	batches, sc := randomBatches(t, mem, 1, 6, 500)
	defer func() {
		for _, b := range batches {
			b.Release()
		}
	}()
	whole, err := New(sc, nil, Options{})
	require.NoError(t, err)
	for _, b := range batches {
		whole.Update(b)
	}
	a, _ := New(sc, nil, Options{})
	c, _ := New(sc, nil, Options{})
	for i, b := range batches {
		if i%2 == 0 {
			a.Update(b)
		} else {
			c.Update(b)
		}
	}
	a.Merge(c)
	w, m := whole.Finish(), a.Finish()
	// The moments agree with gonum's over every non-null value.
	var xs []float64
	for _, b := range batches {
		col := b.Column(0).(*array.Float64)
		for j := range col.Len() {
			if col.IsValid(j) && !math.IsNaN(col.Value(j)) {
				xs = append(xs, col.Value(j))
			}
		}
	}
	x := w.Column("x")
	assert.Equal(t, int64(len(xs)), x.Count)
	assert.Equal(t, w.Rows-int64(len(xs)), x.Nulls)
	mean, sd := stat.MeanStdDev(xs, nil)
	assert.InDelta(t, mean, float64(m.Column("x").Numeric.Mean), 1e-9)
	assert.InDelta(t, sd, float64(m.Column("x").Numeric.Stddev), 1e-9)
	for i := range w.Columns {
		wc, mc := w.Columns[i], m.Columns[i]
		if wc.Numeric != nil {
			assert.InDelta(t, float64(wc.Numeric.Mean), float64(mc.Numeric.Mean), 1e-9)
			assert.InDelta(t, float64(wc.Numeric.Stddev), float64(mc.Numeric.Stddev), 1e-9)
			wc.Numeric.Mean, mc.Numeric.Mean, wc.Numeric.Stddev, mc.Numeric.Stddev = 0, 0, 0, 0
		}
		assert.Equal(t, wc, mc, wc.Name)
	}
}

// TestSketchQuantileAccuracy checks DDSketch's guarantee against exact
// order statistics: the estimate of the value of rank ⌊q(n−1)⌋ is within
// the relative accuracy α of it.
func TestSketchQuantileAccuracy(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, seed := range []uint64{1, 2, 3} {
		batches, sc := randomBatches(t, mem, seed, 2, 3000)
		p, _ := New(sc, []string{"x"}, Options{MaxDistinct: 10})
		var xs []float64
		for _, b := range batches {
			p.Update(b)
			col := b.Column(0).(*array.Float64)
			for j := range col.Len() {
				if col.IsValid(j) && !math.IsNaN(col.Value(j)) {
					xs = append(xs, col.Value(j))
				}
			}
			b.Release()
		}
		slices.Sort(xs)
		c := p.Finish().Column("x")
		require.True(t, c.HighCardinality)
		for _, q := range []float64{0, 0.001, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999, 1} {
			want := xs[int(math.Floor(q*float64(len(xs)-1)))]
			got := c.Numeric.Sketch.Quantile(q)
			assert.LessOrEqual(t, math.Abs(got-want), DefaultRelativeAccuracy*math.Abs(want)+1e-12, "seed %d q %v: %v vs %v", seed, q, got, want)
		}
	}
}

func TestHistograms(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	b := batch(t, mem, rowsJSON)
	defer b.Release()
	rr := oneBatch(b)
	defer rr.Release()
	pr, err := Read(context.Background(), rr, []string{"i"})
	require.NoError(t, err)
	c := pr.Column("i")
	// -2, 3, 3, 10 in 4 equal bins of width 3 over [-2, 10].
	assert.Equal(t, []Bin{{-2, 1, 1}, {1, 4, 2}, {4, 7, 0}, {7, 10, 1}}, c.Histogram(4))
	// Quantiles at 0, 1/2, 1: -2, 3, 10.
	assert.Equal(t, []Bin{{-2, 3, 3}, {3, 10, 1}}, c.QuantileHistogram(2))
}

func oneBatch(b arrow.RecordBatch) array.RecordReader {
	rr, err := array.NewRecordReader(b.Schema(), []arrow.RecordBatch{b})
	if err != nil {
		panic(err)
	}
	return rr
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	batches, sc := randomBatches(t, mem, 4, 2, 400)
	p, _ := New(sc, nil, Options{MaxDistinct: 8})
	for _, b := range batches {
		p.Update(b)
		b.Release()
	}
	want := p.Finish()
	var buf bytes.Buffer
	require.NoError(t, Encode(&buf, want))
	got, err := Decode("p.json", buf.Bytes())
	require.NoError(t, err)
	var again bytes.Buffer
	require.NoError(t, Encode(&again, got))
	assert.Equal(t, buf.String(), again.String())
	assert.Equal(t, want.Column("x").Quantile(0.3), got.Column("x").Quantile(0.3))
}

func TestDecodeErrors(t *testing.T) {
	valid := `{"profile_version": 1, "rows": 2, "relative_accuracy": 0.005, "max_distinct": 1000, "columns": [
  {"name": "s", "type": "utf8", "kind": "string", "count": 2, "nulls": 0, "distinct": 1, "values": [{"value": "a", "count": 2}]}
]}`
	_, err := Decode("ok.json", []byte(valid))
	require.NoError(t, err)
	for _, tc := range []struct{ name, src, want string }{
		{"syntax", "{\n  \"rows\": 1,\n  oops\n}", "p.json:3:3: invalid JSON: invalid character 'o' looking for beginning of object key string"},
		{"type", "{\n  \"rows\": \"many\"\n}", `p.json:2:11: rows: must be int64, got a JSON string`},
		{"unknown", "{\"rows\": 1, \"colums\": []}", `p.json:1:13: unknown field "colums"`},
		{"empty", "", "p.json: empty file: not a profile"},
		{"truncated", "{\"rows\": 1,", "p.json:1:12: invalid JSON: unexpected end of file"},
		{"version", `{"profile_version": 2}`, "p.json: profile_version: this trustml reads profile_version 1, got 2 (is this a profile written by `trustml profile`?)"},
		{"counts", strings.Replace(valid, `"count": 2, "nulls": 0`, `"count": 2, "nulls": 1`, 1), `p.json: columns[0]: column "s": count 2 and nulls 1 do not add up to the profile's 2 rows`},
		{"values", strings.Replace(valid, `{"value": "a", "count": 2}`, `{"value": "a", "count": 1}`, 1), `p.json: columns[0]: column "s": values: counts add up to 1, not the column's count 2`},
		{"kind", strings.Replace(valid, `"kind": "string"`, `"kind": "text"`, 1), `p.json: columns[0]: column "s": kind must be numeric, string, boolean or other, got "text"`},
		{"trailing", valid + " {}", "p.json:3:4: unexpected data after the profile"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode("p.json", []byte(tc.src))
			assert.EqualError(t, err, tc.want)
		})
	}
}
