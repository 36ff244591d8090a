package expect_test

import (
	"math"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/bound"
	"github.com/trustml/trustml/expect"
	"github.com/trustml/trustml/result"
)

// aggFuncs are the aggregate functions a SQL compiler knows.
var aggFuncs = []expect.AggFunc{expect.AggCount, expect.AggCountDistinct, expect.AggSum, expect.AggAvg,
	expect.AggStddevSamp, expect.AggMin, expect.AggMax, expect.AggQuantile, expect.AggHistogram}

// TestEveryKindDeclared decodes every registered kind's example, runs it,
// and checks its definition as aggregates: a kind cannot be registered
// without decoding, finishing and defining itself.
func TestEveryKindDeclared(t *testing.T) {
	kinds := expect.Kinds()
	require.GreaterOrEqual(t, len(kinds), 24)
	for _, k := range kinds {
		t.Run(string(k), func(t *testing.T) {
			assert.True(t, k.Known())
			var src string
			column := "x"
			switch {
			case k == expect.Rule:
				src = "rules: [" + k.Example() + "]"
				column = ""
			case k == expect.RequiredColumns || k == expect.ExactColumns:
				src = "table: {columns: {" + string(k) + ": [x]}}"
				column = ""
			case k.Table():
				src = "table: {" + string(k) + ": " + k.Example() + "}"
				column = ""
			case slices.Contains([]expect.Kind{expect.Regex, expect.Length, expect.InSet, expect.NotInSet, expect.ChiSquare, expect.DistinctValues,
				expect.NotRegex, expect.Like, expect.NotLike, expect.Date, expect.JSON}, k):
				src = "columns: {s: {" + string(k) + ": " + k.Example() + "}}"
				column = "s"
			case k == expect.Freshness:
				src = "columns: {t: {" + string(k) + ": " + k.Example() + "}}"
				column = "t"
			default:
				src = "columns: {x: {" + string(k) + ": " + k.Example() + "}}"
			}
			s := decode(t, src)
			require.Equal(t, 1, s.Len())
			c := s.Table
			if k == expect.Rule {
				c = s.Rules
			}
			if len(s.Columns) > 0 {
				c = s.Columns[0].Checks
			}
			require.Equal(t, k, c[0].Kind)
			assert.Equal(t, column, c[0].Column)

			def := c[0].Definition()
			assert.True(t, def.Schema || len(def.Aggregates) > 0, "%s has no definition", k)
			for _, a := range def.Aggregates {
				assert.Contains(t, aggFuncs, a.Func, "%s: %+v", k, a)
				assert.NotEmpty(t, a.Name)
				if column != "" && a.Arg != "" {
					assert.Contains(t, a.Arg, `"`+column+`"`)
				}
			}
			if k.RowWise() {
				assert.NotEmpty(t, def.Rule, "a row-wise kind states its rule")
			}

			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			schema := arrow.NewSchema([]arrow.Field{
				{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
				{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
				{Name: "t", Type: &arrow.TimestampType{Unit: arrow.Second, TimeZone: "UTC"}, Nullable: true},
			}, nil)
			tbl := table(t, mem, schema, `[{"x": 1, "s": "a", "t": 0}, {"x": 2, "s": "b", "t": 86400}, {"x": null, "s": null, "t": null}]`)
			defer tbl.Release()
			// Kinds that read another dataset read one with a column id.
			other := table(t, mem, arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Float64}}, nil), `[{"id": 1}]`)
			defer other.Release()
			res := evaluate(t, s, tbl, 2, expect.Options{Open: openTables(map[string]arrow.Table{"other.csv": other})})
			require.Len(t, res, 1)
			assert.Equal(t, string(k), res[0].Kind)
			assert.NotEmpty(t, res[0].Message)
		})
	}
}

// TestKindsInReadme: the README's tables of checks list every kind, and
// say row-wise exactly for the row-wise kinds.
func TestKindsInReadme(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	rows := map[string]string{}
	row := regexp.MustCompile("^\\| ((?:`[a-z_.]+`(?:, )?)+) \\|.*\\|([^|]*)\\|$")
	for _, line := range strings.Split(string(b), "\n") {
		if m := row.FindStringSubmatch(line); m != nil {
			for _, k := range strings.Split(m[1], ", ") {
				rows[strings.TrimPrefix(strings.Trim(k, "`"), "columns.")] = strings.TrimSpace(m[2])
			}
		}
	}
	for _, k := range expect.Kinds() {
		last, ok := rows[string(k)]
		if assert.True(t, ok, "README lists no %s", k) && !k.Table() {
			assert.Equal(t, k.RowWise(), last == "yes", "README's row-wise column for %s", k)
		}
	}
}

// TestChiSquareSpellings: chi_square is the kind's name; chisquare is
// accepted as the same kind.
func TestChiSquareSpellings(t *testing.T) {
	for _, key := range []string{"chi_square", "chisquare"} {
		s := decode(t, "columns: {s: {"+key+": {partition: {values: [a, b], weights: [0.5, 0.5]}, alpha: 0.05}}}")
		assert.Equal(t, expect.ChiSquare, s.Columns[0].Checks[0].Kind)
		assert.Equal(t, "columns.s.chi_square", s.Columns[0].Checks[0].Name())
	}
}

// TestTypeNamesOneTable: every name the type check accepts that names one
// type is one data.types reads, as the same type.
func TestTypeNamesOneTable(t *testing.T) {
	for _, name := range []string{"integer", "int64", "float", "float64", "string", "utf8", "bool", "boolean", "date32", "timestamp", "uint8"} {
		dt, err := expect.ReadType(name)
		require.NoError(t, err, name)
		assert.True(t, expect.TypeMatches(dt, name), "%s reads as %s, which type: %s rejects", name, dt, name)
		assert.True(t, expect.KnownType(name))
	}
	_, err := expect.ReadType("numeric")
	assert.EqualError(t, err, `type "numeric" cannot be read from text; types are bool, boolean, date32, float, float32, float64, int16, int32, int64, int8, integer, large_utf8, string, timestamp, uint16, uint32, uint64, uint8, utf8`)
	_, err = expect.ReadType("integr")
	assert.ErrorContains(t, err, `unknown type "integr" (did you mean "integer"?)`)
}

// TestSumOfNoValuesUndefined: the sum of an all-null column is undefined,
// as every statistic of no values (issue 19).
func TestSumOfNoValuesUndefined(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true}}, nil)
	tbl := table(t, mem, schema, `[{"x": null}, {"x": null}]`)
	defer tbl.Release()
	res := byName(evaluate(t, decode(t, "columns: {x: {sum: {min: -1, max: 1}}}"), tbl, 2, expect.Options{}))
	r := res["columns.x.sum"]
	assert.Equal(t, result.Fail, r.Status)
	assert.Equal(t, "sum undefined (no non-null values), expected [-1, 1]", r.Message)
	assert.Nil(t, r.Observed)
}

// TestIntegersCompareExactly: int64 and uint64 values beyond 2^53 meet
// bounds and sets exactly (issue 19), from a suite file and from code,
// at the extremes too.
func TestIntegersCompareExactly(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	b := array.NewRecordBuilder(mem, arrow.NewSchema([]arrow.Field{
		{Name: "i", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "u", Type: arrow.PrimitiveTypes.Uint64, Nullable: true},
	}, nil))
	defer b.Release()
	// Rows: 2^53+1, 2^53, MaxInt64, MinInt64, null.
	b.Field(0).(*array.Int64Builder).AppendValues([]int64{1<<53 + 1, 1 << 53, math.MaxInt64, math.MinInt64, 0}, []bool{true, true, true, true, false})
	b.Field(1).(*array.Uint64Builder).AppendValues([]uint64{1<<53 + 1, 1 << 53, math.MaxUint64, 0, 0}, []bool{true, true, true, true, false})
	rec := b.NewRecordBatch()
	defer rec.Release()
	tbl := array.NewTableFromRecords(rec.Schema(), []arrow.RecordBatch{rec})
	defer tbl.Release()

	res := byName(evaluate(t, decode(t, `
columns:
  i:
    range: {max: 9007199254740992}
    in_set: [9007199254740992, 9223372036854775807]
    not_in_set: [9007199254740993, -9223372036854775808]
  u:
    range: {min: 9007199254740993}
    in_set: [18446744073709551615, 9007199254740992]
    not_in_set: [18446744073709551615]
`), tbl, 5, expect.Options{}))
	unexpected := func(name string) []any {
		r := res[name]
		var vals []any
		for _, f := range r.Sample {
			vals = append(vals, f.Value)
		}
		assert.Equal(t, int64(len(vals)), *r.UnexpectedCount, name)
		return vals
	}
	// Hand-computed: each failing value named.
	assert.Equal(t, []any{int64(1<<53 + 1), int64(math.MaxInt64)}, unexpected("columns.i.range"))
	assert.Equal(t, []any{int64(1<<53 + 1), int64(math.MinInt64)}, unexpected("columns.i.in_set"))
	assert.Equal(t, []any{int64(1<<53 + 1), int64(math.MinInt64)}, unexpected("columns.i.not_in_set"))
	assert.Equal(t, []any{uint64(1 << 53), uint64(0)}, unexpected("columns.u.range"))
	assert.Equal(t, []any{uint64(1<<53 + 1), uint64(0)}, unexpected("columns.u.in_set"))
	assert.Equal(t, []any{uint64(math.MaxUint64)}, unexpected("columns.u.not_in_set"))

	// The same from code, with exact Values and the extremes as bounds.
	maxI := float64(math.MaxInt64) // 2^63: above every int64
	s := &expect.Suite{Columns: []expect.Column{
		{Name: "i", Checks: []expect.Check{
			{Kind: expect.InSet, Set: []expect.Value{expect.IntValue(1 << 53), expect.IntValue(math.MinInt64)}},
			{Kind: expect.Range, Interval: bound.Interval{Max: &maxI, StrictMax: true}},
		}},
		{Name: "u", Checks: []expect.Check{
			{Kind: expect.InSet, Set: []expect.Value{expect.UintValue(math.MaxUint64)}},
		}},
	}}
	res = byName(evaluate(t, s, tbl, 2, expect.Options{}))
	assert.Equal(t, []any{int64(1<<53 + 1), int64(math.MaxInt64)}, unexpected("columns.i.in_set"))
	assert.Empty(t, unexpected("columns.i.range"))
	assert.Equal(t, []any{uint64(1<<53 + 1), uint64(1 << 53), uint64(0)}, unexpected("columns.u.in_set"))
}
