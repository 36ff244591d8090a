package expect

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/result"
)

// The kinds over two or more columns of a row, declared under the first
// column: compare (a > b, a = b ...), pair_in_set, row_sum and cramers_v.
// They are the shorthands of row rules over column pairs, and run in the
// same pass with accumulators of their own.

// Kinds over a column and others of the same row.
const (
	// Compare: each row's value of the column relates to the value of
	// Check.With by Check.Op (=, !=, <, <=, >, >=); row-wise.
	Compare Kind = "compare"
	// PairInSet: each row's (column, With) pair is one of Check.Pairs;
	// row-wise.
	PairInSet Kind = "pair_in_set"
	// RowSum: each row's sum of the column and Check.WithColumns lies in
	// the Interval; row-wise. Rows with a missing value are left out.
	RowSum Kind = "row_sum"
	// CramersV: Cramér's V (φ for two classes each) between the column's
	// values and Check.With's, over the rows where both have one, is at
	// most Max. It is √(χ²/(n·(min(r, c) − 1))) from the contingency
	// table of the pairs, with Yates' correction for a 2×2 table (as
	// scipy's chi2_contingency); 0 when either column has one class.
	CramersV Kind = "cramers_v"
)

// Ignore values for rows where a pair has missing values.
const (
	IgnoreEither = "either" // skip a row where either value is missing (SQL's three-valued logic; the default)
	IgnoreBoth   = "both"   // skip a row only where both are; one missing value fails the row
)

// compareOps are the operators of compare, with their SQL spelling.
var compareOps = map[string]func(c int) bool{
	"=":  func(c int) bool { return c == 0 },
	"!=": func(c int) bool { return c != 0 },
	"<":  func(c int) bool { return c < 0 },
	"<=": func(c int) bool { return c <= 0 },
	">":  func(c int) bool { return c > 0 },
	">=": func(c int) bool { return c >= 0 },
}

func opNames() []string { return []string{"=", "!=", "<", "<=", ">", ">="} }

func init() {
	register(kindDef{
		kind: Compare, rowWise: true, example: `">= x"`, reads: valueClasses,
		decode:   decodeCompare,
		validate: validatePair,
		bind:     bindPair,
		finish:   finishPair,
		define: func(c *Check, _ *SQLDialect) Definition {
			return pairDefinition(c, ident(c.Column)+" "+sqlOp(c.Op)+" "+ident(c.With))
		},
	})
	register(kindDef{
		kind: PairInSet, rowWise: true, example: "{column: x, pairs: [[1, 1], [2, 2]]}", reads: setClasses,
		decode:   decodePairInSet,
		validate: validatePair,
		bind:     bindPair,
		finish:   finishPair,
		define: func(c *Check, _ *SQLDialect) Definition {
			var parts []string
			for _, p := range c.Pairs {
				parts = append(parts, "("+literal(p[0])+", "+literal(p[1])+")")
			}
			return pairDefinition(c, "("+ident(c.Column)+", "+ident(c.With)+") IN ("+strings.Join(parts, ", ")+")")
		},
	})
	register(kindDef{
		kind: RowSum, rowWise: true, example: "{columns: [x], min: 0, max: 10}", reads: numericClasses,
		decode:   decodeRowSum,
		validate: validatePair,
		bind:     bindPair,
		finish:   finishPair,
		define: func(c *Check, _ *SQLDialect) Definition {
			terms := []string{ident(c.Column)}
			for _, w := range c.WithColumns {
				terms = append(terms, ident(w))
			}
			return pairDefinition(c, sqlWithin("("+strings.Join(terms, " + ")+")", c.Interval))
		},
	})
	register(kindDef{
		kind: CramersV, example: "{column: x, max: 0.3}", reads: valueClasses,
		decode:   decodeCramersV,
		validate: validatePair,
		bind:     bindPair,
		finish:   finishCramersV,
		define: func(c *Check, _ *SQLDialect) Definition {
			return Definition{Aggregates: []Aggregate{
				{Name: "contingency", Func: AggHistogram, Arg: "row(" + ident(c.Column) + ", " + ident(c.With) + ")",
					Filter: ident(c.Column) + " IS NOT NULL AND " + ident(c.With) + " IS NOT NULL"},
			}}
		},
	})
}

func sqlOp(op string) string {
	if op == "!=" {
		return "<>"
	}
	return op
}

// pairDefinition defines a row-wise pair check: the rows it evaluates and
// those that break the rule.
func pairDefinition(c *Check, rule string) Definition {
	cols := append([]string{c.Column}, c.otherColumns()...)
	var present []string
	op := " AND "
	if c.IgnoreMissing == IgnoreBoth {
		op = " OR "
	}
	for _, col := range cols {
		present = append(present, ident(col)+" IS NOT NULL")
	}
	evaluated := strings.Join(present, op)
	return Definition{Rule: rule, Aggregates: []Aggregate{
		{Name: "element_count", Func: AggCount, Filter: evaluated},
		{Name: "unexpected_count", Func: AggCount, Filter: "(" + evaluated + ") AND NOT coalesce(" + rule + ", FALSE)"},
	}}
}

// otherColumns are the columns a pair kind reads beside its own.
func (c *Check) otherColumns() []string {
	if c.Kind == RowSum {
		return c.WithColumns
	}
	return []string{c.With}
}

// pairKeys are the keys every pair kind's mapping takes.
func pairKeys(c *Check, extra ...string) []string {
	keys := append([]string{"column", "severity"}, extra...)
	if registry[c.Kind].rowWise {
		keys = append(keys, "mostly", "ignore")
	}
	return keys
}

// decodePairCommon reads column, ignore, mostly and severity from fields.
func decodePairCommon(d *yamlx.Decoder, c *Check, n *yaml.Node, path string, fields []yamlx.Field) {
	decodeBounds(d, c, n, path, slices.DeleteFunc(slices.Clone(fields), func(f yamlx.Field) bool {
		return f.Key == "min" || f.Key == "max" || f.Key == "strict_min" || f.Key == "strict_max"
	}), false)
	for _, g := range fields {
		switch g.Key {
		case "column":
			if s, ok := d.String(g.Value, g.Path); ok {
				c.With = s
			}
		case "ignore":
			if s, ok := d.Word(g.Value, g.Path, IgnoreEither, IgnoreBoth); ok {
				c.IgnoreMissing = s
			}
		}
	}
	if c.Kind != RowSum && child(n, "column") == nil {
		d.Errorf(n, path, "needs column: the other column of the pair")
	}
}

// decodeCompare reads "OP column" or {op, column, mostly, ignore,
// severity}.
func decodeCompare(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) {
	n = yamlx.Resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		s, ok := d.String(n, path)
		if !ok {
			return
		}
		op, col, found := strings.Cut(strings.TrimSpace(s), " ")
		if !found || compareOps[op] == nil || strings.TrimSpace(col) == "" {
			d.Errorf(n, path, `must be "OP column" with OP one of %s (">= start_date"), got %q`, strings.Join(opNames(), " "), s)
			return
		}
		c.Op, c.With = op, strings.TrimSpace(col)
		return
	}
	fields, ok := d.Mapping(n, path, pairKeys(c, "op"))
	if !ok {
		return
	}
	decodePairCommon(d, c, n, path, fields)
	for _, g := range fields {
		if g.Key == "op" {
			if s, ok := d.Word(g.Value, g.Path, opNames()...); ok {
				c.Op = s
			}
		}
	}
	if child(n, "op") == nil {
		d.Errorf(n, path, "needs op: one of %s", strings.Join(opNames(), " "))
	}
}

// decodePairInSet reads {column, pairs: [[a, b], ...], mostly, ignore,
// severity}.
func decodePairInSet(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) {
	fields, ok := d.Mapping(n, path, pairKeys(c, "pairs"))
	if !ok {
		return
	}
	decodePairCommon(d, c, n, path, fields)
	for _, g := range fields {
		if g.Key != "pairs" {
			continue
		}
		items, ok := d.Sequence(g.Value, g.Path)
		if !ok {
			continue
		}
		if len(items) == 0 {
			d.Errorf(g.Value, g.Path, "must list at least one pair")
		}
		for i, it := range items {
			ip := fmt.Sprintf("%s[%d]", g.Path, i)
			vals := decodeValues(d, it, ip)
			if len(vals) != 2 {
				if yamlx.Resolve(it) != nil && yamlx.Resolve(it).Kind == yaml.SequenceNode {
					d.Errorf(it, ip, "a pair has two values, got %d", len(vals))
				}
				continue
			}
			c.Pairs = append(c.Pairs, [2]Value{vals[0], vals[1]})
		}
	}
	if child(n, "pairs") == nil {
		d.Errorf(n, path, "needs pairs: [[a, b], ...]")
	}
}

// decodeRowSum reads {columns: [...], min, max, value, mostly, ignore,
// severity}; value is min and max at once.
func decodeRowSum(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) {
	fields, ok := d.Mapping(n, path, append(pairKeys(c, "columns", "value"), yamlx.IntervalKeys...)[1:])
	if !ok {
		return
	}
	decodeBounds(d, c, n, path, fields, false)
	for _, g := range fields {
		switch g.Key {
		case "columns":
			if cols, ok := d.Texts(g.Value, g.Path); ok {
				if len(cols) == 0 {
					d.Errorf(g.Value, g.Path, "must list at least one column")
				}
				c.WithColumns = cols
			}
		case "value":
			if v, ok := d.Float(g.Value, g.Path); ok {
				if child(n, "min") != nil || child(n, "max") != nil {
					d.Errorf(g.Value, g.Path, "value is min and max at once; give value, or min and max")
				}
				c.Min, c.Max = &v, &v
			}
		case "ignore":
			if s, ok := d.Word(g.Value, g.Path, IgnoreEither); ok {
				c.IgnoreMissing = s
			}
		}
	}
	if child(n, "columns") == nil {
		d.Errorf(n, path, "needs columns: the other columns of the sum")
	}
	requireBound(d, n, path, "min", "max", "value")
}

// decodeCramersV reads {column, max, severity}.
func decodeCramersV(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) {
	fields, ok := d.Mapping(n, path, pairKeys(c, "max"))
	if !ok {
		return
	}
	decodePairCommon(d, c, n, path, fields)
	for _, g := range fields {
		if g.Key == "max" {
			if v, ok := d.Float(g.Value, g.Path); ok {
				c.Max = &v
			}
		}
	}
	if child(n, "max") == nil {
		d.Errorf(n, path, "needs max: the largest Cramér's V allowed")
	}
}

// validatePair states the rules of the pair kinds.
func validatePair(c *Check) error {
	switch {
	case c.Kind != RowSum && c.With == "":
		return fmt.Errorf("%s needs the other column (With)", c.Kind)
	case c.Kind == RowSum && len(c.WithColumns) == 0:
		return fmt.Errorf("row_sum needs the other columns (WithColumns)")
	case c.Kind == Compare && compareOps[c.Op] == nil:
		return fmt.Errorf("compare needs an operator, one of %s; got %q", strings.Join(opNames(), " "), c.Op)
	case c.Kind == PairInSet && len(c.Pairs) == 0:
		return fmt.Errorf("pair_in_set needs at least one pair")
	case c.Kind == RowSum && c.Min == nil && c.Max == nil:
		return fmt.Errorf("row_sum needs min, max or value")
	case c.Kind == CramersV && c.Max == nil:
		return fmt.Errorf("cramers_v needs max")
	case c.Kind == CramersV && c.Min != nil:
		return fmt.Errorf("cramers_v takes max only")
	case c.IgnoreMissing != "" && c.IgnoreMissing != IgnoreEither && c.IgnoreMissing != IgnoreBoth:
		return fmt.Errorf("ignore must be %s or %s, got %q", IgnoreEither, IgnoreBoth, c.IgnoreMissing)
	case c.Kind == RowSum && c.IgnoreMissing == IgnoreBoth:
		return fmt.Errorf("row_sum leaves out rows with a missing value; ignore: both does not apply")
	}
	return nil
}

// pairAcc is the accumulator of a pair kind: the row-wise failures, or
// the contingency table of cramers_v.
type pairAcc struct {
	check *Check
	cols  []int
	failures
	table map[[2]cellKey]int64
}

// cellKey is a cell as a map key.
type cellKey struct {
	num  float64
	str  string
	kind cellKind
}

// bindPair plans a pair kind: the other columns must exist and hold
// values the column's can be compared with.
func bindPair(cp *colPlan, c *Check) error {
	cols := []int{cp.idx}
	for _, name := range c.otherColumns() {
		idx, dt, err := cp.otherColumn(name)
		if err != nil {
			return err
		}
		if c.Kind == RowSum && !isNumeric(dt) && dt.ID() != arrow.NULL {
			return fmt.Errorf("column %q is %s; row_sum adds numeric columns", name, dt)
		}
		if (c.Kind == Compare || c.Kind == PairInSet) && valueFamily(cp.dt) != valueFamily(dt) {
			return fmt.Errorf("column %q is %s and column %q is %s: their values can never compare", cp.name, cp.dt, name, dt)
		}
		if c.Kind == Compare && (isTemporal(cp.dt) || isTemporal(dt)) && !arrow.TypeEqual(cp.dt, dt) {
			return fmt.Errorf("column %q is %s and column %q is %s: compare reads times of one type and unit (cast one of them)", cp.name, cp.dt, name, dt)
		}
		cols = append(cols, idx)
	}
	for _, p := range c.Pairs {
		for i, v := range p {
			dt := cp.dt
			if i == 1 {
				dt = cp.schema.Field(cols[1]).Type
			}
			probe := &colPlan{name: cp.name, dt: dt, class: classOf(dt)}
			if i == 1 {
				probe.name = c.With
			}
			if err := probe.canMatch(v); err != nil {
				return err
			}
		}
	}
	limit := cp.sample
	cp.addCustom(c, func() customAcc {
		a := &pairAcc{check: c, cols: cols, failures: failures{limit: limit}}
		if c.Kind == CramersV {
			a.table = map[[2]cellKey]int64{}
		}
		return a
	})
	return nil
}

// valueFamily is the family of values a type holds: numbers (and times,
// as numbers), strings or booleans.
func valueFamily(dt arrow.DataType) string {
	switch {
	case isString(dt):
		return "string"
	case dt.ID() == arrow.BOOL:
		return "bool"
	case dt.ID() == arrow.NULL:
		return "null"
	}
	return "number"
}

func (a *pairAcc) add(j job) error {
	readers := make([]func(int) cell, len(a.cols))
	for k, idx := range a.cols {
		r, err := cellReader(j.batch.Column(idx))
		if err != nil {
			return err
		}
		readers[k] = r
	}
	c := a.check
	cells := make([]cell, len(readers))
	n := int(j.batch.NumRows())
	for i := range n {
		missing := 0
		for k, r := range readers {
			cells[k] = r(i)
			if cells[k].kind == cellMissing {
				missing++
			}
		}
		if missing == len(cells) || (missing > 0 && c.IgnoreMissing != IgnoreBoth) {
			continue
		}
		if c.Kind == CramersV {
			a.table[[2]cellKey{cells[0].key(), cells[1].key()}]++
			continue
		}
		a.evaluated++
		if missing > 0 || !a.pass(cells) {
			var shown any
			if c.Kind == RowSum {
				vals := make([]any, len(cells))
				for k, x := range cells {
					vals[k] = x.display
				}
				shown = vals
			} else {
				shown = []any{cells[0].display, cells[1].display}
			}
			a.fail(j.offset+int64(i), shown)
		}
	}
	return nil
}

func (x cell) key() cellKey { return cellKey{num: x.num, str: x.str, kind: x.kind} }

// pass reports whether a row whose cells are all present passes.
func (a *pairAcc) pass(cells []cell) bool {
	c := a.check
	switch c.Kind {
	case Compare:
		return compareOps[c.Op](cells[0].compare(cells[1]))
	case PairInSet:
		for _, p := range c.Pairs {
			if valueIs(p[0], cells[0]) && valueIs(p[1], cells[1]) {
				return true
			}
		}
		return false
	}
	sum := 0.0
	for _, x := range cells {
		sum += x.num
	}
	return c.Interval.Contains(sum)
}

// valueIs reports whether suite value v equals cell x.
func valueIs(v Value, x cell) bool {
	switch x.kind {
	case cellNum:
		return v.IsNum && v.Num == x.num
	case cellBool:
		return v.IsBool && v.Bool == (x.num == 1)
	case cellStr:
		return !v.IsNum && !v.IsBool && v.Text == x.str
	}
	return false
}

func (a *pairAcc) merge(o customAcc, limit int) {
	b := o.(*pairAcc)
	a.mergeFrom(&b.failures, limit)
	for k, v := range b.table {
		a.table[k] += v
	}
}

func finishPair(e *eval, c *Check, r *result.Check) bool {
	a := e.customState(c).(*pairAcc)
	rule := pairRule(c)
	ok := rowWise(c, r, a.evaluated, a.unexpected, sortedRows(a.sample, e.p.sample), "breaking "+rule, "satisfying "+rule)
	exp := map[string]any{"rule": rule}
	if c.IgnoreMissing == IgnoreBoth {
		exp["ignore"] = IgnoreBoth
	}
	r.Expected = withMostly(c, exp)
	if len(r.Sample) > 0 {
		vals, _ := r.Sample[0].Value.([]any)
		names := append([]string{c.Column}, c.otherColumns()...)
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = names[i] + " = " + show(v)
		}
		r.Message = strings.Replace(r.Message, show(r.Sample[0].Value), strings.Join(parts, ", "), 1)
	}
	if a.evaluated == 0 {
		r.ObservedText = "no rows with values to compare"
		r.Message = r.ObservedText
	} else {
		r.ObservedText = strings.Replace(r.ObservedText, "values", "rows", 1)
		r.Message = strings.Replace(r.Message, "values", "rows", 1)
	}
	return ok
}

// pairRule writes a pair kind's rule as SQL-like text.
func pairRule(c *Check) string {
	x := c.Column
	switch c.Kind {
	case Compare:
		return x + " " + c.Op + " " + c.With
	case PairInSet:
		var parts []string
		for i, p := range c.Pairs {
			if i == 8 {
				parts = append(parts, fmt.Sprintf("… %d more", len(c.Pairs)-8))
				break
			}
			parts = append(parts, "("+p[0].Text+", "+p[1].Text+")")
		}
		return "(" + x + ", " + c.With + ") in {" + strings.Join(parts, ", ") + "}"
	}
	return strings.Join(append([]string{x}, c.WithColumns...), " + ") + " in " + c.Interval.String()
}

func finishCramersV(e *eval, c *Check, r *result.Check) bool {
	a := e.customState(c).(*pairAcc)
	v, n, rows, cols := cramersV(a.table)
	r.Expected = map[string]any{"max": *c.Max}
	r.ExpectedText = "Cramér's V at most " + result.FormatFloat(*c.Max)
	if n == 0 {
		r.Status = result.Error
		r.Message = "no rows where both columns have a value: Cramér's V is undefined"
		r.ObservedText = r.Message
		return false
	}
	r.Observed = v
	r.Details = map[string]any{"n": n, "classes": []int{rows, cols}}
	r.ObservedText = fmt.Sprintf("Cramér's V %s over %d rows (%d × %d classes)", result.FormatFloat(v), n, rows, cols)
	ok := v <= *c.Max
	r.Message = r.ObservedText
	if !ok {
		r.Message += ", above " + result.FormatFloat(*c.Max) + ": the columns are associated"
	}
	return ok
}

// cramersV computes Cramér's V from the counts of pairs: χ² of the
// contingency table against independence (Yates-corrected for 2×2), over
// n·(min(r, c) − 1), square-rooted and clipped to [0, 1].
func cramersV(table map[[2]cellKey]int64) (v float64, n int64, nr, nc int) {
	rowIdx, colIdx := map[cellKey]int{}, map[cellKey]int{}
	for k, cnt := range table {
		if _, ok := rowIdx[k[0]]; !ok {
			rowIdx[k[0]] = len(rowIdx)
		}
		if _, ok := colIdx[k[1]]; !ok {
			colIdx[k[1]] = len(colIdx)
		}
		n += cnt
	}
	nr, nc = len(rowIdx), len(colIdx)
	if n == 0 || nr < 2 || nc < 2 {
		return 0, n, nr, nc
	}
	obs := make([]float64, nr*nc)
	rowSum, colSum := make([]float64, nr), make([]float64, nc)
	for k, cnt := range table {
		i, j := rowIdx[k[0]], colIdx[k[1]]
		obs[i*nc+j] += float64(cnt)
		rowSum[i] += float64(cnt)
		colSum[j] += float64(cnt)
	}
	yates := nr == 2 && nc == 2
	chi2 := 0.0
	for i := range nr {
		for j := range nc {
			exp := rowSum[i] * colSum[j] / float64(n)
			d := math.Abs(obs[i*nc+j] - exp)
			if yates {
				d = max(d-0.5, 0)
			}
			chi2 += d * d / exp
		}
	}
	v = math.Sqrt(chi2 / float64(n) / float64(min(nr, nc)-1))
	return min(max(v, 0), 1), n, nr, nc
}
