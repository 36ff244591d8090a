package trusttest

import (
	"context"
	"fmt"
	"regexp"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/trustml/trustml/bound"
	"github.com/trustml/trustml/expect"
)

// Table asserts expectations on an Arrow table. Create it with Expect or
// ExpectBatch.
type Table struct {
	t      TestingT
	reader func() (array.RecordReader, error)
	where  *expect.Expression
}

// Expect starts assertions on tbl. The table is only read; the caller
// keeps ownership.
func Expect(t TestingT, tbl arrow.Table) *Table {
	return &Table{t: t, reader: func() (array.RecordReader, error) { return array.NewTableReader(tbl, 0), nil }}
}

// ExpectBatch starts assertions on one record batch. The batch is only
// read; the caller keeps ownership.
func ExpectBatch(t TestingT, rec arrow.RecordBatch) *Table {
	return &Table{t: t, reader: func() (array.RecordReader, error) {
		return array.NewRecordReader(rec.Schema(), []arrow.RecordBatch{rec})
	}}
}

// evaluate runs one check over the table and reports it.
func (tb *Table) evaluate(c expect.Check) {
	tb.t.Helper()
	s := &expect.Suite{Where: tb.where}
	switch {
	case c.Kind == expect.Rule:
		s.Rules = []expect.Check{c}
	case c.Column == "":
		s.Table = []expect.Check{c}
	default:
		s.Columns = []expect.Column{{Name: c.Column, Checks: []expect.Check{c}}}
	}
	rr, err := tb.reader()
	if err != nil {
		tb.t.Errorf("%s: %v", c.Name(), err)
		return
	}
	defer rr.Release()
	res, err := s.Evaluate(context.Background(), rr, expect.Options{Workers: 1})
	if err != nil {
		tb.t.Errorf("%s: %v", c.Name(), err)
		return
	}
	reportChecks(tb.t, res)
}

// Where returns the table seen through a filter: the assertions made on
// the result (and its columns) read only the rows where cond, a row
// expression (see package expr), is TRUE; their counts, fractions and
// mostly are over those rows. Filters chain with AND. A condition that
// does not parse is reported with t.Errorf, and tb is returned unchanged.
func (tb *Table) Where(cond string) *Table {
	tb.t.Helper()
	e, err := expect.NewExpression(cond)
	if err != nil {
		tb.t.Errorf("where %s: %v", cond, err)
		return tb
	}
	if tb.where != nil {
		if e, err = expect.NewExpression("(" + tb.where.Text + ") AND (" + cond + ")"); err != nil {
			tb.t.Errorf("where %s: %v", cond, err)
			return tb
		}
	}
	out := *tb
	out.where = e
	return &out
}

// Rule asserts that every row (of those the table's filter keeps)
// satisfies cond, a row expression such as "end_date >= start_date"; a
// row where cond is NULL neither passes nor fails. name names the check
// in failures ("rules.NAME").
func (tb *Table) Rule(name, cond string) *Table {
	tb.t.Helper()
	e, err := expect.NewExpression(cond)
	if err != nil {
		tb.t.Errorf("rules.%s: %v", name, err)
		return tb
	}
	tb.evaluate(expect.Check{Kind: expect.Rule, RuleName: name, Expect: e})
	return tb
}

// RowCountBetween asserts lo ≤ rows ≤ hi.
func (tb *Table) RowCountBetween(lo, hi int) *Table {
	tb.t.Helper()
	tb.evaluate(expect.Check{Kind: expect.RowCount, Interval: bound.Between(float64(lo), float64(hi))})
	return tb
}

// HasColumns asserts that every named column exists.
func (tb *Table) HasColumns(names ...string) *Table {
	tb.t.Helper()
	tb.evaluate(expect.Check{Kind: expect.RequiredColumns, Columns: names})
	return tb
}

// Column starts assertions on one column.
func (tb *Table) Column(name string) *Column {
	return &Column{tb: tb, name: name}
}

// Column asserts expectations on one column of a Table. Its methods return
// the column, so assertions chain.
type Column struct {
	tb     *Table
	name   string
	mostly *float64
}

// Mostly returns the column with a tolerance for the row-wise assertions
// that follow in the chain (InRange, InSet, NotInSet, Matches,
// LengthBetween, Unique): at least fraction f of the non-null values must
// pass. It panics when f is outside [0, 1].
func (c *Column) Mostly(f float64) *Column {
	if f < 0 || f > 1 {
		panic(fmt.Sprintf("trusttest: Mostly(%v): fraction outside [0, 1]", f))
	}
	return &Column{tb: c.tb, name: c.name, mostly: &f}
}

func (c *Column) check(k expect.Check) *Column {
	c.tb.t.Helper()
	k.Column = c.name
	if k.Kind.RowWise() {
		k.Mostly = c.mostly
	}
	c.tb.evaluate(k)
	return c
}

// NotNull asserts the column has no null (or NaN) values.
func (c *Column) NotNull() *Column {
	c.tb.t.Helper()
	return c.check(expect.Check{Kind: expect.Missing, Interval: bound.AtMost(0)})
}

// MissingAtMost asserts that at most the fraction f of rows are null.
func (c *Column) MissingAtMost(f float64) *Column {
	c.tb.t.Helper()
	return c.check(expect.Check{Kind: expect.Missing, MaxFraction: &f})
}

// InRange asserts lo ≤ v ≤ hi for each non-null value.
func (c *Column) InRange(lo, hi float64) *Column {
	c.tb.t.Helper()
	return c.check(expect.Check{Kind: expect.Range, Interval: bound.Between(lo, hi)})
}

// AtLeast asserts v ≥ lo for each non-null value.
func (c *Column) AtLeast(lo float64) *Column {
	c.tb.t.Helper()
	return c.check(expect.Check{Kind: expect.Range, Interval: bound.AtLeast(lo)})
}

// AtMost asserts v ≤ hi for each non-null value.
func (c *Column) AtMost(hi float64) *Column {
	c.tb.t.Helper()
	return c.check(expect.Check{Kind: expect.Range, Interval: bound.AtMost(hi)})
}

// InSet asserts every non-null value is one of values (strings, numbers
// or booleans, matching the column's type).
func (c *Column) InSet(values ...any) *Column {
	c.tb.t.Helper()
	return c.check(expect.Check{Kind: expect.InSet, Set: toValues(values)})
}

// NotInSet asserts no value is one of values.
func (c *Column) NotInSet(values ...any) *Column {
	c.tb.t.Helper()
	return c.check(expect.Check{Kind: expect.NotInSet, Set: toValues(values)})
}

// Matches asserts the regular expression (RE2 syntax, unanchored) matches
// every non-null string. It panics when pattern does not compile.
func (c *Column) Matches(pattern string) *Column {
	c.tb.t.Helper()
	return c.check(expect.Check{Kind: expect.Regex, Pattern: regexp.MustCompile(pattern)})
}

// LengthBetween asserts lo ≤ length ≤ hi (in characters) for every string.
func (c *Column) LengthBetween(lo, hi int) *Column {
	c.tb.t.Helper()
	return c.check(expect.Check{Kind: expect.Length, Interval: bound.Between(float64(lo), float64(hi))})
}

// Unique asserts no value occurs twice.
func (c *Column) Unique() *Column {
	c.tb.t.Helper()
	return c.check(expect.Check{Kind: expect.Unique})
}

// MeanBetween asserts lo ≤ mean ≤ hi over the non-null values.
func (c *Column) MeanBetween(lo, hi float64) *Column {
	c.tb.t.Helper()
	return c.check(expect.Check{Kind: expect.Mean, Interval: bound.Between(lo, hi)})
}

// MedianBetween asserts lo ≤ median ≤ hi.
func (c *Column) MedianBetween(lo, hi float64) *Column {
	c.tb.t.Helper()
	return c.check(expect.Check{Kind: expect.Median, Interval: bound.Between(lo, hi)})
}

// StddevBetween asserts lo ≤ sample standard deviation ≤ hi.
func (c *Column) StddevBetween(lo, hi float64) *Column {
	c.tb.t.Helper()
	return c.check(expect.Check{Kind: expect.Stddev, Interval: bound.Between(lo, hi)})
}

// HasType asserts the column's Arrow type is one of the named types (see
// expect.TypeMatches: "int64", "utf8", "numeric", "string", ...).
func (c *Column) HasType(names ...string) *Column {
	c.tb.t.Helper()
	return c.check(expect.Check{Kind: expect.Type, Types: names})
}

func toValues(vals []any) []expect.Value {
	out := make([]expect.Value, len(vals))
	for i, v := range vals {
		switch x := v.(type) {
		case string:
			out[i] = expect.StringValue(x)
		case bool:
			out[i] = expect.BoolValue(x)
		case int:
			out[i] = expect.IntValue(int64(x))
		case int64:
			out[i] = expect.IntValue(x)
		case int32:
			out[i] = expect.IntValue(int64(x))
		case uint64:
			out[i] = expect.UintValue(x)
		case float64:
			out[i] = expect.NumberValue(x)
		case float32:
			out[i] = expect.NumberValue(float64(x))
		default:
			panic(fmt.Sprintf("trusttest: set value %v of type %T: use strings, numbers or booleans", v, v))
		}
	}
	return out
}
