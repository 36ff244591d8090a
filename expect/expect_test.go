package expect_test

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/expect"
	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/result"
)

// decode parses an expectations section written in YAML.
func decode(t testing.TB, src string) *expect.Suite {
	t.Helper()
	var n yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte(src), &n))
	d := &yamlx.Decoder{File: "test.yaml"}
	s := expect.Decode(d, n.Content[0], "expectations")
	require.NoError(t, d.Err())
	return s
}

// table builds an Arrow table from JSON rows.
func table(t testing.TB, mem memory.Allocator, schema *arrow.Schema, rows string) arrow.Table {
	t.Helper()
	tbl, err := array.TableFromJSON(mem, schema, []string{rows})
	require.NoError(t, err)
	return tbl
}

func evaluate(t testing.TB, s *expect.Suite, tbl arrow.Table, batch int64, opts expect.Options) []result.Check {
	t.Helper()
	rr := array.NewTableReader(tbl, batch)
	defer rr.Release()
	res, err := s.Evaluate(context.Background(), rr, opts)
	require.NoError(t, err)
	return res
}

func byName(res []result.Check) map[string]result.Check {
	m := map[string]result.Check{}
	for _, r := range res {
		m[r.Name] = r
	}
	return m
}

var peopleSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "age", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "score", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "city", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "ok", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
}, nil)

// Eight rows. Hand-computed facts used below:
//
//	id:    1 2 3 4 5 5 7 null      → 7 values, distinct 6, value 5 at rows 4 and 5
//	age:   30 -1 45 150 20 null 60 30 → non-null 7; outside [0,120]: rows 1 (-1), 3 (150)
//	score: 1 2 3 4 NaN null 10 null → non-null 5 (NaN is missing): sum 20, mean 4,
//	       deviations -3 -2 -1 0 6, squares 9+4+1+0+36 = 50, sample variance 12.5,
//	       median 3, q0.25 = 2, q0.9 = 4 + 0.6*(10-4) = 7.6
//	city:  Paris Lyon Paris null Nice Paris "" Lyon → non-null 7; "" has length 0
//	ok:    true true false true null true true true
const peopleRows = `[
 {"id": 1, "age": 30,   "score": 1,    "city": "Paris", "ok": true},
 {"id": 2, "age": -1,   "score": 2,    "city": "Lyon",  "ok": true},
 {"id": 3, "age": 45,   "score": 3,    "city": "Paris", "ok": false},
 {"id": 4, "age": 150,  "score": 4,    "city": null,    "ok": true},
 {"id": 5, "age": 20,   "score": "NaN","city": "Nice",  "ok": null},
 {"id": 5, "age": null, "score": null, "city": "Paris", "ok": true},
 {"id": 7, "age": 60,   "score": 10,   "city": "",      "ok": true},
 {"id": null, "age": 30, "score": null, "city": "Lyon", "ok": true}
]`

const peopleSuite = `
table:
  row_count: {min: 8, max: 8}
  column_count: 5
  columns: {required: [id, age], exact: [id, age, score, city, ok], ordered: true}
columns:
  id:
    type: int64
    unique: true
    distinct: 6
    missing: {max: 1, max_fraction: 0.125}
  age:
    range: {min: 0, max: 120}
    min: {min: -1}
    max: {max: 150}
  score:
    type: [float, integer]
    missing: {max: 2}
    mean: {min: 4, max: 4}
    stddev: {max: 3.5}
    sum: {min: 20, max: 20}
    median: {min: 3, max: 3}
    quantiles: [{q: 0.25, min: 2, max: 2}, {q: 0.9, min: 7.5, max: 7.7}]
  city:
    in_set: [Paris, Lyon]
    not_in_set: [Nice]
    regex: "^[A-Z]"
    length: {min: 1, max: 5}
    imbalance: {min_fraction: 0.1}
  ok:
    in_set: [true]
    imbalance: {max_ratio: 6}
`

func TestEveryKindHandComputed(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := table(t, mem, peopleSchema, peopleRows)
	defer tbl.Release()
	s := decode(t, peopleSuite)
	res := byName(evaluate(t, s, tbl, 3, expect.Options{Workers: 2}))
	require.Len(t, res, s.Len())

	type want struct {
		status     result.Status
		observed   any
		unexpected int64 // -1: not row-wise
		rows       []int64
	}
	cases := map[string]want{
		"table.row_count":         {result.Pass, int64(8), -1, nil},
		"table.column_count":      {result.Pass, int64(5), -1, nil},
		"table.columns.required":  {result.Pass, nil, -1, nil},
		"table.columns.exact":     {result.Pass, nil, -1, nil},
		"columns.id.type":         {result.Pass, "int64", -1, nil},
		"columns.id.unique":       {result.Fail, int64(2), 2, []int64{4, 5}},
		"columns.id.distinct":     {result.Pass, int64(6), -1, nil},
		"columns.id.missing":      {result.Pass, nil, -1, nil},
		"columns.age.range":       {result.Fail, nil, 2, []int64{1, 3}},
		"columns.age.min":         {result.Pass, -1.0, -1, nil},
		"columns.age.max":         {result.Pass, 150.0, -1, nil},
		"columns.score.type":      {result.Pass, "float64", -1, nil},
		"columns.score.missing":   {result.Fail, nil, -1, nil}, // 3 missing: 2 nulls and a NaN
		"columns.score.mean":      {result.Pass, 4.0, -1, nil},
		"columns.score.stddev":    {result.Fail, math.Sqrt(12.5), -1, nil},
		"columns.score.sum":       {result.Pass, 20.0, -1, nil},
		"columns.score.median":    {result.Pass, 3.0, -1, nil},
		"columns.score.quantiles": {result.Pass, nil, -1, nil},
		"columns.city.in_set":     {result.Fail, int64(2), 2, []int64{4, 6}},
		"columns.city.not_in_set": {result.Fail, int64(1), 1, []int64{4}},
		"columns.city.regex":      {result.Fail, int64(1), 1, []int64{6}},
		"columns.city.length":     {result.Fail, nil, 1, []int64{6}},
		"columns.city.imbalance":  {result.Pass, nil, -1, nil},
		"columns.ok.in_set":       {result.Fail, int64(1), 1, []int64{2}},
		"columns.ok.imbalance":    {result.Pass, nil, -1, nil},
	}
	for name, w := range cases {
		t.Run(name, func(t *testing.T) {
			r, ok := res[name]
			require.True(t, ok, "no result for %s", name)
			assert.Equal(t, w.status, r.Status, r.Message)
			if w.observed != nil {
				if f, isF := w.observed.(float64); isF {
					assert.InDelta(t, f, r.Observed, 1e-12)
				} else {
					assert.Equal(t, w.observed, r.Observed)
				}
			}
			if w.unexpected >= 0 {
				require.NotNil(t, r.UnexpectedCount)
				assert.Equal(t, w.unexpected, *r.UnexpectedCount)
				rows := make([]int64, len(r.Sample))
				for i, f := range r.Sample {
					rows[i] = f.Row
				}
				assert.Equal(t, w.rows, rows)
			}
		})
	}

	// Details worth pinning exactly.
	assert.Equal(t, int64(7), *res["columns.city.in_set"].ElementCount)
	assert.Equal(t, int64(1), *res["columns.city.in_set"].NullCount)
	assert.InDelta(t, 2.0/7, *res["columns.city.in_set"].UnexpectedFraction, 1e-15)
	assert.Equal(t, "2 of 7 values outside [0, 120] (28.6%), e.g. row 1: -1", res["columns.age.range"].Message)
	assert.Equal(t, []result.Failure{{Row: 1, Value: int64(-1)}, {Row: 3, Value: int64(150)}}, res["columns.age.range"].Sample)
	assert.Equal(t, map[string]any{"count": int64(3), "fraction": 3.0 / 8}, res["columns.score.missing"].Observed)
	assert.Equal(t, []result.Failure{{Row: 4, Value: int64(5)}, {Row: 5, Value: int64(5)}}, res["columns.id.unique"].Sample)
	q := res["columns.score.quantiles"].Observed.([]any)
	assert.InDelta(t, 2.0, q[0].(map[string]any)["value"], 1e-12)
	assert.InDelta(t, 7.6, q[1].(map[string]any)["value"], 1e-12)
	imb := res["columns.city.imbalance"].Observed.(map[string]any)
	assert.Equal(t, 4, imb["class_count"]) // Paris 3, Lyon 2, Nice 1, "" 1
	assert.InDelta(t, 1.0/7, imb["minority_fraction"], 1e-15)
	assert.InDelta(t, 3.0, imb["ratio"], 1e-15)
	okImb := res["columns.ok.imbalance"].Observed.(map[string]any)
	assert.InDelta(t, 6.0, okImb["ratio"], 1e-15) // 6 true, 1 false
}

func TestMostly(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := table(t, mem, peopleSchema, peopleRows)
	defer tbl.Release()
	// age: 2 of 7 non-null values fail, 5/7 = 0.714 pass. The null at row 5
	// does not count against mostly.
	for _, tc := range []struct {
		mostly string
		status result.Status
	}{{"0.7", result.Pass}, {"0.714", result.Pass}, {"0.715", result.Fail}, {"1", result.Fail}} {
		s := decode(t, "columns: {age: {range: {min: 0, max: 120, mostly: "+tc.mostly+"}}}")
		r := evaluate(t, s, tbl, 100, expect.Options{})[0]
		assert.Equal(t, tc.status, r.Status, "mostly %s: %s", tc.mostly, r.Message)
	}
}

func TestStrictBoundsAndSeverity(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := table(t, mem, peopleSchema, peopleRows)
	defer tbl.Release()
	s := decode(t, `
columns:
  score:
    severity: warn
    range: {min: 1, max: 10, strict_min: true}   # fails row 0 (score 1)
    mean: {min: 4, strict_min: true, severity: error}
`)
	res := evaluate(t, s, tbl, 100, expect.Options{})
	assert.Equal(t, result.Warn, res[0].Status)
	assert.Equal(t, result.SeverityWarn, res[0].Severity)
	assert.Equal(t, int64(1), *res[0].UnexpectedCount)
	assert.Equal(t, "1 of 5 values outside (1, 10] (20.0%), e.g. row 0: 1", res[0].Message)
	assert.Equal(t, result.Fail, res[1].Status, "mean 4 is not > 4")
}

func TestEmptyAndAllNull(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true}}, nil)
	s := decode(t, `
table: {row_count: {min: 1}}
columns:
  x:
    missing: {max_fraction: 0.5}
    range: {min: 0}
    mean: {min: 0}
    stddev: {max: 1}
    median: {min: 0}
    unique: true
    distinct: {min: 1}
`)
	t.Run("all null", func(t *testing.T) {
		tbl := table(t, mem, schema, `[{"x": null}, {"x": "NaN"}]`)
		defer tbl.Release()
		res := byName(evaluate(t, s, tbl, 1, expect.Options{}))
		assert.Equal(t, result.Fail, res["columns.x.missing"].Status)
		assert.Equal(t, result.Pass, res["columns.x.range"].Status, "nothing to check passes vacuously")
		assert.Equal(t, "no non-null values to check", res["columns.x.range"].Message)
		assert.Equal(t, result.Fail, res["columns.x.mean"].Status)
		assert.Nil(t, res["columns.x.mean"].Observed)
		assert.Equal(t, "mean undefined (no non-null values), expected ≥ 0", res["columns.x.mean"].Message)
		assert.Equal(t, result.Fail, res["columns.x.median"].Status)
		assert.Equal(t, result.Pass, res["columns.x.unique"].Status)
		assert.Equal(t, result.Fail, res["columns.x.distinct"].Status)
	})
	t.Run("one row", func(t *testing.T) {
		tbl := table(t, mem, schema, `[{"x": 2.5}]`)
		defer tbl.Release()
		res := byName(evaluate(t, s, tbl, 1, expect.Options{}))
		assert.Equal(t, result.Pass, res["columns.x.mean"].Status)
		assert.Equal(t, 2.5, res["columns.x.mean"].Observed)
		assert.Equal(t, 2.5, res["columns.x.median"].Observed)
		assert.Equal(t, result.Fail, res["columns.x.stddev"].Status)
		assert.Contains(t, res["columns.x.stddev"].Message, "one value; a sample standard deviation needs two")
	})
	t.Run("no rows", func(t *testing.T) {
		tbl := table(t, mem, schema, `[]`)
		defer tbl.Release()
		res := byName(evaluate(t, s, tbl, 1, expect.Options{}))
		assert.Equal(t, result.Fail, res["table.row_count"].Status)
		assert.Equal(t, int64(0), res["table.row_count"].Observed)
	})
}

func TestInfinities(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true}}, nil)
	tbl := table(t, mem, schema, `[{"x": 1}, {"x": "Inf"}, {"x": 3}]`)
	defer tbl.Release()
	res := evaluate(t, decode(t, "columns: {x: {range: {max: 100}, mean: {max: 100}, max: {max: 1e300}}}"), tbl, 2, expect.Options{})
	assert.Equal(t, int64(1), *res[0].UnexpectedCount, "+Inf is a value, outside any finite bound")
	assert.Equal(t, result.Fail, res[1].Status)
	assert.Equal(t, "+Inf", res[1].Observed, "JSON-safe")
	assert.Equal(t, result.Fail, res[2].Status)
}

func TestColumnTypes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	// A dictionary-encoded string column, a large string column, int32 and
	// a date column.
	dictType := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}
	db := array.NewDictionaryBuilder(mem, dictType).(*array.BinaryDictionaryBuilder)
	defer db.Release()
	for _, v := range []string{"a", "b", "a", "", "zz"} {
		if v == "" {
			db.AppendNull()
		} else {
			require.NoError(t, db.AppendString(v))
		}
	}
	dict := db.NewArray()
	defer dict.Release()
	lb := array.NewLargeStringBuilder(mem)
	defer lb.Release()
	lb.AppendValues([]string{"x", "yy", "x", "zzz", "x"}, nil)
	large := lb.NewArray()
	defer large.Release()
	ib := array.NewInt32Builder(mem)
	defer ib.Release()
	ib.AppendValues([]int32{5, 6, 7, 8, 500}, nil)
	ints := ib.NewArray()
	defer ints.Release()
	dtb := array.NewDate32Builder(mem)
	defer dtb.Release()
	dtb.AppendValues([]arrow.Date32{19000, 19001, 19000, 19002, 19003}, nil)
	dates := dtb.NewArray()
	defer dates.Release()

	schema := arrow.NewSchema([]arrow.Field{
		{Name: "d", Type: dictType, Nullable: true},
		{Name: "l", Type: arrow.BinaryTypes.LargeString},
		{Name: "i", Type: arrow.PrimitiveTypes.Int32},
		{Name: "day", Type: arrow.FixedWidthTypes.Date32},
	}, nil)
	rec := array.NewRecordBatch(schema, []arrow.Array{dict, large, ints, dates}, 5)
	defer rec.Release()
	tbl := array.NewTableFromRecords(schema, []arrow.RecordBatch{rec})
	defer tbl.Release()

	s := decode(t, `
columns:
  d: {type: string, in_set: [a, b], regex: "^[ab]$", distinct: 3, missing: 1}
  l: {type: large_utf8, length: {max: 2}, unique: true}
  i: {type: integer, range: {max: 100}, mean: {min: 105.2, max: 105.2}}
  day: {type: temporal, unique: true}
`)
	res := byName(evaluate(t, s, tbl, 2, expect.Options{}))
	for _, name := range []string{"columns.d.type", "columns.l.type", "columns.i.type", "columns.day.type", "columns.d.distinct", "columns.d.missing", "columns.i.mean"} {
		assert.Equal(t, result.Pass, res[name].Status, "%s: %s", name, res[name].Message)
	}
	assert.Equal(t, []result.Failure{{Row: 4, Value: "zz"}}, res["columns.d.in_set"].Sample)
	assert.Equal(t, int64(1), *res["columns.d.regex"].UnexpectedCount)
	assert.Equal(t, []result.Failure{{Row: 3, Value: "zzz"}}, res["columns.l.length"].Sample)
	assert.Equal(t, int64(3), *res["columns.l.unique"].UnexpectedCount)
	assert.Equal(t, []result.Failure{{Row: 4, Value: int64(500)}}, res["columns.i.range"].Sample)
	assert.Equal(t, []result.Failure{{Row: 0, Value: "2022-01-08"}, {Row: 2, Value: "2022-01-08"}}, res["columns.day.unique"].Sample)
}

func TestBindingErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := table(t, mem, peopleSchema, peopleRows)
	defer tbl.Release()
	for _, tc := range []struct{ suite, err string }{
		{"columns: {agee: {missing: 0}}", `expect: column "agee" is not in the data (did you mean "age"?); columns are: id, age, score, city, ok`},
		{"columns: {city: {mean: {min: 0}}}", `expect: columns.city.mean: column "city" is utf8; mean needs a numeric or boolean column`},
		{"columns: {age: {regex: x}}", `expect: columns.age.regex: column "age" is int64; regex needs a string column`},
		{`columns: {age: {in_set: ["5"]}}`, `expect: columns.age.in_set: column "age" is int64; the value "5" can never match it (write numbers without quotes)`},
		{`columns: {ok: {in_set: [1]}}`, `expect: columns.ok.in_set: column "ok" is bool; the value "1" can never match it (use true or false)`},
	} {
		rr := array.NewTableReader(tbl, 100)
		_, err := decode(t, tc.suite).Evaluate(context.Background(), rr, expect.Options{})
		rr.Release()
		assert.EqualError(t, err, tc.err)
	}
}

// TestBatchAndWorkerIndependence is the property that results do not depend
// on how the data is cut into batches nor on how many workers evaluate
// them: counts and samples are identical, float statistics agree to 1e-12.
func TestBatchAndWorkerIndependence(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "k", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "v", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	var b strings.Builder
	b.WriteString("[")
	// A deterministic pseudo-random sequence (an LCG), with nulls, repeats
	// and out-of-range values.
	x := uint64(12345)
	next := func() uint64 { x = x*6364136223846793005 + 1442695040888963407; return x >> 33 }
	for i := range 1000 {
		if i > 0 {
			b.WriteString(",")
		}
		k, v, s := "null", "null", "null"
		if next()%10 != 0 {
			k = strconv.Itoa(int(next() % 700))
		}
		if next()%13 != 0 {
			v = strconv.FormatFloat(float64(next()%100000)/100-100, 'f', -1, 64)
		}
		if next()%7 != 0 {
			s = `"` + []string{"red", "green", "blue", "teal", "Red"}[next()%5] + `"`
		}
		b.WriteString(`{"k":` + k + `,"v":` + v + `,"s":` + s + `}`)
	}
	b.WriteString("]")
	tbl := table(t, mem, schema, b.String())
	defer tbl.Release()
	s := decode(t, `
table: {row_count: {min: 1000, max: 1000}}
columns:
  k: {unique: {mostly: 0.1}, distinct: {min: 1}, range: {min: 0, max: 600}, imbalance: {min_count: 1}, median: {min: 0}, distinct_values: {contains: [1, 2, 999]}, missing: {min: 0}}
  v: {mean: {min: -1000}, stddev: {max: 1000}, sum: {min: -1e9}, median: {min: -1000}, quantiles: [{q: 0.1, min: -1000}, {q: 0.95, max: 1000}], range: {min: 0, mostly: 0.5}, missing: {max_fraction: 0.2},
      kl_divergence: {partition: {bins: [-100, 0, 100, 850], weights: [0.2, 0.3, 0.5]}, max: 0.5, tail_holdout: 0.1}}
  s: {in_set: [red, green, blue], regex: "^[a-z]+$", length: {max: 4}, imbalance: {min_fraction: 0.01}, unique: true, type: integer,
      chisquare: {partition: {values: [red, green, blue], weights: [0.4, 0.3, 0.3]}, alpha: 0.05, tail_holdout: 0.1},
      kl_divergence: {partition: {values: [red, green], weights: [0.5, 0.5]}, max: 1, tail_holdout: 0.2},
      distinct_values: {in_set: [red, green, blue, teal]}}
`)
	ref := evaluate(t, s, tbl, 1000, expect.Options{Workers: 1})
	for _, tc := range []struct {
		batch   int64
		workers int
	}{{1, 1}, {1, 2}, {7, 2}, {7, 3}, {64, 4}, {1000, 2}} {
		got := evaluate(t, s, tbl, tc.batch, expect.Options{Workers: tc.workers})
		require.Len(t, got, len(ref))
		for i := range ref {
			w, g := ref[i], got[i]
			assert.Equal(t, w.Status, g.Status, "batch %d workers %d %s", tc.batch, tc.workers, w.Name)
			assert.Equal(t, w.UnexpectedCount, g.UnexpectedCount, "%s", w.Name)
			assert.Equal(t, w.Sample, g.Sample, "%s", w.Name)
			if f, ok := w.Observed.(float64); ok {
				assert.InDelta(t, f, g.Observed, 1e-12*math.Max(1, math.Abs(f)), "%s", w.Name)
			} else {
				assert.Equal(t, w.Observed, g.Observed, "%s", w.Name)
			}
		}
	}
	// The new kinds hold evidence beyond counts: the partitions and the
	// distinct values must not depend on batches either.
	// They come from integer counts, so they agree exactly.
	cut := evaluate(t, s, tbl, 7, expect.Options{Workers: 3})
	for i, w := range ref {
		switch w.Kind {
		case "kl_divergence", "chisquare", "distinct_values":
			require.NotNil(t, w.Observed, "%s", w.Name)
			assert.Equal(t, w.Observed, cut[i].Observed, "%s", w.Name)
			assert.Equal(t, w.Details, cut[i].Details, "%s", w.Name)
		}
	}
	// Workers alone never change anything, floats included.
	a := evaluate(t, s, tbl, 7, expect.Options{Workers: 1})
	c := evaluate(t, s, tbl, 7, expect.Options{Workers: 3})
	assert.Equal(t, a, c)
}

// TestLargeBatches checks that a batch larger than a worker's share (the
// engine evaluates it in slices) gives the results of small batches, with
// row numbers that run on across slices and batches.
func TestLargeBatches(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "k", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "v", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	const n = 150_000
	bld := array.NewRecordBuilder(mem, schema)
	defer bld.Release()
	for i := range n {
		if i%97 == 0 {
			bld.Field(0).AppendNull()
		} else {
			bld.Field(0).(*array.Int64Builder).Append(int64(i % 140_000))
		}
		bld.Field(1).(*array.Float64Builder).Append(float64(i%1000) / 7)
	}
	rec := bld.NewRecordBatch()
	defer rec.Release()
	tbl := array.NewTableFromRecords(schema, []arrow.RecordBatch{rec})
	defer tbl.Release()
	s := decode(t, `
columns:
  k: {unique: {mostly: 0}, distinct: {min: 1}, missing: {max_fraction: 0.5}, range: {max: 100000, mostly: 0.1}}
  v: {mean: {min: 0}, stddev: {min: 0}, median: {min: 0}, range: {max: 100, mostly: 0.1}}
`)
	want := evaluate(t, s, tbl, 1000, expect.Options{Workers: 2})
	got := evaluate(t, s, tbl, n, expect.Options{Workers: 2})
	require.Len(t, got, len(want))
	for i, w := range want {
		g := got[i]
		assert.Equal(t, w.UnexpectedCount, g.UnexpectedCount, "%s", w.Name)
		assert.Equal(t, w.Sample, g.Sample, "%s", w.Name)
		if f, ok := w.Observed.(float64); ok {
			assert.InDelta(t, f, g.Observed, 1e-12*math.Max(1, math.Abs(f)), "%s", w.Name)
		} else {
			assert.Equal(t, w.Observed, g.Observed, "%s", w.Name)
		}
	}
	// k repeats the values below 10,000 (rows i and i+140,000) where
	// neither row is null.
	counts := map[int]int{}
	for i := range n {
		if i%97 != 0 {
			counts[i%140_000]++
		}
	}
	var repeated int64
	for _, c := range counts {
		if c > 1 {
			repeated += int64(c)
		}
	}
	assert.Equal(t, repeated, *got[0].UnexpectedCount, "k.unique")
	assert.Equal(t, int64(1), got[0].Sample[0].Row, "k.unique")
}

// stopReader wraps a reader: it calls stop before its batch number at,
// and reports err once the batches run out.
type stopReader struct {
	array.RecordReader
	n, at int
	stop  func()
	err   error
}

func (r *stopReader) Next() bool {
	if r.n == r.at && r.stop != nil {
		r.stop()
	}
	r.n++
	return r.RecordReader.Next()
}

func (r *stopReader) Err() error {
	if r.err != nil {
		return r.err
	}
	return r.RecordReader.Err()
}

// TestCancelAndReaderError checks that Evaluate stops on a cancelled
// context and returns a reader's error, releasing every batch it took.
func TestCancelAndReaderError(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := table(t, mem, peopleSchema, `[{"id": 1, "age": 30}, {"id": 2, "age": 40}, {"id": 3, "age": 50}, {"id": 4, "age": 60}]`)
	defer tbl.Release()
	s := decode(t, `columns: {id: {unique: true}, age: {median: {min: 0}}}`)

	ctx, cancel := context.WithCancel(context.Background())
	rr := &stopReader{RecordReader: array.NewTableReader(tbl, 1), at: 2, stop: cancel}
	_, err := s.Evaluate(ctx, rr, expect.Options{Workers: 2})
	rr.Release()
	assert.ErrorIs(t, err, context.Canceled)

	broken := errors.New("disk on fire")
	rr = &stopReader{RecordReader: array.NewTableReader(tbl, 1), at: -1, err: broken}
	_, err = s.Evaluate(context.Background(), rr, expect.Options{Workers: 2})
	rr.Release()
	assert.ErrorIs(t, err, broken)
}

// TestDenseWorkersSparseUnion: each worker's numeric keys are dense but
// their union is not (floats; integers far apart): distinct and unique
// count across workers without one bitmap over the whole range (which
// once panicked with makeslice: len out of range).
func TestDenseWorkersSparseUnion(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "k", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, nil)
	// Batches of two rows, one per worker:
	// x: (1, 1) (2, null) (NaN, 3) (3, 3) → values 1 1 2 3 3 3: 3 distinct, 5 repeated
	// k: (0, 1) (1e15, 1e15+1) (5, null) (1e15, 0) → 0 1 1e15 1e15+1 5 1e15 0: 5 distinct, 4 repeated
	tbl := table(t, mem, schema, `[
 {"x": 1, "k": 0}, {"x": 1, "k": 1},
 {"x": 2, "k": 1000000000000000}, {"x": null, "k": 1000000000000001},
 {"x": "NaN", "k": 5}, {"x": 3, "k": null},
 {"x": 3, "k": 1000000000000000}, {"x": 3, "k": 0}
]`)
	defer tbl.Release()
	s := decode(t, "columns: {x: {distinct: {min: 0}, unique: true}, k: {distinct: {min: 0}, unique: true}}")
	for _, workers := range []int{1, 3, 4} {
		res := byName(evaluate(t, s, tbl, 2, expect.Options{Workers: workers}))
		assert.Equal(t, int64(3), res["columns.x.distinct"].Observed, "workers %d", workers)
		assert.Equal(t, int64(5), *res["columns.x.unique"].UnexpectedCount, "workers %d", workers)
		assert.Equal(t, int64(5), res["columns.k.distinct"].Observed, "workers %d", workers)
		assert.Equal(t, int64(4), *res["columns.k.unique"].UnexpectedCount, "workers %d", workers)
	}
}
