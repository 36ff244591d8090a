package expect_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/expect"
	"github.com/trustml/trustml/expr"
	"github.com/trustml/trustml/result"
)

// whereSuite filters the people rows at every level. The suite's filter
// (ok OR ok IS NULL) drops row 2 (ok false) and keeps rows 0 1 3 4 5 6 7.
// Hand-computed, per check:
//
//	row_count            7 rows kept
//	age.range [0,120]    ages 30 -1 150 20 null 60 30: 6 values, rows 1 and 3 fail, 1 null
//	age.missing (Paris)  rows 0 and 5: ages 30, null: 1 missing of 2
//	score (id >= 3)      rows 3 4 5 6: scores 4 NaN null 10: mean 7; range max 5: row 6 fails; 2 nulls
//	id.unique (age<100)  rows 0 1 4 6 7: ids 1 2 5 7 null: no repeat (5 repeats without the filter)
//	city.in_set          length(city) > 0 keeps rows 0 1 4 5 7 (row 3 NULL, row 6 ""): row 4 (Nice) fails
//	rules.adult          age >= 18 over the 7 rows: row 1 FALSE, row 5 NULL: 6 evaluated, 1 unexpected, 1 null
//	rules.score below age  (id <> 7: rows 0 1 3 4 5) score < age: row 1 (2 < -1) FALSE,
//	                     row 4 (NaN < 20: NaN sorts above every number) FALSE, row 5 NULL
const whereSuite = `
where: ok OR ok IS NULL
table: {row_count: {min: 7, max: 7}}
columns:
  age:
    range: {min: 0, max: 120}
    missing: {max: 0, where: "city = 'Paris'"}
  score:
    where: id >= 3
    mean: {min: 6.9, max: 7.1}
    range: {max: 5}
  id:
    unique: {where: "age < 100"}
  city:
    in_set: {values: [Paris, Lyon], where: "length(city) > 0"}
rules:
  - {name: adult, expect: "age >= 18", mostly: 0.5}
  - {name: score below age, expect: "score < age", where: "id <> 7", severity: warn}
`

func TestWhereAndRules(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := table(t, mem, peopleSchema, peopleRows)
	defer tbl.Release()
	var first []result.Check
	for _, run := range []struct {
		batch   int64
		workers int
	}{{8, 1}, {3, 1}, {2, 3}, {1, 4}} {
		res := evaluate(t, decode(t, whereSuite), tbl, run.batch, expect.Options{Workers: run.workers})
		if first == nil {
			first = res
			checkWhereResults(t, res)
			continue
		}
		assert.Equal(t, first, res, "batch %d, %d workers", run.batch, run.workers)
	}
}

func checkWhereResults(t *testing.T, res []result.Check) {
	t.Helper()
	names := make([]string, len(res))
	for i, r := range res {
		names[i] = r.Name
	}
	assert.Equal(t, []string{"table.row_count", "columns.age.range", "columns.age.missing", "columns.score.mean",
		"columns.score.range", "columns.id.unique", "columns.city.in_set", "rules.adult", "rules.score below age"}, names)
	m := byName(res)
	suiteWhere := "ok OR ok IS NULL"

	rc := m["table.row_count"]
	assert.Equal(t, result.Pass, rc.Status)
	assert.Equal(t, suiteWhere, rc.Where)
	assert.Equal(t, int64(7), *rc.WhereRows)

	ar := m["columns.age.range"]
	assert.Equal(t, result.Fail, ar.Status)
	assert.Equal(t, suiteWhere, ar.Where)
	assert.Equal(t, int64(7), *ar.WhereRows)
	assert.Equal(t, int64(6), *ar.ElementCount)
	assert.Equal(t, int64(2), *ar.UnexpectedCount)
	assert.Equal(t, int64(1), *ar.NullCount)
	assert.Equal(t, []result.Failure{{Row: 1, Value: int64(-1)}, {Row: 3, Value: int64(150)}}, ar.Sample)
	assert.Contains(t, ar.Message, "(where ok OR ok IS NULL: 7 rows)")

	am := m["columns.age.missing"]
	assert.Equal(t, "(ok OR ok IS NULL) AND (city = 'Paris')", am.Where)
	assert.Equal(t, int64(2), *am.WhereRows)
	assert.Equal(t, int64(2), *am.ElementCount)
	assert.Equal(t, int64(1), *am.NullCount)
	assert.Equal(t, []result.Failure{{Row: 5, Value: nil}}, am.Sample)

	sm := m["columns.score.mean"]
	assert.Equal(t, result.Pass, sm.Status)
	assert.Equal(t, int64(4), *sm.WhereRows)
	assert.InDelta(t, 7.0, sm.Observed, 1e-12)
	sr := m["columns.score.range"]
	assert.Equal(t, int64(2), *sr.ElementCount)
	assert.Equal(t, int64(2), *sr.NullCount)
	assert.Equal(t, []result.Failure{{Row: 6, Value: 10.0}}, sr.Sample)

	u := m["columns.id.unique"]
	assert.Equal(t, result.Pass, u.Status, u.Message)
	assert.Equal(t, int64(5), *u.WhereRows)
	assert.Equal(t, int64(4), *u.ElementCount)

	in := m["columns.city.in_set"]
	assert.Equal(t, int64(5), *in.WhereRows)
	assert.Equal(t, int64(5), *in.ElementCount)
	assert.Equal(t, []result.Failure{{Row: 4, Value: "Nice"}}, in.Sample)

	ad := m["rules.adult"]
	assert.Equal(t, result.Pass, ad.Status)
	assert.Equal(t, "rule", ad.Kind)
	assert.Equal(t, int64(6), *ad.ElementCount)
	assert.Equal(t, int64(1), *ad.UnexpectedCount)
	assert.Equal(t, int64(1), *ad.NullCount)
	require.Len(t, ad.Sample, 1)
	assert.Equal(t, int64(1), ad.Sample[0].Row)
	assert.Equal(t, result.Tuple{{Column: "age", Value: int64(-1)}}, ad.Sample[0].Value)
	assert.Equal(t, "(age=-1)", result.ShowValue(ad.Sample[0].Value))
	assert.Contains(t, ad.Message, "1 of 6 rows break age >= 18")
	assert.Contains(t, ad.Message, "1 row is NULL (counted as null, neither passed nor failed)")

	sb := m["rules.score below age"]
	assert.Equal(t, result.Warn, sb.Status)
	assert.Equal(t, "(ok OR ok IS NULL) AND (id <> 7)", sb.Where)
	assert.Equal(t, int64(5), *sb.WhereRows)
	assert.Equal(t, int64(4), *sb.ElementCount)
	assert.Equal(t, int64(2), *sb.UnexpectedCount)
	assert.Equal(t, int64(1), *sb.NullCount)
	require.Len(t, sb.Sample, 2)
	assert.Equal(t, []int64{1, 4}, []int64{sb.Sample[0].Row, sb.Sample[1].Row})
	assert.Equal(t, "(score=2, age=-1)", result.ShowValue(sb.Sample[0].Value), "the rule's columns in its order")
	assert.Equal(t, "(score=null, age=20)", result.ShowValue(sb.Sample[1].Value), "NaN is shown as JSON shows it: null")
}

// failedRows collects what Evaluate streams to the failed-rows output.
type failedRows struct {
	schema *arrow.Schema
	rows   []string
	calls  int
}

func (f *failedRows) Begin(s *arrow.Schema) error { f.schema = s; return nil }

func (f *failedRows) Write(rec arrow.RecordBatch) error {
	f.calls++
	for i := 0; i < int(rec.NumRows()); i++ {
		var cells []string
		for _, c := range rec.Columns() {
			cells = append(cells, c.ValueStr(i))
		}
		f.rows = append(f.rows, strings.Join(cells, "|"))
	}
	return nil
}

// TestFailedRows: every row failing a row-wise check or a rule, once, in
// row order whatever the batches and workers, with the names of the checks
// it failed (in suite order) and the columns they name. Hand-computed from
// whereSuite: age.range fails rows 1 and 3, score.range row 6,
// city.in_set row 4, adult row 1, score below age rows 1 and 4.
func TestFailedRows(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := table(t, mem, peopleSchema, peopleRows)
	defer tbl.Release()
	// id.unique (under age < 100) repeats no id: row 5's 5 is left out.
	want := []string{
		"1|columns.age.range, rules.adult, rules.score below age|-1|2|2|Lyon",
		"3|columns.age.range|150|4|4|(null)",
		"4|columns.city.in_set, rules.score below age|20|NaN|5|Nice",
		"6|columns.score.range|60|10|7|",
	}
	for _, run := range []struct {
		batch   int64
		workers int
	}{{8, 1}, {2, 3}, {1, 4}} {
		out := &failedRows{}
		reads := 0
		evaluate(t, decode(t, whereSuite), tbl, run.batch, expect.Options{Workers: run.workers, FailedRows: out, Reread: rereadTable(tbl, 3, &reads)})
		require.NotNil(t, out.schema)
		var names []string
		for _, f := range out.schema.Fields() {
			names = append(names, f.Name)
		}
		assert.Equal(t, []string{"row", "failed_checks", "age", "score", "id", "city"}, names)
		assert.Equal(t, want, out.rows, "batch %d, %d workers", run.batch, run.workers)
		assert.Equal(t, 1, reads, "the second read writes the rows")
	}

	// With a key, the key's columns instead; a data column named row
	// moves the row number to _row.
	s := decode(t, "key: [id]\ncolumns: {age: {range: {min: 0, max: 120}}}")
	out := &failedRows{}
	evaluate(t, s, tbl, 3, expect.Options{Workers: 2, FailedRows: out})
	assert.Equal(t, []string{"1|columns.age.range|2", "3|columns.age.range|4"}, out.rows)
	assert.Equal(t, "id", out.schema.Field(2).Name)
}

// TestFailedRowsOfKeys: the rows failing key checks, known only at the
// end of the pass, merge with the others in row order, from a second read
// of the data. By hand over peopleRows: (city, ok) repeats (Paris, true)
// at rows 0 and 5 and (Lyon, true) at 1 and 7; age 30 at row 7 repeats
// row 0; id 5 repeats at rows 4 and 5; among the rows with age < 100
// (0, 1, 2, 4, 6, 7) city repeats Paris at 0 and 2 and Lyon at 1 and 7;
// age is outside [0, 120] at rows 1 and 3.
func TestFailedRowsOfKeys(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := table(t, mem, peopleSchema, peopleRows)
	defer tbl.Release()
	const suite = `
table:
  unique: [city, ok]
  duplicate_rows: {max: 0, columns: [age]}
columns:
  id: {unique: true}
  age: {range: {min: 0, max: 120}}
  city: {unique: {where: "age < 100"}}
`
	want := []string{
		"0|table.unique_key, columns.city.unique|Paris|true|30|1",
		"1|table.unique_key, columns.age.range, columns.city.unique|Lyon|true|-1|2",
		"2|columns.city.unique|Paris|false|45|3",
		"3|columns.age.range|(null)|true|150|4",
		"4|columns.id.unique|Nice|(null)|20|5",
		"5|table.unique_key, columns.id.unique|Paris|true|(null)|5",
		"7|table.unique_key, table.duplicate_rows, columns.city.unique|Lyon|true|30|(null)",
	}
	for _, run := range []struct {
		batch   int64
		workers int
	}{{8, 1}, {3, 2}, {1, 3}} {
		out := &failedRows{}
		reads := 0
		evaluate(t, decode(t, suite), tbl, run.batch, expect.Options{Workers: run.workers, FailedRows: out, Reread: rereadTable(tbl, 2, &reads)})
		var names []string
		for _, f := range out.schema.Fields() {
			names = append(names, f.Name)
		}
		assert.Equal(t, []string{"row", "failed_checks", "city", "ok", "age", "id"}, names)
		assert.Equal(t, want, out.rows, "batch %d, %d workers", run.batch, run.workers)
		// Once for the failed rows, once for each key check's repeated
		// hashes, and once more for each key check that compared the
		// keys of a batch judged in increasing order: in one batch of 8,
		// neither key increases (Lyon after Paris, 45 after -1); in
		// batches of 1, every batch increases; in batches of 3 on two
		// workers, it depends on which worker reads which batch.
		switch run.batch {
		case 8:
			assert.Equal(t, 3, reads)
		case 1:
			assert.Equal(t, 5, reads)
		default:
			assert.True(t, reads >= 3 && reads <= 5, "%d reads", reads)
		}
	}

	// Without a way to read the data again, an error before the pass.
	rr := array.NewTableReader(tbl, 3)
	defer rr.Release()
	_, err := decode(t, suite).Evaluate(context.Background(), rr, expect.Options{FailedRows: &failedRows{}})
	assert.EqualError(t, err, "expect: failed rows: the rows failing table.unique_key are known only at the end of the pass and come from a second read of the data, which cannot be read twice (Options.Reread is nil): read it from a file")

	// Data that changed between the two reads is an error.
	short := table(t, mem, peopleSchema, peopleRows[:strings.LastIndex(peopleRows, ",\n")]+"]")
	defer short.Release()
	rr2 := array.NewTableReader(tbl, 3)
	defer rr2.Release()
	reads := 0
	_, err = decode(t, "columns: {id: {unique: true}}").Evaluate(context.Background(), rr2, expect.Options{FailedRows: &failedRows{}, Reread: rereadTable(short, 3, &reads)})
	assert.EqualError(t, err, "expect: failed rows: the data changed between its two reads: 8 rows, then 7")
}

// TestExpressionErrors: a filter or a rule that does not fit the data's
// schema is an error naming the check, the place in the expression and a
// hint, every problem at once.
func TestExpressionErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := table(t, mem, peopleSchema, peopleRows)
	defer tbl.Release()
	s := &expect.Suite{
		Where: expect.MustExpression("agee > 1"),
		Rules: []expect.Check{
			{Kind: expect.Rule, RuleName: "r", Expect: expect.MustExpression("city + 1 > 0")},
			{Kind: expect.Rule, RuleName: "n", Expect: expect.MustExpression("age + 1")},
		},
	}
	rr := array.NewTableReader(tbl, 4)
	defer rr.Release()
	_, err := s.Evaluate(context.Background(), rr, expect.Options{})
	var xe expect.ExpressionErrors
	require.True(t, errors.As(err, &xe), "%v", err)
	require.Len(t, xe, 3)
	assert.Equal(t, `expect: where: 1:1: unknown column agee (did you mean age?)`, xe[0].Error())
	assert.Equal(t, "rules.r", xe[1].Check)
	assert.Equal(t, "rules.n", xe[2].Check)
	assert.Contains(t, xe[2].Error(), "want a condition (BOOLEAN)")

	// A suite built in code validates its rules too.
	bad := &expect.Suite{Rules: []expect.Check{
		{Kind: expect.Rule, RuleName: "a", Expect: expect.MustExpression("age > 0")},
		{Kind: expect.Rule, RuleName: "a", Expect: expect.MustExpression("age > 1")},
	}}
	assert.ErrorContains(t, bad.Validate(), `the name "a" is used by an earlier rule`)
	nokey := decode(t, "key: [idd]\ncolumns: {age: {range: {min: 0}}}")
	rk := array.NewTableReader(tbl, 4)
	defer rk.Release()
	_, err = nokey.Evaluate(context.Background(), rk, expect.Options{})
	assert.ErrorContains(t, err, `expect: key: expect: column "idd" is not in the data (did you mean "id"?)`)
	wt := &expect.Suite{Table: []expect.Check{{Kind: expect.RowCount, Where: expect.MustExpression("age > 0")}}}
	assert.ErrorContains(t, wt.Validate(), "filter the table checks with the suite's where")
}

// TestRuleNow: now() and today() read Options.Now.
func TestRuleNow(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true}}, nil)
	tbl := table(t, mem, schema, `[{"d": "2026-11-29"}, {"d": "2026-11-30"}, {"d": "2026-12-01"}, {"d": null}]`)
	defer tbl.Release()
	s := decode(t, `rules: [{name: past, expect: "d <= today()"}, {name: recent, expect: "d > now() - INTERVAL '36 hours'"}]`)
	now, err := time.Parse(time.RFC3339, "2026-11-30T10:00:00Z")
	require.NoError(t, err)
	res := byName(evaluate(t, s, tbl, 2, expect.Options{Now: now}))
	// d <= 2026-11-30: row 2 fails; d (midnight) > 2026-11-28T22:00: rows 0-2 pass.
	assert.Equal(t, int64(1), *res["rules.past"].UnexpectedCount)
	assert.Equal(t, int64(2), res["rules.past"].Sample[0].Row)
	assert.Equal(t, int64(0), *res["rules.recent"].UnexpectedCount)
	assert.Equal(t, int64(1), *res["rules.recent"].NullCount)
}

// TestDefinitionTrees: a rule's definition carries its condition as a
// tree, and a check's filter its where, for SQL compilers to print.
func TestDefinitionTrees(t *testing.T) {
	s := decode(t, whereSuite)
	rule := s.Rules[1].Definition()
	require.NotNil(t, rule.Condition)
	assert.Equal(t, "score < age", expr.String(rule.Condition))
	assert.Equal(t, "score < age", rule.Rule)
	assert.Equal(t, "id <> 7", expr.String(rule.Where))
	names := []string{}
	for _, a := range rule.Aggregates {
		names = append(names, a.Name+": "+a.Filter)
	}
	assert.Equal(t, []string{"element_count: (score < age) IS NOT NULL", "unexpected_count: NOT (score < age)", "null_count: (score < age) IS NULL"}, names)
	miss := s.Columns[0].Checks[1].Definition()
	assert.Equal(t, "city = 'Paris'", expr.String(miss.Where))
	assert.Nil(t, s.Columns[0].Checks[0].Definition().Where)
}
