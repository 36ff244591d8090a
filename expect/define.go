package expect

import (
	"strings"

	"github.com/trustml/trustml/expr"

	"github.com/trustml/trustml/bound"
	"github.com/trustml/trustml/result"
)

// Definition is a check's meaning as aggregates over mergeable state: the
// columns of a SELECT over the table that a SQL engine computes in one
// scan, and from which the check's verdict follows as Evaluate's does.
// Column names are quoted SQL identifiers; values are SQL literals. A
// missing value is NULL (a compiler for float columns also excludes NaN,
// which Evaluate counts as missing).
type Definition struct {
	// Aggregates are the values the check reads, each named for the
	// result field it becomes.
	Aggregates []Aggregate
	// Rule is the predicate every non-null value of a row-wise check
	// satisfies; its failing sample is `WHERE col IS NOT NULL AND NOT
	// (Rule)` in row order. "" for other kinds.
	Rule string
	// Schema reports whether the check reads the table's schema as well
	// (the column's type, the table's column names).
	Schema bool
	// Condition is a Rule's condition as an expression tree, which a SQL
	// compiler prints in its engine's dialect (Rule is its generic SQL).
	Condition expr.Expr
	// Where is the check's own filter (Check.Where) as a tree, nil when it
	// has none: the aggregates are over the rows where it is TRUE. The
	// column's and the suite's filters (Column.Where, Suite.Where) apply
	// as well.
	Where expr.Expr
}

// Aggregate is one SQL aggregate: Func(Arg) FILTER (WHERE Filter).
type Aggregate struct {
	Name   string  // the value it computes: "element_count", "unexpected_count", "mean", ...
	Func   AggFunc // the aggregate function
	Arg    string  // its argument, an expression over the column; "" with AggCount is count(*)
	Filter string  // a predicate on the rows aggregated; "" for every row
	Q      float64 // AggQuantile's fraction
}

// AggFunc names an aggregate function as SQL engines spell it.
type AggFunc string

// The aggregate functions of definitions.
const (
	AggCount         AggFunc = "count"          // non-null values of Arg, or rows when Arg is ""
	AggCountDistinct AggFunc = "count_distinct" // count(DISTINCT Arg)
	AggSum           AggFunc = "sum"            //
	AggAvg           AggFunc = "avg"            //
	AggStddevSamp    AggFunc = "stddev_samp"    // sample standard deviation (n−1)
	AggMin           AggFunc = "min"            //
	AggMax           AggFunc = "max"            //
	AggQuantile      AggFunc = "quantile"       // exact quantile Q, linear interpolation (quantile_cont)
	AggHistogram     AggFunc = "histogram"      // every distinct value with its count (DuckDB's histogram)
)

// Definition returns the check's definition as aggregates (see
// Definition); the check must be valid.
func (c *Check) Definition() Definition {
	d := registry[c.Kind]
	if d == nil {
		return Definition{}
	}
	def := d.define(c)
	if c.Where != nil {
		def.Where = c.Where.Tree
	}
	return def
}

// ident quotes a column name as a SQL identifier.
func ident(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// literal writes a suite value as a SQL literal.
func literal(v Value) string {
	switch {
	case v.IsNum:
		return v.Text
	case v.IsBool:
		return strings.ToUpper(v.Text)
	}
	return "'" + strings.ReplaceAll(v.Text, "'", "''") + "'"
}

func literals(vs []Value) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = literal(v)
	}
	return strings.Join(parts, ", ")
}

// within writes "arg lies in b" as a SQL predicate ("TRUE" for no bound).
func sqlWithin(arg string, b bound.Interval) string {
	var parts []string
	if b.Min != nil {
		op := " >= "
		if b.StrictMin {
			op = " > "
		}
		parts = append(parts, arg+op+result.FormatFloat(*b.Min))
	}
	if b.Max != nil {
		op := " <= "
		if b.StrictMax {
			op = " < "
		}
		parts = append(parts, arg+op+result.FormatFloat(*b.Max))
	}
	if len(parts) == 0 {
		return "TRUE"
	}
	return strings.Join(parts, " AND ")
}

// rowWiseDefinition defines a row-wise check by its rule: the non-null
// values and those that break the rule.
func rowWiseDefinition(c *Check, rule string) Definition {
	x := ident(c.Column)
	return Definition{Rule: rule, Aggregates: []Aggregate{
		{Name: "element_count", Func: AggCount, Arg: x},
		{Name: "unexpected_count", Func: AggCount, Arg: x, Filter: "NOT (" + rule + ")"},
	}}
}

// statDefinition defines a statistic of the non-null values: their count
// (a statistic of no values is undefined) and the statistic.
func statDefinition(c *Check, f AggFunc, arg string) Definition {
	x := ident(c.Column)
	return Definition{Aggregates: []Aggregate{
		{Name: "element_count", Func: AggCount, Arg: x},
		{Name: string(c.Kind), Func: f, Arg: arg},
	}}
}
