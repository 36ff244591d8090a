package expect

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/trustml/trustml/expr"
	"github.com/trustml/trustml/internal/accum"
	"github.com/trustml/trustml/result"
)

// Querier runs SQL on the engine that holds a table.
type Querier interface {
	// Query runs q and returns its rows. Each value is nil, int64,
	// float64, string, bool or time.Time. An error carries the engine's
	// own message.
	Query(ctx context.Context, q string) ([][]any, error)
}

// Table names the table a pushdown reads and how its rows are ordered.
type Table struct {
	// From is the FROM item: a quoted table name, or a parenthesised
	// query with an alias.
	From string
	// Key is a column whose order is the rows' order: failing values are
	// sampled in it, and their row numbers are 0-based positions in it.
	// "" means the table has no order, and no failing values are sampled.
	Key string
}

// Pushdown is a suite compiled to SQL for one table of one engine: every
// check the dialect can express becomes an aggregate of one SELECT (one
// scan of the table), followed where needed by exact order statistics for
// medians and quantiles, the duplicate count of unique checks, and
// bounded queries for failing values. where: filters and rules are the
// suite's expressions printed by the dialect's Expr: a filter counts the
// rows it keeps and turns the others into NULLs for its checks, a rule
// counts its TRUE, FALSE and NULL rows. The other checks (and those under
// a filter, or rules, the dialect refuses) form Local, which the caller
// evaluates over a scan of Local's columns and hands to Run.
type Pushdown struct {
	dialect *SQLDialect
	table   Table
	schema  *arrow.Schema
	opts    Options
	p       *plan  // the pushed checks bound to the schema
	local   *Suite // nil when every check is pushed
	pushed  []bool // per check in result order: table checks, column checks, rules
	why     map[*Check]string
	xd      *expr.Dialect // filters and rules, with now() at the run's instant
	filters []string      // per filter of p, its SQL: "(a) AND (b)"

	aggs  []string // the first query's columns
	sinks [][]sink // per aggregate, where its value goes
	// classes marks the columns (by index of p.cols) whose classes, each
	// distinct value with its count, imbalance reads: counted in the
	// second pass (secondPass) or by a GROUP BY query (followUp).
	classes map[int]bool
	// middles marks the columns whose checks read no order statistic
	// but the median's: the first scan reads its two middle values
	// (SQLDialect.Middle), the second pass only when they cannot stand
	// (settleMiddle).
	middles map[int]bool
	// sdBounds holds, per column whose standard deviation is checked,
	// the bounds the checks compare it to: the first scan's one-pass
	// value stands unless it lies within the engine's error bound of
	// one (settleStddev).
	sdBounds map[int][]float64
	// noSum marks the columns with moments but no sum aggregate: their
	// mean says whether the values include infinities.
	noSum map[int]bool
}

// sink stores one aggregate's value into the state of the pushed checks.
type sink func(st *pushState, v any)

// pushState is what the queries return, in the form the kinds' finish
// functions read.
type pushState struct {
	rows  int64
	kept  []int64 // per filter, the rows it keeps
	cols  []*colState
	stats []*colStats
	rules []ruleState
	// mid holds, per column of Pushdown.middles, what the first scan
	// read of its median.
	mid []midState
	// sd1 is, per column of Pushdown.sdBounds, the engine's one-pass
	// standard deviation; settle marks the columns whose standard
	// deviation and order statistics the second pass computes instead.
	sd1         []float64
	settleSD    []bool
	settleOrder []bool
	// classSum is, per integer column whose classes are counted, the sum
	// of its values (twoClasses).
	classSum []float64
}

// midState is what the first scan reads of a column's median.
type midState struct {
	lo, hi float64 // the values of ranks ⌈n/2⌉−1 and ⌊n/2⌋
	// all counts the column's values read as they are, NaN included
	// (Count reads NaN as NULL), when the middle is read without NaNNull
	// (SQLDialect.RawMiddle); -1 when it is not.
	all int64
	top float64 // the largest value, when the first scan has no sum (else NaN)
}

// CompilePushdown compiles the suite for table t of an engine speaking
// dialect d; schema is the table's. As in Evaluate, a column the suite
// names and the table lacks, or a check that cannot read a column's type,
// is an error. Options.Workers is unused; SampleSize bounds the failing
// values fetched per check; FailedRows, when set, keeps every check that
// names its failing rows local (Local's Evaluate writes them), and is not
// written to; Now (zero: the time of the call) is the
// instant now() and today() are printed as in filters and rules.
func (s *Suite) CompilePushdown(schema *arrow.Schema, d *SQLDialect, t Table, opts Options) (*Pushdown, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	floats := map[string]bool{}
	for _, f := range schema.Fields() {
		if classOf(f.Type) == classFloat {
			floats[f.Name] = true
		}
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	pd := &Pushdown{dialect: d.bind(floats), table: t, schema: schema, opts: opts, why: map[*Check]string{}}
	pd.xd = d.exprDialect(opts.Now)
	// The checks under a filter the dialect cannot print, and the rules it
	// cannot print, are computed locally; the rest go to the engine, with
	// their filters.
	pushed := &Suite{Where: s.Where, Key: s.Key}
	local := &Suite{Where: s.Where, Key: s.Key}
	suiteWhy := pd.filterWhy(schema, s.Where)
	// Every failing row goes to Options.FailedRows as the pass finds it:
	// the checks that name their failing rows are computed locally then.
	allRows := opts.FailedRows != nil
	opts.FailedRows = nil
	rowsWhy := func(c *Check) string {
		if allRows && registry[c.Kind] != nil && registry[c.Kind].failedRows {
			return "--failed-rows writes every failing row: computed by trustml over the streamed rows"
		}
		return ""
	}
	var moved []*Check // the suite's checks computed locally, in local's order
	for i := range s.Table {
		c := &s.Table[i]
		ok := pd.keep(c, suiteWhy) && pd.keep(c, rowsWhy(c)) && pd.expressible(c)
		pd.pushed = append(pd.pushed, ok)
		if ok {
			pushed.Table = append(pushed.Table, *c)
		} else {
			local.Table = append(local.Table, *c)
			moved = append(moved, c)
		}
	}
	for _, col := range s.Columns {
		pc, lc := col, col
		pc.Checks, lc.Checks = nil, nil
		for i := range col.Checks {
			c := &col.Checks[i]
			ok := pd.keep(c, pd.filterWhy(schema, s.Where, col.Where, c.Where)) && pd.keep(c, rowsWhy(c)) && pd.expressible(c)
			pd.pushed = append(pd.pushed, ok)
			if ok {
				pc.Checks = append(pc.Checks, *c)
			} else {
				lc.Checks = append(lc.Checks, *c)
				moved = append(moved, c)
			}
		}
		if len(pc.Checks) > 0 {
			pushed.Columns = append(pushed.Columns, pc)
		}
		if len(lc.Checks) > 0 {
			local.Columns = append(local.Columns, lc)
		}
	}
	for i := range s.Rules {
		c := &s.Rules[i]
		why := pd.filterWhy(schema, s.Where, c.Where)
		if r := pd.printWhy(schema, c.Expect); why == "" && r != "" {
			why = fmt.Sprintf("its condition is not pushed to %s: %s", d.Name, r)
		}
		if why == "" {
			why = rowsWhy(c)
		}
		ok := pd.keep(c, why)
		pd.pushed = append(pd.pushed, ok)
		if ok {
			pushed.Rules = append(pushed.Rules, *c)
		} else {
			local.Rules = append(local.Rules, *c)
			moved = append(moved, c)
		}
	}
	if local.Len() > 0 {
		pd.local = local
		// The reasons follow the checks into the local suite.
		for i, c := range pd.localChecks() {
			pd.why[c] = pd.why[moved[i]]
		}
		// Bind the local checks now, so that a missing column or a type
		// a check cannot read is reported before any query is sent.
		if _, err := compile(local, schema, opts); err != nil {
			return nil, err
		}
	}
	p, err := compile(pushed, schema, opts)
	if err != nil {
		return nil, err
	}
	pd.p = p
	pd.plan()
	return pd, nil
}

// pushedKinds are the kinds whose definitions the pushdown has been
// checked against the local engine on every SQL engine (see
// sql_conformance_test.go); a check of another kind is computed locally
// from streamed columns, whatever its definition says.
var pushedKinds = map[Kind]bool{
	ChiSquare: true, ColumnCount: true, Distinct: true, DistinctValues: true, ExactColumns: true,
	Imbalance: true, KLDivergence: true, Length: true, Missing: true, ProportionUnique: true,
	Quantiles: true, Range: true, Regex: true, RequiredColumns: true, RowCount: true, Stddev: true,
	Type: true, Unique: true, InSet: true, NotInSet: true, Min: true, Max: true, Mean: true,
	Median: true, Sum: true,
}

// aggregateTargets are the aggregates of definitions that a pushdown
// computes, by name, and where each value goes; a check whose definition
// has another (a histogram of classes, a partition's bins) is computed
// locally. "median" and the quantiles' "q…" are order statistics, fetched
// exactly once the count of values is known.
var aggregateTargets = map[string]func(pd *Pushdown, ci int, c *Check) sink{
	"row_count":     func(*Pushdown, int, *Check) sink { return nil }, // count(*) is always the first column
	"missing_count": func(*Pushdown, int, *Check) sink { return nil }, // rows − values
	"element_count": func(*Pushdown, int, *Check) sink { return nil }, // count(x) of every column
	"unexpected_count": func(pd *Pushdown, ci int, c *Check) sink {
		k := slices.IndexFunc(pd.p.cols[ci].rowCheck, func(rc *rowCheck) bool { return rc.check == c })
		return func(st *pushState, v any) { st.cols[ci].row[k].unexpected = toInt(v) }
	},
	string(Mean): func(_ *Pushdown, ci int, _ *Check) sink {
		return statSink(ci, func(s *colStats, x float64) { s.mean = x })
	},
	string(Stddev): func(_ *Pushdown, ci int, _ *Check) sink {
		return statSink(ci, func(s *colStats, x float64) { s.stddev = x })
	},
	string(Sum): func(_ *Pushdown, ci int, _ *Check) sink {
		return statSink(ci, func(s *colStats, x float64) { s.sum = x })
	},
	string(Min):    func(*Pushdown, int, *Check) sink { return nil }, // the column's min and max
	string(Max):    func(*Pushdown, int, *Check) sink { return nil },
	string(Median): func(*Pushdown, int, *Check) sink { return nil }, // order statistics
	"distinct": func(_ *Pushdown, ci int, _ *Check) sink {
		return func(st *pushState, v any) {
			f := st.cols[ci].freq.(*sqlFreq)
			f.n, f.counted = int(toInt(v)), true
		}
	},
	// imbalance's classes: a GROUP BY query (followUp). The other kinds
	// over classes match them against the suite's values, which sqlFreq
	// does not; expressible keeps them local.
	"classes": func(*Pushdown, int, *Check) sink { return nil },
	"counts":  func(*Pushdown, int, *Check) sink { return nil }, // unique: the duplicate query
}

// keep reports whether why is "", and otherwise records it as the reason
// c is computed locally.
func (pd *Pushdown) keep(c *Check, why string) bool {
	if why != "" {
		pd.why[c] = why
	}
	return why == ""
}

// printWhy says why the dialect cannot print expression e (nil: it can).
// An expression that does not check against the schema is left to
// compile, which reports it as Evaluate does.
func (pd *Pushdown) printWhy(schema *arrow.Schema, e *Expression) string {
	if e == nil || e.Tree == nil {
		return ""
	}
	prog, err := expr.Check(e.Tree, e.Text, schema)
	if err != nil {
		return ""
	}
	if _, err := prog.SQLIn(pd.xd); err != nil {
		return err.Error()
	}
	return ""
}

// filterWhy says why a check under the filters parts cannot be pushed:
// the first part the dialect cannot print; "" when every part prints.
func (pd *Pushdown) filterWhy(schema *arrow.Schema, parts ...*Expression) string {
	for _, e := range parts {
		if r := pd.printWhy(schema, e); r != "" {
			return fmt.Sprintf("its where: %s is not pushed to %s: %s", strings.TrimSpace(e.Text), pd.dialect.Name, r)
		}
	}
	return ""
}

// expressible reports whether every aggregate of c's definition is one a
// pushdown computes; when not, why says which.
func (pd *Pushdown) expressible(c *Check) bool {
	// Pattern lists and date-time bounds came after the conformance test.
	if !pushedKinds[c.Kind] || (c.Kind == Regex && c.Pattern == nil) || c.TimeMin != nil || c.TimeMax != nil {
		pd.why[c] = fmt.Sprintf("%s is not pushed down to SQL yet", c.Kind)
		return false
	}
	for _, a := range c.DefinitionIn(pd.dialect).Aggregates {
		if a.Name == "classes" && c.Kind != Imbalance {
			pd.why[c] = fmt.Sprintf("%s matches the column's classes against the suite's values, which trustml does over streamed columns", c.Kind)
			return false
		}
		if _, ok := aggregateTargets[a.Name]; !ok && a.Func != AggQuantile {
			pd.why[c] = fmt.Sprintf("%s's %s aggregate (%s) is not pushed to %s", c.Kind, a.Name, a.Func, pd.dialect.Name)
			return false
		}
	}
	return true
}

func statSink(ci int, set func(s *colStats, x float64)) sink {
	return func(st *pushState, v any) { set(st.stats[ci], toFloat(v)) }
}

// Local returns the checks the engine cannot compute, as a suite to
// evaluate over a scan of its columns (Suite.Names); nil when every check
// is pushed.
func (pd *Pushdown) Local() *Suite { return pd.local }

// colQ is the dialect of column plan cp: its columns read NULL in the
// rows cp's filter drops.
func (pd *Pushdown) colQ(cp *colPlan) *SQLDialect {
	if cp.filter < 0 {
		return pd.dialect
	}
	return pd.dialect.filtered(pd.filters[cp.filter])
}

// and is cond restricted to the rows of filter f (-1: every row).
func (pd *Pushdown) and(f int, cond string) string {
	if f < 0 {
		return cond
	}
	return pd.filters[f] + " AND " + cond
}

// arg spells column cp as a statistic's argument: a double, booleans as 0
// and 1.
func (pd *Pushdown) arg(cp *colPlan) string {
	x := pd.colQ(cp).col(cp.name)
	if cp.class == classBool {
		x = pd.dialect.boolInt(x)
	}
	return pd.dialect.double(x)
}

// plan lays out the first query: count(*), then per column the count of
// its values and the aggregates its checks read, each computed once.
func (pd *Pushdown) plan() {
	q := pd.dialect
	index := map[string]int{}
	add := func(expr string, s sink) {
		i, ok := index[expr]
		if !ok {
			i = len(pd.aggs)
			index[expr] = i
			pd.aggs = append(pd.aggs, expr)
			pd.sinks = append(pd.sinks, nil)
		}
		if s != nil {
			pd.sinks[i] = append(pd.sinks[i], s)
		}
	}
	add("count(*)", func(st *pushState, v any) { st.rows = toInt(v) })
	// Each filter's predicates, printed in the dialect, and the rows it
	// keeps.
	pd.filters = make([]string, len(pd.p.filters))
	for f, fp := range pd.p.filters {
		parts := make([]string, len(fp.preds))
		for i, k := range fp.preds {
			parts[i] = "(" + pd.p.preds[k].prog.SQL(pd.xd) + ")"
		}
		pd.filters[f] = strings.Join(parts, " AND ")
		add(q.countIf(pd.filters[f]), func(st *pushState, v any) { st.kept[f] = toInt(v) })
	}
	for ci, cp := range pd.p.cols {
		x := pd.colQ(cp).col(cp.name)
		add("count("+x+")", func(st *pushState, v any) { st.cols[ci].Count = toInt(v) })
		if cp.minmax {
			a := pd.arg(cp)
			add("min("+a+")", func(st *pushState, v any) { st.cols[ci].Min = toFloat(v) })
			add("max("+a+")", func(st *pushState, v any) { st.cols[ci].Max = toFloat(v) })
		}
		if cp.moments {
			// The mean says whether the values include infinities (it is
			// ±Inf or NaN exactly when the sum is: avg is sum/count), and
			// is the centre of stddev's squared deviations. The sum is
			// computed only for a sum check, which adds it.
			add("avg("+pd.arg(cp)+")", statSink(ci, func(s *colStats, x float64) { s.mean = x }))
		}
		if cp.lengths {
			add("min("+q.length(x)+")", func(st *pushState, v any) { st.cols[ci].MinLen = int(toInt(v)) })
			add("max("+q.length(x)+")", func(st *pushState, v any) { st.cols[ci].MaxLen = int(toInt(v)) })
		}
		if middleOnly(cp) {
			if pd.middles == nil {
				pd.middles = map[int]bool{}
			}
			pd.middles[ci] = true
			a := pd.middleArg(cp)
			if a != pd.arg(cp) {
				// NaN is a value of the column as it is: its count tells
				// whether there are any.
				add("count("+pd.plainCol(cp)+")", func(st *pushState, v any) { st.mid[ci].all = toInt(v) })
			}
			lo, hi := q.middle(a)
			add(lo, func(st *pushState, v any) { st.mid[ci].lo = toFloat(v) })
			add(hi, func(st *pushState, v any) { st.mid[ci].hi = toFloat(v) })
			if !cp.moments {
				// Whether +Inf is among the values (settleMiddle); with
				// moments the mean says it.
				add("max("+a+")", func(st *pushState, v any) { st.mid[ci].top = toFloat(v) })
			}
		}
	}
	for _, col := range pd.p.suite.Columns {
		for k := range col.Checks {
			c := &col.Checks[k]
			ci := pd.p.colOf[c]
			cp := pd.p.cols[ci]
			for _, a := range c.DefinitionIn(pd.colQ(cp)).Aggregates {
				switch {
				case a.Name == "classes":
					if pd.classes == nil {
						pd.classes = map[int]bool{}
					}
					pd.classes[ci] = true
					if cp.class == classInt {
						// The range of an integer column says whether its
						// classes fit in the second pass (secondPass);
						// with the sum, the counts of two classes one
						// apart (twoClasses).
						a := pd.arg(cp)
						add("min("+a+")", func(st *pushState, v any) { st.cols[ci].Min = toFloat(v) })
						add("max("+a+")", func(st *pushState, v any) { st.cols[ci].Max = toFloat(v) })
						add("sum("+a+")", func(st *pushState, v any) { st.classSum[ci] = toFloat(v) })
					}
					continue
				case a.Func == AggQuantile, a.Func == AggHistogram, a.Func == AggMin, a.Func == AggMax,
					a.Name == "element_count", a.Name == "missing_count":
					continue
				case a.Func == AggStddevSamp:
					// The engine's one-pass value, unless it may differ
					// from the local engine's in a verdict or beyond
					// 1e-9: then the second pass sums the squared
					// deviations about the first scan's mean, as the
					// local engine does (settleStddev).
					cp.deviations = true
					if pd.sdBounds == nil {
						pd.sdBounds = map[int][]float64{}
					}
					for _, b := range []*float64{c.Min, c.Max} {
						if b != nil {
							pd.sdBounds[ci] = append(pd.sdBounds[ci], *b)
						}
					}
					if !q.StddevTwoPass {
						add(q.stddevSamp(pd.arg(cp)), func(st *pushState, v any) { st.sd1[ci] = toFloat(v) })
					}
					continue
				}
				add(pd.aggregate(cp, a), aggregateTargets[a.Name](pd, ci, c))
			}
		}
	}
	for ci, cp := range pd.p.cols {
		if _, ok := index["sum("+pd.arg(cp)+")"]; cp.moments && !ok {
			if pd.noSum == nil {
				pd.noSum = map[int]bool{}
			}
			pd.noSum[ci] = true
		}
	}
	// A rule counts the rows its filters keep where its condition is
	// TRUE or FALSE, FALSE, and NULL, as Evaluate does.
	for k, rp := range pd.p.rules {
		cond := "(" + rp.prog.SQL(pd.xd) + ")"
		add(q.countIf(pd.and(rp.filter, cond+" IS NOT NULL")), func(st *pushState, v any) { st.rules[k].evaluated = toInt(v) })
		add(q.countIf(pd.and(rp.filter, "NOT "+cond)), func(st *pushState, v any) { st.rules[k].unexpected = toInt(v) })
		add(q.countIf(pd.and(rp.filter, cond+" IS NULL")), func(st *pushState, v any) { st.rules[k].nulls = toInt(v) })
	}
}

// ruleFail is the predicate of rule rp's failing rows.
func (pd *Pushdown) ruleFail(rp *rulePlan) string {
	return pd.and(rp.filter, "NOT ("+rp.prog.SQL(pd.xd)+")")
}

// ruleColumns are the columns a rule's failing rows show, as selected.
func ruleColumns(rp *rulePlan) []string {
	out := make([]string, len(rp.names))
	for i, n := range rp.names {
		out[i] = ident(n)
	}
	return out
}

// aggregate spells one aggregate of a definition in the dialect.
func (pd *Pushdown) aggregate(cp *colPlan, a Aggregate) string {
	q := pd.dialect
	switch a.Func {
	case AggCount:
		cond := a.Filter
		if a.Arg != "" {
			cond = a.Arg + " IS NOT NULL AND " + cond
		}
		if a.Filter == "" {
			return "count(" + a.Arg + ")"
		}
		return q.countIf(cond)
	case AggCountDistinct:
		return "count(DISTINCT " + a.Arg + ")"
	}
	// sum, avg, stddev_samp over the column as a double.
	return string(a.Func) + "(" + pd.arg(cp) + ")"
}

// SQL returns the first query: every aggregate of the pushed checks, in
// one scan of the table.
func (pd *Pushdown) SQL() string {
	return "SELECT " + strings.Join(pd.aggs, ", ") + " FROM " + pd.table.From
}

// Explain returns the SQL the pushdown sends, each statement preceded by
// a comment line saying what it computes; statements that depend on the
// first query's counts are shown for the counts they need.
func (pd *Pushdown) Explain() string {
	var b strings.Builder
	fmt.Fprintf(&b, "-- %s: every pushed check in one scan\n%s;\n", pd.dialect.Name, pd.SQL())
	noSamples := pd.table.Key == "" || pd.p.sample == 0 // no failing values are fetched
	for ci, cp := range pd.p.cols {
		x := pd.colQ(cp).col(cp.name)
		if cp.deviations {
			a := pd.arg(cp)
			when := ""
			if !pd.dialect.StddevTwoPass {
				when = fmt.Sprintf(", only when the first query's %s lies within the engine's error bound of a bound the check compares it to, or may be off by 1e-9", pd.dialect.stddevSamp(a))
			}
			fmt.Fprintf(&b, "-- second pass%s: the squared deviations of %s from its mean, the first query's avg, for stddev:\nSELECT sum((%s - mean) * (%s - mean)) FROM %s;\n", when, ident(cp.name), a, a, pd.table.From)
		}
		if cp.values {
			when := ""
			if pd.middles[ci] {
				when = ", only when the first query's middle values cannot stand (the column holds NaN, or its count is odd and its values include an infinity)"
			}
			fmt.Fprintf(&b, "-- second pass%s: exact order statistics of %s at ranks ⌊q·(n−1)⌋ and ⌊q·(n−1)⌋+1, n its count of values, all of a column's in one aggregate, e.g. the median of n = 100:\nSELECT %s FROM %s;\n",
				when, ident(cp.name), strings.Join(pd.dialect.orderStats(pd.arg(cp), []int64{49, 50}, 100), ", "), pd.table.From)
		}
		if cp.dupRows {
			fmt.Fprintf(&b, "-- the values of %s that repeat, counted (not sent when the first query's count(DISTINCT) equals the count of values)\n%s;\n", ident(cp.name), pd.dupSQL(x))
		}
		if pd.classes[ci] {
			if cp.class == classInt {
				fmt.Fprintf(&b, "-- the classes of %s: from the first query's count and sum when its min and max are at most 1 apart; when they are at most %d apart, counted in the second pass, one count(*) FILTER (WHERE %s = v) per integer v between them; else each value with its count:\n", ident(cp.name), foldedClasses-1, x)
			} else {
				fmt.Fprintf(&b, "-- the classes of %s: each value with its count\n", ident(cp.name))
			}
			fmt.Fprintf(&b, "%s;\n", pd.classSQL(x))
		}
		if noSamples {
			continue
		}
		for _, rc := range cp.rowCheck {
			if cond := pd.failCond(cp, rc); cond != "" {
				fmt.Fprintf(&b, "-- failing values of %s, when there are any, then their positions in key order (%s)\n%s;\n", rc.check.Name(), pd.positionSQL([]string{"key"}), pd.sampleSQL([]string{x}, cond))
			}
		}
		if cp.nullRows || cp.valueRows {
			fmt.Fprintf(&b, "-- rows of %s for the missing check, when there are any\n%s;\n", ident(cp.name), pd.sampleSQL([]string{x}, pd.missingCond(cp)))
		}
	}
	for _, rp := range pd.p.rules {
		if noSamples {
			break
		}
		fmt.Fprintf(&b, "-- failing rows of %s, when there are any, then their positions in key order\n%s;\n", rp.check.Name(), pd.sampleSQL(ruleColumns(rp), pd.ruleFail(rp)))
	}
	if pd.local != nil {
		fmt.Fprintf(&b, "-- computed by trustml from streamed columns (%s):\n", strings.Join(pd.local.Names(), ", "))
		for _, c := range pd.localChecks() {
			fmt.Fprintf(&b, "--   %s: %s\n", c.Name(), pd.why[c])
		}
	}
	return b.String()
}

func (pd *Pushdown) localChecks() []*Check {
	var out []*Check
	for i := range pd.local.Table {
		out = append(out, &pd.local.Table[i])
	}
	for ci := range pd.local.Columns {
		for k := range pd.local.Columns[ci].Checks {
			out = append(out, &pd.local.Columns[ci].Checks[k])
		}
	}
	for i := range pd.local.Rules {
		out = append(out, &pd.local.Rules[i])
	}
	return out
}

func (pd *Pushdown) dupSQL(x string) string {
	return "SELECT sum(c) FROM (SELECT count(*) AS c FROM " + pd.table.From + " WHERE " + x + " IS NOT NULL GROUP BY " + x + " HAVING count(*) > 1) AS d"
}

// classSQL counts the rows of each distinct non-null value of x.
func (pd *Pushdown) classSQL(x string) string {
	return "SELECT " + x + ", count(*) FROM " + pd.table.From + " WHERE " + x + " IS NOT NULL GROUP BY " + x
}

// failCond is the predicate of rc's failing values over the sample
// query's rows; "" when the check keeps no sample.
func (pd *Pushdown) failCond(cp *colPlan, rc *rowCheck) string {
	q := pd.colQ(cp)
	x := q.col(cp.name)
	switch {
	case rc.failAll:
		return x + " IS NOT NULL"
	case rc.check.Kind == Type:
		return ""
	}
	def := rc.check.DefinitionIn(q)
	return x + " IS NOT NULL AND NOT (" + def.Rule + ")"
}

// missingCond is the predicate of the rows the missing check samples: the
// missing values among the rows the filter keeps, or the values.
func (pd *Pushdown) missingCond(cp *colPlan) string {
	if cp.nullRows {
		return pd.and(cp.filter, pd.dialect.raw(cp.name)+" IS NULL")
	}
	return pd.colQ(cp).col(cp.name) + " IS NOT NULL"
}

// sampleSQL selects the key and cols of the first rows where cond holds,
// in the key's order. A second query turns the keys into positions
// (positionSQL), so that no engine needs window functions.
func (pd *Pushdown) sampleSQL(cols []string, cond string) string {
	key := ident(pd.table.Key)
	q := "SELECT " + key + ", " + strings.Join(cols, ", ") + " FROM " + pd.table.From + " WHERE " + cond + " ORDER BY " + key
	if n := pd.p.sample; n >= 0 {
		q += " LIMIT " + strconv.Itoa(n)
	}
	return q
}

// positionSQL counts, for each key, the rows before it in the key's
// order: its 0-based position. keys are SQL literals.
func (pd *Pushdown) positionSQL(keys []string) string {
	key := ident(pd.table.Key)
	cols := make([]string, len(keys))
	for i, k := range keys {
		cols[i] = pd.dialect.countIf(key + " < " + k)
	}
	return "SELECT " + strings.Join(cols, ", ") + " FROM " + pd.table.From
}

// keyLiteral spells a key value an engine returned as a SQL literal of
// dialect q; ok is false for a type a key cannot have.
func keyLiteral(q *SQLDialect, v any) (string, bool) {
	switch x := v.(type) {
	case int64:
		return strconv.FormatInt(x, 10), true
	case string:
		return q.literal(StringValue(x)), true
	}
	return "", false
}

// uniqueCond is the failing values' predicate of a unique check: the
// values that occur more than once.
func (pd *Pushdown) uniqueCond(cp *colPlan) string {
	x := pd.colQ(cp).col(cp.name)
	return x + " IS NOT NULL AND " + x + " IN (SELECT " + x + " FROM " + pd.table.From + " WHERE " + x + " IS NOT NULL GROUP BY " + x + " HAVING count(*) > 1)"
}

// Run sends the queries through q and returns one result per check of the
// suite, in Evaluate's order; local holds Evaluate's results for Local()
// (nil when Local is nil), and the table's row count. A check computed
// locally says so in its Details. An error from the engine is returned as
// it is.
func (pd *Pushdown) Run(ctx context.Context, q Querier, local []result.Check) ([]result.Check, int64, error) {
	nc := len(pd.p.cols)
	st := &pushState{cols: make([]*colState, nc), stats: make([]*colStats, nc),
		kept: make([]int64, len(pd.p.filters)), rules: make([]ruleState, len(pd.p.rules)),
		mid: make([]midState, nc), sd1: make([]float64, nc), settleSD: make([]bool, nc), settleOrder: make([]bool, nc),
		classSum: make([]float64, nc)}
	for i, cp := range pd.p.cols {
		st.mid[i] = midState{lo: math.NaN(), hi: math.NaN(), all: -1, top: math.NaN()}
		st.sd1[i], st.classSum[i] = math.NaN(), math.NaN()
		st.settleOrder[i] = cp.values
		cs := &colState{Column: accum.NewColumn(cp.name), row: make([]rowState, len(cp.rowCheck))}
		cs.Min, cs.Max = math.NaN(), math.NaN()
		if cp.freq {
			cs.freq = &sqlFreq{}
		}
		st.cols[i] = cs
		st.stats[i] = &colStats{mean: math.NaN(), stddev: math.NaN(), sum: math.NaN()}
	}
	rows, err := q.Query(ctx, pd.SQL())
	if err != nil {
		return nil, 0, err
	}
	if len(rows) != 1 || len(rows[0]) != len(pd.aggs) {
		return nil, 0, fmt.Errorf("%s returned %d rows for one aggregate row", pd.dialect.Name, len(rows))
	}
	for i, v := range rows[0] {
		for _, s := range pd.sinks[i] {
			s(st, v)
		}
	}
	for i, cs := range st.cols {
		// A filtered column's rows are those its filter keeps.
		cs.Rows = st.rows
		if f := pd.p.cols[i].filter; f >= 0 {
			cs.Rows = st.kept[f]
		}
		cs.Nulls = cs.Rows - cs.Count
		s := st.stats[i]
		s.n = cs.Count
		// ±Inf among the values: the sum and mean are infinite (NaN for
		// both signs) and the standard deviation undefined, as locally.
		total := s.sum
		if pd.noSum[i] {
			total = s.mean
		}
		if math.IsInf(total, 0) || (math.IsNaN(total) && cs.Count > 0 && pd.p.cols[i].moments) {
			s.infinite = true
			s.mean, s.stddev = total, math.NaN()
		}
		if pd.middles[i] {
			pd.settleMiddle(st, i)
		}
		if pd.p.cols[i].deviations {
			pd.settleStddev(st, i)
		}
	}
	if err := pd.secondPass(ctx, q, st); err != nil {
		return nil, 0, err
	}
	if err := pd.followUp(ctx, q, st); err != nil {
		return nil, 0, err
	}
	pushed := pd.finish(st)
	return pd.merge(pushed, local), st.rows, nil
}

// foldedClasses bounds the classes of an integer column counted in the
// second pass, one count(*) FILTER each, instead of by a query of their
// own.
const foldedClasses = 64

// secondPass fetches, in one more scan, what depends on the first
// query's counts and means: the order statistics the medians and
// quantiles read (for n values, the ranks around q·(n−1)), and the sum of
// squared deviations from the mean that the standard deviation reads.
// The classes of an integer column whose values span fewer than
// foldedClasses integers are counted in the same scan.
func (pd *Pushdown) secondPass(ctx context.Context, q Querier, st *pushState) error {
	var exprs []string
	// rank −1: the squared deviations; −2: the count of class.
	type slot struct {
		ci, rank int
		class    int64
	}
	var slots []slot
	for ci, cp := range pd.p.cols {
		if s := st.stats[ci]; cp.deviations && st.settleSD[ci] {
			a, m := pd.arg(cp), pd.dialect.double(strconv.FormatFloat(s.mean, 'g', -1, 64))
			exprs = append(exprs, "sum(("+a+" - "+m+") * ("+a+" - "+m+"))")
			slots = append(slots, slot{ci: ci, rank: -1})
		}
	}
	for ci, cp := range pd.p.cols {
		if !st.settleOrder[ci] {
			continue
		}
		n := st.cols[ci].Count
		st.stats[ci].nvalues = int(n)
		st.stats[ci].order = map[int]float64{}
		ranks := cp.ranks(int(n))
		rs := make([]int64, len(ranks))
		for i, r := range ranks {
			rs[i] = int64(r)
			slots = append(slots, slot{ci: ci, rank: r})
		}
		if len(rs) > 0 {
			exprs = append(exprs, pd.dialect.orderStats(pd.arg(cp), rs, n)...)
		}
	}
	for ci, cp := range pd.p.cols {
		cs := st.cols[ci]
		if !pd.classes[ci] || cp.class != classInt {
			continue
		}
		lo, hi := cs.Min, cs.Max
		if cs.Count > 0 && !(hi-lo < foldedClasses && math.Abs(lo) <= 1<<53 && math.Abs(hi) <= 1<<53) {
			continue // a query of their own (followUp)
		}
		cs.freq.(*sqlFreq).classified = true
		if twoClasses(cs, st.classSum[ci], cp) {
			continue
		}
		for v := int64(lo); cs.Count > 0 && v <= int64(hi); v++ {
			exprs = append(exprs, pd.dialect.countIf(pd.colQ(cp).col(cp.name)+" = "+strconv.FormatInt(v, 10)))
			slots = append(slots, slot{ci: ci, rank: -2, class: v})
		}
	}
	if len(exprs) == 0 {
		return nil
	}
	rows, err := q.Query(ctx, "SELECT "+strings.Join(exprs, ", ")+" FROM "+pd.table.From)
	if err != nil {
		return err
	}
	if len(rows) != 1 || len(rows[0]) != len(exprs) {
		return fmt.Errorf("%s returned %d rows for one row of order statistics", pd.dialect.Name, len(rows))
	}
	for i, s := range slots {
		if s.rank == -2 {
			if n := toInt(rows[0][i]); n > 0 {
				f := st.cols[s.ci].freq.(*sqlFreq)
				f.cls = append(f.cls, classCount{value: display(pd.p.cols[s.ci], s.class), count: n})
			}
			continue
		}
		if s.rank < 0 {
			st.stats[s.ci].stddev = math.Sqrt(toFloat(rows[0][i]) / float64(st.cols[s.ci].Count-1))
			continue
		}
		st.stats[s.ci].order[s.rank] = toFloat(rows[0][i])
	}
	return nil
}

// followUp counts the repeated values of unique checks and fetches the
// failing values of the checks that have some, when the table has a key.
func (pd *Pushdown) followUp(ctx context.Context, q Querier, st *pushState) error {
	one := func(sql string) (any, error) {
		rows, err := q.Query(ctx, sql)
		if err != nil {
			return nil, err
		}
		if len(rows) != 1 || len(rows[0]) != 1 {
			return nil, fmt.Errorf("%s returned %d rows for one value", pd.dialect.Name, len(rows))
		}
		return rows[0][0], nil
	}
	// rowsWhere fetches the first failing rows where cond holds: their
	// positions, and value(row) of the columns selected.
	rowsWhere := func(cols []string, cond string, value func([]any) any) ([]result.Failure, error) {
		if pd.table.Key == "" || pd.p.sample == 0 {
			return nil, nil
		}
		rows, err := q.Query(ctx, pd.sampleSQL(cols, cond))
		if err != nil || len(rows) == 0 {
			return nil, err
		}
		keys := make([]string, len(rows))
		for i, r := range rows {
			var ok bool
			if keys[i], ok = keyLiteral(pd.dialect, r[0]); !ok {
				return nil, fmt.Errorf("%s: key %s: a key is an integer or string column, got %v", pd.dialect.Name, ident(pd.table.Key), r[0])
			}
		}
		pos, err := q.Query(ctx, pd.positionSQL(keys))
		if err != nil {
			return nil, err
		}
		if len(pos) != 1 || len(pos[0]) != len(rows) {
			return nil, fmt.Errorf("%s returned %d rows for one row of positions", pd.dialect.Name, len(pos))
		}
		out := make([]result.Failure, len(rows))
		for i, r := range rows {
			out[i] = result.Failure{Row: toInt(pos[0][i]), Value: value(r[1:])}
		}
		return out, nil
	}
	sample := func(cp *colPlan, cond string) ([]result.Failure, error) {
		return rowsWhere([]string{pd.colQ(cp).col(cp.name)}, cond, func(r []any) any { return display(cp, r[0]) })
	}
	for k, rp := range pd.p.rules {
		if st.rules[k].unexpected == 0 {
			continue
		}
		types := make([]arrow.DataType, len(rp.cols))
		for i, c := range rp.cols {
			types[i] = pd.p.readSchema.Field(c).Type
		}
		s, err := rowsWhere(ruleColumns(rp), pd.ruleFail(rp), func(r []any) any {
			row := make(result.Tuple, len(r))
			for i, v := range r {
				row[i] = result.Field{Column: rp.names[i], Value: engineCell(types[i], v)}
			}
			return row
		})
		if err != nil {
			return err
		}
		st.rules[k].sample = s
	}
	for ci, cp := range pd.p.cols {
		cs := st.cols[ci]
		x := pd.colQ(cp).col(cp.name)
		if pd.classes[ci] && !cs.freq.(*sqlFreq).classified {
			rows, err := q.Query(ctx, pd.classSQL(x))
			if err != nil {
				return err
			}
			f := cs.freq.(*sqlFreq)
			for _, r := range rows {
				if len(r) != 2 {
					return fmt.Errorf("%s returned %d columns for a value and its count", pd.dialect.Name, len(r))
				}
				f.cls = append(f.cls, classCount{value: display(cp, r[0]), count: toInt(r[1])})
			}
		}
		if cp.dupRows {
			f := cs.freq.(*sqlFreq)
			// As many distinct values as values: none repeats, and the
			// query that counts repeats need not scan.
			if !f.counted || int64(f.n) != cs.Count {
				v, err := one(pd.dupSQL(x))
				if err != nil {
					return err
				}
				f.unexpected = toInt(v)
			}
			if f.unexpected > 0 {
				var err error
				if f.sample, err = sample(cp, pd.uniqueCond(cp)); err != nil {
					return err
				}
			}
		}
		for k, rc := range cp.rowCheck {
			rs := &cs.row[k]
			cond := pd.failCond(cp, rc)
			if rc.failAll {
				rs.unexpected = cs.Count
			}
			if cond == "" || rs.unexpected == 0 {
				continue
			}
			var err error
			if rs.sample, err = sample(cp, cond); err != nil {
				return err
			}
		}
		if (cp.nullRows && cs.Nulls > 0) || (cp.valueRows && cs.Count > 0) {
			s, err := sample(cp, pd.missingCond(cp))
			if err != nil {
				return err
			}
			if cp.nullRows {
				cs.nullSample = s
			} else {
				cs.valueSample = s
			}
		}
	}
	return nil
}

// finish concludes every pushed check from the queries' values, by its
// kind's finish, as Evaluate does from its accumulators, with the filters
// and the rows they kept.
func (pd *Pushdown) finish(st *pushState) []result.Check {
	p := pd.p
	out := make([]result.Check, 0, p.suite.Len())
	names := make([]string, p.schema.NumFields())
	for i, f := range p.schema.Fields() {
		names[i] = f.Name
	}
	tableRows := st.rows
	if p.tableFilter >= 0 {
		tableRows = st.kept[p.tableFilter]
	}
	for i := range p.suite.Table {
		r := conclude(&eval{p: p, rows: tableRows, names: names}, &p.suite.Table[i])
		p.whereOf(&r, p.tableFilter, st.kept)
		out = append(out, r)
	}
	for _, col := range p.suite.Columns {
		for k := range col.Checks {
			c := &col.Checks[k]
			i := p.colOf[c]
			r := conclude(&eval{p: p, rows: st.rows, names: names, cp: p.cols[i], cs: st.cols[i], st: st.stats[i]}, c)
			p.whereOf(&r, p.cols[i].filter, st.kept)
			out = append(out, r)
		}
	}
	for k, rp := range p.rules {
		r := conclude(&eval{p: p, rows: st.rows, names: names, rule: &st.rules[k]}, rp.check)
		p.whereOf(&r, rp.filter, st.kept)
		out = append(out, r)
	}
	return out
}

// merge interleaves the pushed and the local results in suite order; a
// local result says it was computed locally, and why.
func (pd *Pushdown) merge(pushed, local []result.Check) []result.Check {
	var lc []*Check
	if pd.local != nil {
		lc = pd.localChecks()
	}
	out := make([]result.Check, 0, len(pd.pushed))
	pi, li := 0, 0
	for _, ok := range pd.pushed {
		if ok {
			out = append(out, pushed[pi])
			pi++
			continue
		}
		r := local[li]
		r.Details = map[string]any{"evaluated": "locally, from columns streamed from " + pd.dialect.Name, "reason": pd.why[lc[li]]}
		out = append(out, r)
		li++
	}
	return out
}

// sqlFreq is what a pushdown knows of a column's frequency table: the
// number of distinct values, for unique the count of values that repeat
// and the first of them, and for imbalance the classes. The other kinds
// reading classes (distinct_values, categorical chi_square) are computed
// locally, so match is never asked of it.
type sqlFreq struct {
	n          int
	counted    bool // n is the first query's count(DISTINCT x)
	unexpected int64
	sample     []result.Failure
	cls        []classCount // imbalance's classes
	classified bool         // cls was filled by the second pass
}

func (f *sqlFreq) mergeFrom(freqTable, int) {}
func (f *sqlFreq) finish(int)               {}
func (f *sqlFreq) distinct() int            { return f.n }
func (f *sqlFreq) classes() []classCount    { return f.cls }
func (f *sqlFreq) duplicates(int) (int64, []result.Failure) {
	return f.unexpected, f.sample
}
func (f *sqlFreq) match([]Value) ([]int64, []classCount) { return nil, nil }

// toInt reads a count; NULL (the sum of no rows) is 0.
func toInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		return int64(x)
	}
	return 0
}

// toFloat reads a statistic; NULL (of no values) is NaN, undefined.
func toFloat(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	}
	return math.NaN()
}

// engineCell turns a value an engine returned for a column of Arrow type
// dt into what a rule's failing row shows, as cellValue shows the local
// engine's: numbers and booleans as themselves (floats as
// result.Number), dates and timestamps as text (a zoned timestamp in its
// zone), strings cut to result.MaxValueRunes runes.
func engineCell(dt arrow.DataType, v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case time.Time:
		switch t := dt.(type) {
		case *arrow.Date32Type, *arrow.Date64Type:
			return x.Format("2006-01-02")
		case *arrow.TimestampType:
			x = x.UTC()
			if t.TimeZone != "" {
				if loc, err := t.GetZone(); err == nil && loc != nil {
					x = x.In(loc)
				}
			}
		}
		return x.Format("2006-01-02T15:04:05.999999999Z07:00")
	case int64:
		switch {
		case isFloat(dt):
			return result.Number(float64(x))
		case isUnsigned(dt):
			return uint64(x)
		}
		return x
	case float64:
		return result.Number(x)
	case string:
		s, _ := result.Cut(x, result.MaxValueRunes)
		return s
	}
	return v
}

// display turns a value an engine returned into what results show for
// column cp, as the local engine shows it: integers as int64 (uint64 for
// an unsigned 64-bit column), temporal values formatted as dates and
// timestamps.
func display(cp *colPlan, v any) any {
	switch x := v.(type) {
	case time.Time:
		switch cp.dt.(type) {
		case *arrow.Date32Type, *arrow.Date64Type:
			return x.Format("2006-01-02")
		}
		return x.UTC().Format("2006-01-02T15:04:05.999999999Z07:00")
	case int64:
		if cp.class == classFloat {
			return float64(x)
		}
		return cp.display(x)
	}
	return v
}

// isUnsigned reports whether dt is an unsigned integer type.
func isUnsigned(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return true
	}
	return false
}
