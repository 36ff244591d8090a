package expect

import (
	"strconv"
	"strings"
	"time"

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
// Definition) in GenericSQL; the check must be valid.
func (c *Check) Definition() Definition { return c.DefinitionIn(GenericSQL) }

// DefinitionIn returns the check's definition spelled in dialect q (nil:
// GenericSQL); the check must be valid.
func (c *Check) DefinitionIn(q *SQLDialect) Definition {
	d := registry[c.Kind]
	if d == nil {
		return Definition{}
	}
	if q == nil {
		q = GenericSQL
	}
	def := d.define(c, q)
	if c.Where != nil {
		def.Where = c.Where.Tree
	}
	return def
}

// SQLDialect spells definitions and pushdown queries for one SQL engine.
// A nil hook means GenericSQL's spelling; the engines' dialects are
// declared with their connections (package sqlsource).
type SQLDialect struct {
	// Name names the engine in messages and results ("postgres").
	Name string
	// Regex spells "x matches pattern", a regular expression as the suite
	// wrote it; nil: regexp_matches(x, 'pattern').
	Regex func(x, pattern string) string
	// Length spells the length of string x in characters; nil: length(x).
	Length func(x string) string
	// CountIf spells the number of rows for which cond holds; nil:
	// count(*) FILTER (WHERE cond).
	CountIf func(cond string) string
	// Double spells x converted to a double precision float; nil:
	// CAST(x AS DOUBLE).
	Double func(x string) string
	// Int spells boolean x as the integer 0 or 1; nil: CAST(x AS INTEGER).
	Int func(x string) string
	// NaNNull spells float column x with NaN read as NULL, for trustml
	// counts NaN as missing; nil: CASE WHEN isnan(x) THEN NULL ELSE x END.
	NaNNull func(x string) string
	// OrderStats spells the aggregates whose values are the order
	// statistics of 0-based ranks rs among the n non-null values of x (each
	// exactly one of the values, never an interpolation), one per rank, as
	// the elements of one aggregate over every rank, which the engine
	// computes once: separate calls each read the sorted values again. nil:
	// the elements of quantile_disc(x, [f…]), at the fractions DuckDB's
	// discrete quantile maps to the ranks (OrderFractions).
	OrderStats func(x string, rs []int64, n int64) []string
	// Middle spells the two aggregates whose values are the middle order
	// statistics of the n non-null values of x, without n: the 0-based
	// ranks ⌈n/2⌉−1 and ⌊n/2⌋ (one rank twice when n is odd), which the
	// median reads, so that it is computed in the first scan. nil: the
	// two elements of quantile_disc(x, [0.5, 0.5 + 2⁻⁴⁰]), DuckDB's, one
	// aggregate the engine computes once (see middleFractions for the
	// ranks).
	Middle func(x string) (lo, hi string)
	// RawMiddle reads the median's middle values over a float column as
	// it is, NaN included, rather than through NaNNull (whose computed
	// sort key costs PostgreSQL a fifth of the sort): the first scan then
	// counts the column's values with NaN too, and the middle values
	// stand only when that count equals the count without NaN; a column
	// holding NaN is settled by the second pass, whatever the engine's
	// order of NaN.
	RawMiddle bool
	// StddevSamp spells the engine's one-pass sample standard deviation
	// of x, computed in the first scan; nil: stddev_samp(x). Where the
	// value may differ from the local engine's by more than the error
	// bound of an updating algorithm (Pushdown's settle rule), the
	// pushdown sums the squared deviations about the mean in a second
	// scan instead.
	StddevSamp func(x string) string
	// StddevTwoPass reports that the engine has no one-pass standard
	// deviation within that bound: the second pass always computes it.
	StddevTwoPass bool
	// In spells x [NOT] IN (list), NULL when x is NULL, as SQL's IN is;
	// nil: x [NOT] IN (list). (ClickHouse's NULL IN (…) is 0.)
	In func(x, list string, not bool) string
	// Quote spells string s as a literal; nil: '…' with quotes doubled,
	// standard SQL (an engine that reads backslashes in literals as
	// escapes, as ClickHouse does, escapes them).
	Quote func(s string) string
	// Expr spells where: filters and rules' conditions, and refuses
	// (expr.Dialect.Refuse) what the engine evaluates otherwise than
	// trustml; a check whose expression it refuses is computed locally,
	// and its result says why. Its Now is replaced by the run's instant.
	// nil: expr.DuckDB.
	Expr *expr.Dialect

	// floats are the float columns of the table the dialect is bound to
	// (see bind): q.col reads their NaN as NULL.
	floats map[string]bool
	// where, when not "", is the filter of the rows a column plan sees
	// (see filtered): q.col reads the other rows as NULL.
	where string
}

// GenericSQL spells definitions as DuckDB reads them; it is what
// Check.Definition returns.
var GenericSQL = &SQLDialect{Name: "generic"}

// bind returns a copy of q for a table whose float columns are floats.
func (q *SQLDialect) bind(floats map[string]bool) *SQLDialect {
	b := *q
	b.floats = floats
	return &b
}

// filtered returns a copy of q whose columns read NULL in the rows where
// is not TRUE, as the local engine masks the rows a filter drops.
func (q *SQLDialect) filtered(where string) *SQLDialect {
	b := *q
	b.where = where
	return &b
}

// col spells column name as a value: its quoted identifier, with NaN read
// as NULL in a float column, and NULL in the rows a filter drops.
func (q *SQLDialect) col(name string) string {
	x := q.raw(name)
	if q.where != "" {
		return "CASE WHEN " + q.where + " THEN " + x + " END"
	}
	return x
}

// raw is col without the filter.
func (q *SQLDialect) raw(name string) string {
	x := ident(name)
	if q.floats[name] {
		if q.NaNNull != nil {
			return q.NaNNull(x)
		}
		return "CASE WHEN isnan(" + x + ") THEN NULL ELSE " + x + " END"
	}
	return x
}

// exprDialect is the dialect of filters and rules, with now() at now.
func (q *SQLDialect) exprDialect(now time.Time) *expr.Dialect {
	d := *expr.DuckDB
	if q.Expr != nil {
		d = *q.Expr
	}
	d.Now = now
	return &d
}

func (q *SQLDialect) regex(x, pattern string) string {
	if q.Regex != nil {
		return q.Regex(x, pattern)
	}
	return "regexp_matches(" + x + ", " + q.literal(StringValue(pattern)) + ")"
}

func (q *SQLDialect) length(x string) string {
	if q.Length != nil {
		return q.Length(x)
	}
	return "length(" + x + ")"
}

func (q *SQLDialect) countIf(cond string) string {
	if q.CountIf != nil {
		return q.CountIf(cond)
	}
	return "count(*) FILTER (WHERE " + cond + ")"
}

func (q *SQLDialect) double(x string) string {
	if q.Double != nil {
		return q.Double(x)
	}
	return "CAST(" + x + " AS DOUBLE)"
}

func (q *SQLDialect) boolInt(x string) string {
	if q.Int != nil {
		return q.Int(x)
	}
	return "CAST(" + x + " AS INTEGER)"
}

func (q *SQLDialect) orderStats(x string, rs []int64, n int64) []string {
	if q.OrderStats != nil {
		return q.OrderStats(x, rs, n)
	}
	return Elements("quantile_disc("+x+", ["+OrderFractions(rs, n)+"])", len(rs))
}

// OrderFractions lists, comma-separated, the fraction f of each 0-based
// rank r of rs among n sorted values for a discrete quantile that returns
// the value at 1-based position ⌈f·n⌉ (DuckDB's quantile_disc,
// PostgreSQL's percentile_disc): f = (r+½)/n lands on r whatever the
// rounding of f·n. ClickHouse's quantileExact, at index ⌊f·n⌋, reads the
// same rank at the same f.
func OrderFractions(rs []int64, n int64) string {
	fs := make([]string, len(rs))
	for i, r := range rs {
		fs[i] = strconv.FormatFloat((float64(r)+0.5)/float64(max(n, 1)), 'g', 17, 64)
	}
	return strings.Join(fs, ", ")
}

// Elements spells the first k elements of list, an expression whose value
// is a list or an array indexed from 1 (DuckDB, PostgreSQL, ClickHouse).
func Elements(list string, k int) []string {
	out := make([]string, k)
	for i := range out {
		out[i] = list + "[" + strconv.Itoa(i+1) + "]"
	}
	return out
}

// ident quotes a column name as a SQL identifier.
func ident(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// Ident quotes a column name as a SQL identifier, as definitions and
// pushdown queries do: "name", with inner quotes doubled.
func Ident(name string) string { return ident(name) }

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

// literal writes a suite value as a SQL literal of the dialect.
func (q *SQLDialect) literal(v Value) string {
	if q.Quote != nil && !v.IsNum && !v.IsBool {
		return q.Quote(v.Text)
	}
	return literal(v)
}

// literals writes suite values as a list of SQL literals of the dialect.
func (q *SQLDialect) literals(vs []Value) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = q.literal(v)
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
