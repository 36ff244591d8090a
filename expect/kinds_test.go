package expect_test

import (
	"context"
	"fmt"
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

var mixSchema = arrow.NewSchema([]arrow.Field{
	{Name: "k", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

// Seven rows:
//
//	k: 3 1 3 null 2 1 3      → distinct {1, 2, 3}, counts 2, 1, 3
//	x: -0.5 0.5 0.5 1 2 3 null → 6 values; against edges [0, 1, 2]:
//	   below 1 (-0.5), [0,1) 2, [1,2] 2 (2 is the last edge, included), above 1 (3)
//	s: a a b c null a b      → a 3, b 2, c 1
const mixRows = `[
 {"k": 3,    "x": -0.5, "s": "a"},
 {"k": 1,    "x": 0.5,  "s": "a"},
 {"k": 3,    "x": 0.5,  "s": "b"},
 {"k": null, "x": 1,    "s": "c"},
 {"k": 2,    "x": 2,    "s": null},
 {"k": 1,    "x": 3,    "s": "a"},
 {"k": 3,    "x": null, "s": "b"}
]`

func evalMix(t *testing.T, suite string) map[string]result.Check {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := table(t, mem, mixSchema, mixRows)
	defer tbl.Release()
	return byName(evaluate(t, decode(t, suite), tbl, 3, expect.Options{Workers: 2}))
}

func TestDistinctValues(t *testing.T) {
	res := evalMix(t, `
columns:
  k: {distinct_values: {in_set: [1, 2, 3, 4]}}
  s: {distinct_values: {equals: [a, b]}}
  x: {distinct_values: {contains: [0.5, 7]}}
`)
	k := res["columns.k.distinct_values"]
	assert.Equal(t, result.Pass, k.Status, k.Message)
	assert.Equal(t, map[string]any{"distinct": 3, "values": []any{int64(1), int64(2), int64(3)}, "counts": []int64{2, 1, 3}}, k.Observed)

	s := res["columns.s.distinct_values"]
	assert.Equal(t, result.Fail, s.Status)
	assert.Equal(t, `1 values not in the set: "c"`, s.Message)
	assert.Equal(t, map[string]any{"equals": []any{"a", "b"}}, s.Expected)

	x := res["columns.x.distinct_values"]
	assert.Equal(t, result.Fail, x.Status)
	assert.Equal(t, "1 expected values never occur: 7", x.Message)
}

func TestKLDivergenceHandComputed(t *testing.T) {
	res := evalMix(t, `
columns:
  x:
    kl_divergence: {partition: {bins: [0, 1, 2], weights: [0.5, 0.5]}, max: 0.1, tail_holdout: 0.2}
  s:
    kl_divergence: {partition: {values: [a, b], weights: [0.5, 0.5]}, max: 1, tail_holdout: 0.1}
  k:
    kl_divergence: {partition: {bins: [-.inf, 2, 3], weights: [0.5, 0.5]}, max: 1}
`)
	// x: observed (below, bins, above) = (1, 2, 2, 1)/6; expected: the bins'
	// weights scaled by 1 − 0.2 and the holdout split between the tails,
	// (0.1, 0.4, 0.4, 0.1).
	x := res["columns.x.kl_divergence"]
	wantX := 2*(1.0/6)*math.Log((1.0/6)/0.1) + 2*(2.0/6)*math.Log((2.0/6)/0.4)
	assert.InDelta(t, wantX, x.Observed, 1e-12)
	assert.Equal(t, result.Pass, x.Status, x.Message) // 0.0487 ≤ 0.1
	d := x.Details.(map[string]any)
	assert.Equal(t, map[string]any{"bins": []float64{0, 1, 2}, "weights": []any{2.0 / 6, 2.0 / 6}, "tail_weights": []any{1.0 / 6, 1.0 / 6}}, d["observed_partition"])
	assert.Equal(t, map[string]any{"bins": []float64{0, 1, 2}, "weights": []any{0.4, 0.4}, "tail_weights": []any{0.1, 0.1}}, d["expected_partition"])

	// s: observed a, b, c = 3/6, 2/6, 1/6; c is not listed, so the listed
	// weights are scaled by 0.9 and c expects the holdout: 0.45, 0.45, 0.1.
	s := res["columns.s.kl_divergence"]
	wantS := 0.5*math.Log(0.5/0.45) + (2.0/6)*math.Log((2.0/6)/0.45) + (1.0/6)*math.Log((1.0/6)/0.1)
	assert.InDelta(t, wantS, s.Observed, 1e-12)
	assert.Equal(t, result.Pass, s.Status)

	// k: 1 1 2 3 3 3 against (-Inf, 2) 0.5 and [2, 3] 0.5: the lower bin is
	// the lower tail and no value is above 3, so the divergence is finite:
	// observed (2/6, 4/6, 0), expected (0.5, 0.5, 0).
	k := res["columns.k.kl_divergence"]
	wantK := (2.0/6)*math.Log((2.0/6)/0.5) + (4.0/6)*math.Log((4.0/6)/0.5)
	assert.InDelta(t, wantK, k.Observed, 1e-12)

	// A value where the partition expects none: +Inf, a failure.
	inf := evalMix(t, "columns: {x: {kl_divergence: {partition: {bins: [0, 1, 2], weights: [0.5, 0.5]}, max: 5}}}")["columns.x.kl_divergence"]
	assert.Equal(t, "+Inf", inf.Observed)
	assert.Equal(t, result.Fail, inf.Status)
	assert.Contains(t, inf.Message, "add tail_holdout or internal_holdout")

	// internal_holdout goes to the bins of weight 0: bins [0,1) 1.0,
	// [1,2] 0 with internal 0.2 expect (0, 0.8, 0.2, 0) and the tails
	// hold no weight, so values below 0 and above 2 make it +Inf; with
	// edges wide enough, observed (2/6... ) is finite.
	in := evalMix(t, "columns: {x: {kl_divergence: {partition: {bins: [-1, 1, 4], weights: [1, 0]}, max: 5, internal_holdout: 0.2}}}")["columns.x.kl_divergence"]
	// x against [-1,1) and [1,4]: 3 and 3 of 6; expected 0.8 and 0.2.
	assert.InDelta(t, 0.5*math.Log(0.5/0.8)+0.5*math.Log(0.5/0.2), in.Observed, 1e-12)
}

func TestChiSquareHandComputed(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{{Name: "c", Type: arrow.BinaryTypes.String}}, nil)
	rows := func(counts map[string]int) arrow.Table {
		var b strings.Builder
		b.WriteString("[")
		for _, v := range []string{"A", "B", "C"} {
			for range counts[v] {
				if b.Len() > 1 {
					b.WriteString(",")
				}
				b.WriteString(`{"c": "` + v + `"}`)
			}
		}
		b.WriteString("]")
		return table(t, mem, schema, b.String())
	}
	// 30 A and 20 B against half and half: expected 25 and 25, statistic
	// 25/25 + 25/25 = 2 on 1 degree of freedom, p = erfc(√(2/2)) = erfc(1).
	t1 := rows(map[string]int{"A": 30, "B": 20})
	defer t1.Release()
	res := evaluate(t, decode(t, "columns: {c: {chisquare: {partition: {values: [A, B], weights: [0.5, 0.5]}, alpha: 0.1}}}"), t1, 7, expect.Options{Workers: 2})[0]
	assert.InDelta(t, math.Erfc(1), res.Observed, 1e-12)
	assert.Equal(t, result.Pass, res.Status, res.Message) // 0.157 > 0.1
	assert.Equal(t, 2.0, res.Details.(map[string]any)["statistic"])
	res = evaluate(t, decode(t, "columns: {c: {chisquare: {partition: {values: [A, B], weights: [0.5, 0.5]}, alpha: 0.2}}}"), t1, 7, expect.Options{})[0]
	assert.Equal(t, result.Fail, res.Status)

	// 30 A, 15 B, 5 C against A and B half and half with tail_holdout 0.1:
	// expected 22.5, 22.5 and 5 (C gets the holdout), statistic 2.5 + 2.5 +
	// 0 = 5 on 2 degrees of freedom, p = exp(−5/2).
	t2 := rows(map[string]int{"A": 30, "B": 15, "C": 5})
	defer t2.Release()
	res = evaluate(t, decode(t, "columns: {c: {chisquare: {partition: {values: [A, B], weights: [0.5, 0.5]}, alpha: 0.05, tail_holdout: 0.1}}}"), t2, 4, expect.Options{Workers: 3})[0]
	assert.InDelta(t, math.Exp(-2.5), res.Observed, 1e-12)
	assert.Equal(t, result.Pass, res.Status)
	// Without the holdout C is expected 0 times: the statistic is +Inf.
	res = evaluate(t, decode(t, "columns: {c: {chisquare: {partition: {values: [A, B], weights: [0.5, 0.5]}, alpha: 0.05}}}"), t2, 4, expect.Options{})[0]
	assert.Equal(t, 0.0, res.Observed)
	assert.Equal(t, result.Fail, res.Status)
}

func TestQuantileInterpolation(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.PrimitiveTypes.Float64}}, nil)
	tbl := table(t, mem, schema, `[{"v": 4}, {"v": 1}, {"v": 3}, {"v": 2}]`)
	defer tbl.Release()
	// 1 2 3 4: h = q·3. q 0.5: h 1.5; q 0.25: h 0.75; q 1/6: h 0.5, which
	// "nearest" rounds half to even, to index 0.
	want := map[string][3]float64{
		"linear":   {2.5, 1.75, 1.5},
		"lower":    {2, 1, 1},
		"higher":   {3, 2, 2},
		"nearest":  {3, 2, 1},
		"midpoint": {2.5, 1.5, 1.5},
	}
	for method, w := range want {
		s := decode(t, "columns: {v: {quantiles: {interpolation: "+method+", bounds: [{q: 0.5, min: 0}, {q: 0.25, min: 0}, {q: 0.16666666666666666, min: 0}]}}}")
		obs := evaluate(t, s, tbl, 3, expect.Options{})[0].Observed.([]any)
		for i := range w {
			assert.InDelta(t, w[i], obs[i].(map[string]any)["value"], 1e-12, "%s q%d", method, i)
		}
	}
}

func TestMissingSample(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := table(t, mem, peopleSchema, peopleRows)
	defer tbl.Release()
	// score: 1 2 3 4 NaN null 10 null → missing at rows 4 (NaN), 5, 7.
	res := evaluate(t, decode(t, "columns: {score: {missing: 0}}"), tbl, 3, expect.Options{Workers: 2})[0]
	assert.Equal(t, []result.Failure{{Row: 4}, {Row: 5}, {Row: 7}}, res.Sample)
	assert.Equal(t, int64(3), *res.UnexpectedCount)
	// Only a lower bound: the values expected to be missing are the others.
	res = evaluate(t, decode(t, "columns: {score: {missing: {min_fraction: 0.5}}}"), tbl, 3, expect.Options{Workers: 2})[0]
	assert.Equal(t, result.Fail, res.Status) // 3/8 < 0.5
	assert.Equal(t, int64(5), *res.UnexpectedCount)
	assert.Equal(t, []result.Failure{{Row: 0, Value: 1.0}, {Row: 1, Value: 2.0}, {Row: 2, Value: 3.0}, {Row: 3, Value: 4.0}, {Row: 6, Value: 10.0}}, res.Sample)
	res = evaluate(t, decode(t, "columns: {city: {missing: {min: 1}}}"), tbl, 3, expect.Options{SampleSize: 2})[0]
	assert.Equal(t, []result.Failure{{Row: 0, Value: "Paris"}, {Row: 1, Value: "Lyon"}}, res.Sample)
}

func TestNullTypeColumn(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	nb := array.NewNullBuilder(mem)
	defer nb.Release()
	nb.AppendNulls(3)
	nulls := nb.NewArray()
	defer nulls.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.Null, Nullable: true}}, nil)
	rec := array.NewRecordBatch(schema, []arrow.Array{nulls}, 3)
	defer rec.Release()
	tbl := array.NewTableFromRecords(schema, []arrow.RecordBatch{rec})
	defer tbl.Release()
	res := byName(evaluate(t, decode(t, `
columns:
  n: {range: {min: 0}, in_set: [a], regex: x, unique: true, mean: {min: 0}, missing: 0, distinct_values: {contains: [a]}}
`), tbl, 2, expect.Options{}))
	for _, k := range []string{"range", "in_set", "regex", "unique"} {
		assert.Equal(t, result.Pass, res["columns.n."+k].Status, "%s: nothing to check", k)
	}
	assert.Equal(t, result.Fail, res["columns.n.mean"].Status)
	assert.Equal(t, "mean undefined (no non-null values), expected ≥ 0", res["columns.n.mean"].Message)
	assert.Equal(t, []result.Failure{{Row: 0}, {Row: 1}, {Row: 2}}, res["columns.n.missing"].Sample)
	assert.Equal(t, result.Fail, res["columns.n.distinct_values"].Status)
}

func TestBooleanStatistics(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := table(t, mem, peopleSchema, peopleRows)
	defer tbl.Release()
	// ok: true true false true null true true true → 6 of 7 true.
	res := byName(evaluate(t, decode(t, "columns: {ok: {mean: {min: 0}, sum: {min: 6, max: 6}, min: {max: 0}, median: {min: 1, max: 1}}}"), tbl, 3, expect.Options{Workers: 2}))
	assert.InDelta(t, 6.0/7, res["columns.ok.mean"].Observed, 1e-15)
	for _, k := range []string{"sum", "min", "median"} {
		assert.Equal(t, result.Pass, res["columns.ok."+k].Status, res["columns.ok."+k].Message)
	}
}

func TestTypeMismatchFailsEveryValue(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := table(t, mem, peopleSchema, peopleRows)
	defer tbl.Release()
	res := evaluate(t, decode(t, "columns: {city: {type: [integer, boolean]}}"), tbl, 3, expect.Options{SampleSize: 3})[0]
	assert.Equal(t, result.Fail, res.Status)
	assert.Equal(t, int64(7), *res.UnexpectedCount) // the non-null values
	assert.Equal(t, []result.Failure{{Row: 0, Value: "Paris"}, {Row: 1, Value: "Lyon"}, {Row: 2, Value: "Paris"}}, res.Sample)
	res = evaluate(t, decode(t, "columns: {city: {type: string}}"), tbl, 3, expect.Options{})[0]
	assert.Equal(t, result.Pass, res.Status)
	assert.Equal(t, int64(0), *res.UnexpectedCount)

	// A timestamp's full form tells naive from zoned.
	naive := &arrow.TimestampType{Unit: arrow.Nanosecond}
	zoned := &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}
	assert.True(t, expect.TypeMatches(naive, "timestamp[ns]"))
	assert.False(t, expect.TypeMatches(zoned, "timestamp[ns]"))
	assert.True(t, expect.TypeMatches(zoned, "timestamp[ns, tz=UTC]"))
	assert.True(t, expect.TypeMatches(zoned, "timestamp"))
}

// TestDecodeNewKindErrors pins the messages for mistakes in the keys this
// package added for distributions and distinct-value sets.
func TestDecodeNewKindErrors(t *testing.T) {
	for _, tc := range []struct{ src, err string }{
		{"columns: {x: {kl_divergence: {max: 1}}}",
			"test.yaml:1:30: expectations.columns.x.kl_divergence: needs partition: {bins: [...], weights: [...]} or {values: [...], weights: [...]}"},
		{"columns: {x: {kl_divergence: {partition: {bins: [0, 1], weights: [1]}}}}",
			"test.yaml:1:30: expectations.columns.x.kl_divergence: needs max"},
		{"columns: {x: {kl_divergence: {partition: {bins: [0, 2, 1], weights: [0.5, 0.5]}, max: 1}}}",
			"test.yaml:1:42: expectations.columns.x.kl_divergence.partition: bin edges must increase: 1 after 2"},
		{"columns: {x: {kl_divergence: {partition: {bins: [0, 1, 2], weights: [0.5, 0.6]}, max: 1}}}",
			"test.yaml:1:42: expectations.columns.x.kl_divergence.partition: weights sum to 1.1, not 1"},
		{"columns: {x: {kl_divergence: {partition: {bins: [-.inf, 1, .inf], weights: [0.5, 0.5]}, max: 1, tail_holdout: 0.1}}}",
			"test.yaml:1:42: expectations.columns.x.kl_divergence.partition: tail_holdout does not apply when both end edges are infinite: there is no tail"},
		{"columns: {x: {kl_divergence: {partition: {values: [a, b], weights: [0.5, 0.5]}, max: 1, internal_holdout: 0.1}}}",
			"test.yaml:1:42: expectations.columns.x.kl_divergence.partition: internal_holdout applies to bins; a categorical partition has no empty bins"},
		{"columns: {x: {kl_divergence: {partition: {bins: [0, 1], weights: [1]}, max: 1, tail_holdout: 2}}}",
			"test.yaml:1:94: expectations.columns.x.kl_divergence.tail_holdout: must be a fraction between 0 and 1, got 2"},
		{"columns: {x: {chisquare: {partition: {bins: [0, 1], weights: [1]}, alpha: 0.05}}}",
			"test.yaml:1:38: expectations.columns.x.chisquare.partition: chi_square needs a categorical partition (values and weights); compare a numeric distribution with kl_divergence and bins"},
		{"columns: {x: {distinct_values: {equals: [1], in_set: [1, 2]}}}",
			"test.yaml:1:33: expectations.columns.x.distinct_values.equals: equals is in_set and contains at once; give either equals or in_set and contains"},
		{"columns: {x: {distinct_values: {contains: []}}}",
			"test.yaml:1:43: expectations.columns.x.distinct_values.contains: must list at least one value"},
		{"columns: {x: {quantiles: {bounds: [{q: 0.5, min: 0}], interpolation: nearst}}}",
			`test.yaml:1:70: expectations.columns.x.quantiles.interpolation: must be linear, lower, higher, nearest or midpoint, got "nearst" (did you mean "nearest"?)`},
		{"columns: {x: {type: \"timestamp[ns, tz=UTC\"}}",
			`test.yaml:1:21: expectations.columns.x.type: unknown type "timestamp[ns, tz=UTC" (did you mean "timestamp"?); types are Arrow type names (int64, float64, utf8, bool, date32, timestamp ...), integer, float, numeric, string, boolean, temporal, or a timestamp's full form (timestamp[ns], timestamp[ns, tz=UTC])`},
	} {
		var n yaml.Node
		require.NoError(t, yaml.Unmarshal([]byte(tc.src), &n))
		d := &yamlx.Decoder{File: "test.yaml"}
		expect.Decode(d, n.Content[0], "expectations")
		assert.EqualError(t, d.Err(), tc.err, tc.src)
	}
}

func TestPartitionOnWrongColumn(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := table(t, mem, mixSchema, mixRows)
	defer tbl.Release()
	rr := array.NewTableReader(tbl, 3)
	defer rr.Release()
	_, err := decode(t, "columns: {s: {kl_divergence: {partition: {bins: [0, 1], weights: [1]}, max: 1}}}").Evaluate(context.Background(), rr, expect.Options{})
	assert.EqualError(t, err, `expect: columns.s.kl_divergence: column "s" is utf8; kl_divergence needs a numeric column for a partition with bins`)
}

// TestStringKernelsAgree evaluates string checks on the same values held
// as utf8 (read by offsets), large_utf8, utf8_view and a dictionary
// (evaluated per entry): values of 0 to 9 bytes, values that differ only
// past their eighth byte, multi-byte characters, nulls, and short values
// at the very end of the data buffer.
func TestStringKernelsAgree(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	vals := []string{"abcdefgh", "", "a", "abcdefghi", "abcdefghj", "né", "ab", "abcdefgh", "zz", "a", "é", "abcdefgi", "b"}
	valid := make([]bool, 3*len(vals))
	var all []string
	for i := range valid {
		valid[i] = i%7 != 3
		all = append(all, vals[i%len(vals)])
	}
	dictType := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int16, ValueType: arrow.BinaryTypes.String}
	sb, lb, vb := array.NewStringBuilder(mem), array.NewLargeStringBuilder(mem), array.NewStringViewBuilder(mem)
	db := array.NewDictionaryBuilder(mem, dictType).(*array.BinaryDictionaryBuilder)
	sb.AppendValues(all, valid)
	lb.AppendValues(all, valid)
	vb.AppendValues(all, valid)
	for i, v := range all {
		if valid[i] {
			require.NoError(t, db.AppendString(v))
		} else {
			db.AppendNull()
		}
	}
	cols := []arrow.Array{sb.NewArray(), lb.NewArray(), vb.NewArray(), db.NewArray()}
	for _, b := range []array.Builder{sb, lb, vb, db} {
		b.Release()
	}
	var fields []arrow.Field
	for i, c := range cols {
		fields = append(fields, arrow.Field{Name: fmt.Sprintf("c%d", i), Type: c.DataType(), Nullable: true})
	}
	rec := array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, int64(len(all)))
	for _, c := range cols {
		c.Release()
	}
	defer rec.Release()
	tbl := array.NewTableFromRecords(rec.Schema(), []arrow.RecordBatch{rec})
	defer tbl.Release()

	set := []string{"abcdefgh", "", "né", "abcdefghi", "b"}
	inSet := map[string]bool{}
	for _, v := range set {
		inSet[v] = true
	}
	var wantIn, wantNotIn int64
	for i, v := range all {
		if valid[i] && !inSet[v] {
			wantIn++
		}
		if valid[i] && inSet[v] {
			wantNotIn++
		}
	}
	var src strings.Builder
	src.WriteString("columns:\n")
	quoted := make([]string, len(set))
	for i, v := range set {
		quoted[i] = strconv.Quote(v)
	}
	for i := range cols {
		fmt.Fprintf(&src, "  c%d: {in_set: [%s], not_in_set: [%s], regex: \"^[a-z]*$\", length: {max: 8}}\n", i, strings.Join(quoted, ", "), strings.Join(quoted, ", "))
	}
	for _, batch := range []int64{int64(len(all)), 5} {
		res := evaluate(t, decode(t, src.String()), tbl, batch, expect.Options{Workers: 2})
		require.Len(t, res, 4*len(cols))
		assert.Equal(t, wantIn, *res[0].UnexpectedCount, "in_set")
		assert.Equal(t, wantNotIn, *res[1].UnexpectedCount, "not_in_set")
		for c := 1; c < len(cols); c++ {
			for k := range 4 {
				w, g := res[k], res[4*c+k]
				assert.Equal(t, w.UnexpectedCount, g.UnexpectedCount, "%s vs %s", w.Name, g.Name)
				assert.Equal(t, w.Sample, g.Sample, "%s vs %s", w.Name, g.Name)
				assert.Equal(t, w.Observed, g.Observed, "%s vs %s", w.Name, g.Name)
			}
		}
	}
}
