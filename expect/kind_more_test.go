package expect_test

import (
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"

	"github.com/trustml/trustml/expect"
	"github.com/trustml/trustml/result"
)

var moreSchema = arrow.NewSchema([]arrow.Field{
	{Name: "v", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "k", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "z", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
}, nil)

// Ten rows:
//
//	v: 1 2 2 null 5 4 6 7 7 3
//	k: 10 9 8 7 6 5 4 3 2 1
//	s: a a b b c null null null null null
//	z: 1 2 3 4 100 null ...
const moreRows = `[
 {"v": 1,    "k": 10, "s": "a",  "z": 1},
 {"v": 2,    "k": 9,  "s": "a",  "z": 2},
 {"v": 2,    "k": 8,  "s": "b",  "z": 3},
 {"v": null, "k": 7,  "s": "b",  "z": 4},
 {"v": 5,    "k": 6,  "s": "c",  "z": 100},
 {"v": 4,    "k": 5,  "s": null, "z": null},
 {"v": 6,    "k": 4,  "s": null, "z": null},
 {"v": 7,    "k": 3,  "s": null, "z": null},
 {"v": 7,    "k": 2,  "s": null, "z": null},
 {"v": 3,    "k": 1,  "s": null, "z": null}
]`

func evalMore(t *testing.T, suite string, workers int) map[string]result.Check {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := table(t, mem, moreSchema, moreRows)
	defer tbl.Release()
	return byName(evaluate(t, decode(t, suite), tbl, 2, expect.Options{Workers: workers}))
}

func TestMonotonicHandComputed(t *testing.T) {
	for _, workers := range []int{1, 3} {
		res := evalMore(t, `
columns:
  v:
    monotonic: increasing
  k:
    monotonic: {direction: decreasing, strict: true}
  z:
    monotonic: {direction: increasing, strict: true, mostly: 0.5}
`, workers)
		// 1 2 2 _ 5 4 6 7 7 3: 4 after 5 (row 5) and 3 after 7 (row 9),
		// across batch boundaries (batches of two rows) and workers.
		inc := res["columns.v.monotonic"]
		assert.Equal(t, []int64{5, 9}, failing(inc), "workers %d", workers)
		assert.Equal(t, int64(9), *inc.ElementCount)
		assert.Equal(t, result.Pass, res["columns.k.monotonic"].Status)
		assert.Equal(t, result.Pass, res["columns.z.monotonic"].Status)
	}
	res := evalMore(t, `
columns:
  v:
    monotonic: {direction: increasing, strict: true}
  s:
    monotonic: decreasing
`, 2)
	// Strictly: the repeated 2 (row 2) and 7 (row 8) fail too.
	assert.Equal(t, []int64{2, 5, 8, 9}, failing(res["columns.v.monotonic"]))
	// Strings by their order: a a b b c increase, so decreasing fails at
	// rows 2 and 4.
	assert.Equal(t, []int64{2, 4}, failing(res["columns.s.monotonic"]))

	// Ordered by k (descending: the data backwards): 3 7 7 6 4 5 2 2 1;
	// decreasing breaks at 7 after 3 (row 8) and 5 after 4 (row 4).
	by := evalMore(t, `columns: {v: {monotonic: {direction: decreasing, by: k}}}`, 3)["columns.v.monotonic"]
	assert.Equal(t, []int64{4, 8}, failing(by))
	assert.Equal(t, map[string]any{"direction": "decreasing", "strict": false, "by": "k"}, by.Expected)
}

func TestZScoreHandComputed(t *testing.T) {
	// z: 1 2 3 4 100, mean 22, squared deviations 441 400 361 324 6084,
	// sd √(7610/4); 100's z-score is 78/sd ≈ 1.788.
	sd := math.Sqrt(7610.0 / 4)
	res := evalMore(t, `
columns:
  z:
    zscore: {max: 1.5, mostly: 0.8}
  v:
    zscore: {min: -1.2, max: 1.2}
`, 3)
	z := res["columns.z.zscore"]
	assert.Equal(t, []int64{4}, failing(z))
	assert.Equal(t, result.Pass, z.Status)
	assert.InDelta(t, sd, z.Details.(map[string]any)["stddev"], 1e-12)
	assert.Contains(t, z.Message, "1 of 5 values with z-score not ≤ 1.5 (20.0%)")
	// v: 1 2 2 5 4 6 7 7 3, mean 37/9; sd² = Σ(v − mean)²/8 = (193 − 37²/9)/8.
	mean := 37.0 / 9
	vsd := math.Sqrt((193 - 37.0*37/9) / 8)
	var want []int64
	for i, v := range []float64{1, 2, 2, math.NaN(), 5, 4, 6, 7, 7, 3} {
		if z := (v - mean) / vsd; !math.IsNaN(v) && (z < -1.2 || z > 1.2) {
			want = append(want, int64(i))
		}
	}
	assert.Equal(t, want, failing(res["columns.v.zscore"]))
	assert.Equal(t, []int64{0, 7, 8}, want) // 1 (z −1.38), 7 and 7 (z 1.28)
}

func TestMostCommonHandComputed(t *testing.T) {
	res := evalMore(t, `
columns:
  s:
    most_common: [a]
  v:
    most_common: {in_set: [2], ties_ok: true}
  k:
    most_common: [1, 2]
`, 2)
	// a and b occur twice each: b, outside the set, ties with a.
	s := res["columns.s.most_common"]
	assert.Equal(t, result.Fail, s.Status)
	assert.Equal(t, map[string]any{"most_common": []any{"a", "b"}, "count": int64(2)}, s.Observed)
	assert.Equal(t, `most common "a", "b" (2 times), not in {"a"}`, s.Message)
	// 2 and 7 occur twice; ties_ok accepts 7 beside 2.
	assert.Equal(t, result.Pass, res["columns.v.most_common"].Status)
	// Every k occurs once: all ten are most common, eight outside.
	assert.Equal(t, result.Fail, res["columns.k.most_common"].Status)
}
