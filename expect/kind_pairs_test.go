package expect_test

import (
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/expect"
	"github.com/trustml/trustml/result"
)

var pairSchema = arrow.NewSchema([]arrow.Field{
	{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "b", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "c", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "t", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

// Seven rows:
//
//	a: 1    2    3    null 5    6    7
//	b: 1    2.5  3    4    null 5    8
//	c: 9    8    7    6    5    null 3
//	s: x    x    y    y    x    y    x
//	t: p    p    q    q    p    q    q
const pairRows = `[
 {"a": 1,    "b": 1,    "c": 9,    "s": "x", "t": "p"},
 {"a": 2,    "b": 2.5,  "c": 8,    "s": "x", "t": "p"},
 {"a": 3,    "b": 3,    "c": 7,    "s": "y", "t": "q"},
 {"a": null, "b": 4,    "c": 6,    "s": "y", "t": "q"},
 {"a": 5,    "b": null, "c": 5,    "s": "x", "t": "p"},
 {"a": 6,    "b": 5,    "c": null, "s": "y", "t": "q"},
 {"a": 7,    "b": 8,    "c": 3,    "s": "x", "t": "q"}
]`

func evalPairs(t *testing.T, suite string) map[string]result.Check {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := table(t, mem, pairSchema, pairRows)
	defer tbl.Release()
	// Batches of 2 rows on 3 workers: rows reach the accumulators out of
	// order, and the samples still come out by row.
	return byName(evaluate(t, decode(t, suite), tbl, 2, expect.Options{Workers: 3}))
}

func TestComparePairsHandComputed(t *testing.T) {
	res := evalPairs(t, `
columns:
  a:
    compare: "= b"
    pair_in_set: {column: c, pairs: [[1, 9], [2, 8], [3, 7], [7, 3]], ignore: both}
    row_sum: {columns: [c], value: 10, mostly: 0.5}
  b:
    compare: {op: "<", column: a, ignore: both, mostly: 0.1}
`)
	// a = b over the rows with both: rows 0 1 2 5 6; 2 ≠ 2.5, 6 ≠ 5, 7 ≠ 8.
	eq := res["columns.a.compare"]
	assert.Equal(t, result.Fail, eq.Status)
	assert.Equal(t, int64(5), *eq.ElementCount)
	assert.Equal(t, []int64{1, 5, 6}, failing(eq))
	assert.Equal(t, []any{int64(2), 2.5}, eq.Sample[0].Value)
	assert.Equal(t, "3 of 5 rows breaking a = b (60.0%), e.g. row 1: a = 2, b = 2.5", eq.Message)

	// (a, c) in the set, one missing value failing: rows 3 (null, 6),
	// 4 (5, 5) and 5 (6, null) fail; row 6 (7, 3) is listed.
	ps := res["columns.a.pair_in_set"]
	assert.Equal(t, int64(7), *ps.ElementCount)
	assert.Equal(t, []int64{3, 4, 5}, failing(ps))

	// a + c = 10: rows 0 1 2 4 6 (row 3 and 5 have a null): 10 10 10 10 10.
	rs := res["columns.a.row_sum"]
	assert.Equal(t, int64(5), *rs.ElementCount)
	assert.Equal(t, int64(0), *rs.UnexpectedCount)

	// b < a with ignore both: rows 3 and 4 have one missing value and
	// fail; of the others b < a holds only in row 5 (5 < 6). 1 of 7
	// rows pass, 0.143 ≥ mostly 0.1.
	lt := res["columns.b.compare"]
	assert.Equal(t, int64(7), *lt.ElementCount)
	assert.Equal(t, []int64{0, 1, 2, 3, 4, 6}, failing(lt))
	assert.Equal(t, result.Pass, lt.Status)
}

func TestCramersVHandComputed(t *testing.T) {
	res := evalPairs(t, `
columns:
  s: {cramers_v: {column: t, max: 0.5}}
  a: {cramers_v: {column: a, max: 0.9}}
`)
	// s × t: x/p 3, x/q 1, y/q 3, y/p 0; a 2×2 table, Yates-corrected.
	// Row sums 4, 3; column sums 3, 4; n = 7. Expected: x/p 12/7, x/q
	// 16/7, y/p 9/7, y/q 12/7; |O − E| = 9/7 everywhere, corrected 9/7 −
	// 1/2 = 11/14. χ² = (11/14)² (7/12 + 7/16 + 7/9 + 7/12) and V = √(χ²/7).
	d := 11.0 / 14
	chi2 := d * d * (7.0/12 + 7.0/16 + 7.0/9 + 7.0/12)
	v := res["columns.s.cramers_v"]
	assert.InDelta(t, math.Sqrt(chi2/7), v.Observed, 1e-12)
	assert.InDelta(t, 11.0/24, v.Observed, 1e-12) // χ² = 121·343/(196·144), χ²/7 = (11/24)²
	assert.Equal(t, result.Pass, v.Status)        // ≤ 0.5

	// A column against itself: V = 1 (6 values, each its own class).
	self := res["columns.a.cramers_v"]
	assert.InDelta(t, 1, self.Observed, 1e-12)
	assert.Equal(t, result.Fail, self.Status)
}

func TestPairErrors(t *testing.T) {
	for src, want := range map[string]string{
		`columns: {a: {compare: "== b"}}`:                                 `must be "OP column"`,
		`columns: {a: {compare: {op: "<"}}}`:                              "needs column",
		`columns: {a: {compare: {column: b}}}`:                            "needs op",
		`columns: {a: {pair_in_set: {column: b, pairs: [[1, 2, 3]]}}}`:    "a pair has two values, got 3",
		`columns: {a: {row_sum: {columns: [b], value: 1, max: 2}}}`:       "value is min and max at once",
		`columns: {a: {row_sum: {columns: [b]}}}`:                         "needs at least one of min, max or value",
		`columns: {a: {cramers_v: {column: b}}}`:                          "needs max",
		`columns: {a: {compare: {op: "=", column: b, ignore: neither}}}`:  `"neither"`,
		`columns: {a: {row_sum: {columns: [b], value: 1, ignore: both}}}`: `"both"`,
	} {
		assert.Contains(t, decodeProblem(t, src), want, src)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := table(t, mem, pairSchema, pairRows)
	defer tbl.Release()
	for src, want := range map[string]string{
		`columns: {a: {compare: "> s"}}`:                            `their values can never compare`,
		`columns: {a: {compare: "> nope"}}`:                         `column "nope" is not in the data`,
		`columns: {a: {row_sum: {columns: [s], max: 1}}}`:           "row_sum adds numeric columns",
		`columns: {a: {pair_in_set: {column: s, pairs: [[1, x]]}}}`: `never compare`,
	} {
		s := decode(t, src)
		rr := array.NewTableReader(tbl, 3)
		_, err := s.Evaluate(t.Context(), rr, expect.Options{})
		rr.Release()
		require.Error(t, err, src)
		assert.Contains(t, err.Error(), want, src)
	}
}

// TestNamesIncludeOtherColumns: a reader projected onto Suite.Names
// carries the other columns that pair, sum and order checks read.
func TestNamesIncludeOtherColumns(t *testing.T) {
	s := decode(t, `
columns:
  end: {compare: ">= start"}
  a: {row_sum: {columns: [b, end], value: 1}, monotonic: {direction: increasing, by: ts}, cramers_v: {column: s, max: 0.5}}
`)
	assert.Equal(t, []string{"end", "a", "start", "b", "ts", "s"}, s.Names())
}
