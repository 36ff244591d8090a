package expect

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/result"
)

// The key kinds, table checks that read rows: a composite key
// (unique_key, written unique under table), duplicate rows, values unique
// within a record, references to the columns of another dataset, and the
// row count compared with another dataset's.

// The key kinds.
const (
	// UniqueKey: the values of Columns, taken together, occur in one row
	// only; every row of a repeated key fails. Suites write it
	// `table: {unique: [a, b]}`. Rows whose key values are all missing
	// are left out (any missing, with SkipAnyMissing).
	UniqueKey Kind = "unique_key"
	// DuplicateRows: the number of rows that repeat an earlier row, over
	// Columns (nil: every column), within Min/Max. Missing values equal
	// each other.
	DuplicateRows Kind = "duplicate_rows"
	// UniqueWithinRecord: in each row, the non-missing values of Columns
	// differ from each other (1 and 1.0 are equal). Rows whose values are
	// all missing are left out (any missing, with SkipAnyMissing).
	UniqueWithinRecord Kind = "unique_within_record"
	// References: every row whose Columns are all present has its values
	// among the rows of the columns To (nil: the same names) of the
	// dataset Other, as a foreign key.
	References Kind = "references"
	// RowCountRatio: the number of rows divided by Other's is within
	// Min/Max; both 1 when the suite gives no bound (equal counts).
	RowCountRatio Kind = "row_count_ratio"
)

func init() {
	register(kindDef{
		kind: UniqueKey, key: "unique", table: true, rowWise: true, lateRows: true, example: "[x, s]",
		decode:   decodeKeyColumns,
		validate: validateKeyColumns(1),
		newRows:  func() rowsAcc { return newKeyTable() },
		finish: func(e *eval, c *Check, r *result.Check) bool {
			t := e.acc.(*keyTable)
			ok := keyRowWise(c, r, t.rows, t.nulls, t.unexpected, t.sample, "share their key with another row", "with a unique key")
			r.Expected = withMostly(c, map[string]any{"unique": c.Columns})
			return ok
		},
		define: func(c *Check, _ *SQLDialect) Definition {
			cols := identList(c.Columns)
			return Definition{
				Rule: "count(*) OVER (PARTITION BY " + cols + ") = 1",
				Aggregates: []Aggregate{
					{Name: "element_count", Func: AggCount, Filter: notAllNull(c.Columns)},
					{Name: "distinct", Func: AggCountDistinct, Arg: "(" + cols + ")", Filter: notAllNull(c.Columns)},
				},
			}
		},
	})
	register(kindDef{
		kind: DuplicateRows, table: true, lateRows: true, example: "{max: 0}", allColumns: true,
		decode: func(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) {
			fields, ok := d.Mapping(n, path, []string{"min", "max", "columns", "severity"})
			if !ok {
				return
			}
			decodeBounds(d, c, n, path, fields, true)
			for _, f := range fields {
				if f.Key == "columns" {
					c.Columns = decodeNames(d, f.Value, f.Path)
				}
			}
			requireBound(d, n, path, "min", "max")
		},
		newRows: func() rowsAcc { return newKeyTable() },
		finish: func(e *eval, c *Check, r *result.Check) bool {
			t := e.acc.(*keyTable)
			n, sample := t.unexpected, t.sample
			over := "every column"
			if len(c.Columns) > 0 {
				over = strings.Join(c.Columns, ", ")
			}
			r.ElementCount, r.UnexpectedCount = result.Ptr(t.rows), result.Ptr(n)
			frac := 0.0
			if t.rows > 0 {
				frac = float64(n) / float64(t.rows)
			}
			r.UnexpectedFraction = result.Ptr(frac)
			r.Sample = sample
			if r.Sample == nil {
				r.Sample = []result.Failure{}
			}
			r.Observed, r.Expected = n, c.Fields()
			r.ObservedText = fmt.Sprintf("%d of %d rows repeat an earlier row over %s", n, t.rows, over)
			r.ExpectedText = "duplicate rows " + c.Interval.String()
			r.Message = fmt.Sprintf("%s, expected %s", r.ObservedText, c.Interval)
			if len(sample) > 0 {
				r.Message += fmt.Sprintf(", e.g. row %d: %s", sample[0].Row, show(sample[0].Value))
			}
			return c.Interval.Contains(float64(n))
		},
		define: func(c *Check, _ *SQLDialect) Definition {
			return Definition{Aggregates: []Aggregate{
				{Name: "element_count", Func: AggCount},
				{Name: "distinct", Func: AggCountDistinct, Arg: "(" + identList(c.Columns) + ")"},
			}, Schema: len(c.Columns) == 0}
		},
	})
	register(kindDef{
		kind: UniqueWithinRecord, table: true, rowWise: true, failedRows: true, example: "[x, s]",
		decode:   decodeKeyColumns,
		validate: validateKeyColumns(2),
		newRows:  func() rowsAcc { return &recordCheck{} },
		finish: func(e *eval, c *Check, r *result.Check) bool {
			t := e.acc.(*recordCheck)
			ok := keyRowWise(c, r, t.rows, t.nulls, t.unexpected, t.sample, "repeat a value across "+strings.Join(c.Columns, ", "), "with distinct values across "+strings.Join(c.Columns, ", "))
			r.Expected = withMostly(c, map[string]any{"unique_within_record": c.Columns})
			return ok
		},
		define: func(c *Check, _ *SQLDialect) Definition {
			var pairs []string
			for i, a := range c.Columns {
				for _, b := range c.Columns[i+1:] {
					pairs = append(pairs, fmt.Sprintf("%s IS DISTINCT FROM %s OR %s IS NULL", ident(a), ident(b), ident(a)))
				}
			}
			return Definition{Rule: "(" + strings.Join(pairs, ") AND (") + ")", Aggregates: []Aggregate{
				{Name: "element_count", Func: AggCount, Filter: notAllNull(c.Columns)},
			}}
		},
	})
	register(kindDef{
		kind: References, table: true, rowWise: true, failedRows: true, list: true,
		example: "[{columns: [x], data: other.csv, to: [id]}]",
		decode:  decodeReference,
		validate: func(c *Check) error {
			switch {
			case len(c.Columns) == 0:
				return atKey("columns", fmt.Errorf("references needs columns: the columns whose values must exist in the other data"))
			case c.Other == nil || c.Other.Path == "":
				return atKey("data", fmt.Errorf("references needs data: the file whose columns hold the values"))
			case len(c.To) > 0 && len(c.To) != len(c.Columns):
				return atKey("to", fmt.Errorf("to names %d columns for %d in columns; name one referenced column for each", len(c.To), len(c.Columns)))
			}
			return nil
		},
		newRows: func() rowsAcc { return &recordCheck{} },
		prepare: loadKeys,
		finish: func(e *eval, c *Check, r *result.Check) bool {
			t := e.acc.(*recordCheck)
			to := c.To
			if len(to) == 0 {
				to = c.Columns
			}
			target := fmt.Sprintf("%s (%s)", c.Other.Path, strings.Join(to, ", "))
			ok := keyRowWise(c, r, t.rows, t.nulls, t.unexpected, t.sample, "not found in "+target, "found in "+target)
			r.Expected = withMostly(c, map[string]any{"columns": c.Columns, "data": c.Other.Path, "to": to})
			r.Details = map[string]any{"referenced_keys": len(e.rp.refs)}
			return ok
		},
		define: func(c *Check, _ *SQLDialect) Definition {
			to := c.To
			if len(to) == 0 {
				to = c.Columns
			}
			var eq []string
			for i, col := range c.Columns {
				eq = append(eq, "o."+ident(to[i])+" = "+ident(col))
			}
			return Definition{
				Rule:       "EXISTS (SELECT 1 FROM " + literal(StringValue(c.Other.Path)) + " o WHERE " + strings.Join(eq, " AND ") + ")",
				Aggregates: []Aggregate{{Name: "element_count", Func: AggCount, Filter: noneNull(c.Columns)}},
			}
		},
	})
	register(kindDef{
		kind: RowCountRatio, table: true, example: "{data: other.csv, min: 0.9, max: 1.1}",
		decode: func(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) {
			if yamlx.Resolve(n).Kind == yaml.ScalarNode {
				c.Other = decodeDataset(d, n, path)
				return
			}
			fields, ok := d.Mapping(n, path, append(yamlx.IntervalKeys, "data", "severity"))
			if !ok {
				return
			}
			decodeBounds(d, c, n, path, fields, false)
			for _, f := range fields {
				if f.Key == "data" {
					c.Other = decodeDataset(d, f.Value, f.Path)
				}
			}
			if c.Other == nil {
				d.Errorf(n, path, "needs data: the file whose row count this table's is compared with")
			}
		},
		prepare: countRows,
		finish: func(e *eval, c *Check, r *result.Check) bool {
			iv := c.Interval
			if iv.Min == nil && iv.Max == nil {
				one := 1.0
				iv.Min, iv.Max = &one, &one
			}
			other := e.rp.other
			r.Observed = map[string]any{"self": e.rows, "other": other}
			r.Expected = map[string]any{"data": c.Other.Path, "ratio": iv.Fields()}
			r.ExpectedText = fmt.Sprintf("rows / rows of %s %s", c.Other.Path, iv)
			if other == 0 {
				r.ObservedText = fmt.Sprintf("%d rows; %s has none", e.rows, c.Other.Path)
				r.Message = r.ObservedText + ": the ratio is undefined"
				return false
			}
			ratio := float64(e.rows) / float64(other)
			r.ObservedText = fmt.Sprintf("%d rows, %d in %s: ratio %s", e.rows, other, c.Other.Path, result.FormatFloat(ratio))
			r.Message = fmt.Sprintf("%s, expected %s", r.ObservedText, iv)
			return iv.Contains(ratio)
		},
		define: func(c *Check, _ *SQLDialect) Definition {
			return Definition{Aggregates: []Aggregate{{Name: "row_count", Func: AggCount}}}
		},
	})
}

// decodeKeyColumns reads [columns] or {columns, mostly, ignore_row_if,
// severity}.
func decodeKeyColumns(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) {
	list := decodeShorthand(d, c, n, path, "columns", "[a, b]", []string{"ignore_row_if"}, func(f yamlx.Field) {
		if v, ok := d.Word(f.Value, f.Path, "all_values_are_missing", "any_value_is_missing"); ok {
			c.SkipAnyMissing = v == "any_value_is_missing"
		}
	})
	if list != nil {
		c.Columns = decodeNames(d, list, path)
	}
}

// validateKeyColumns requires at least n distinct columns.
func validateKeyColumns(n int) func(c *Check) error {
	return func(c *Check) error {
		if len(c.Columns) < n {
			return fmt.Errorf("%s needs at least %d columns, got %d", c.Kind, n, len(c.Columns))
		}
		seen := map[string]bool{}
		for _, col := range c.Columns {
			if seen[col] {
				return fmt.Errorf("column %q is listed twice", col)
			}
			seen[col] = true
		}
		return nil
	}
}

// decodeReference reads one reference: {columns, data, to, mostly,
// severity}.
func decodeReference(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) {
	fields, ok := d.Mapping(n, path, []string{"columns", "data", "to", "mostly", "severity"})
	if !ok {
		return
	}
	decodeBounds(d, c, n, path, fields, false)
	for _, f := range fields {
		switch f.Key {
		case "columns":
			c.Columns = decodeNames(d, f.Value, f.Path)
		case "to":
			c.To = decodeNames(d, f.Value, f.Path)
		case "data":
			c.Other = decodeDataset(d, f.Value, f.Path)
		}
	}
}

// decodeDataset reads another dataset: a path, or a mapping of path and
// reading options, which the suite's loader decodes (see DecodeOptions).
func decodeDataset(d *yamlx.Decoder, n *yaml.Node, path string) *Dataset {
	ds := &Dataset{KeyPath: path, node: n}
	r := yamlx.Resolve(n)
	if r != nil {
		ds.Line, ds.Col = r.Line, r.Column
	}
	if r != nil && r.Kind == yaml.ScalarNode {
		if s, ok := d.String(n, path); ok {
			if s == "" {
				d.Errorf(n, path, "must not be empty")
			}
			ds.Path = s
		}
		return ds
	}
	if r == nil || r.Kind != yaml.MappingNode {
		d.Errorf(n, path, "must be a file path or a mapping like the data section's ({path: FILE, format: csv, ...}), got %s", yamlx.Describe(n))
		return ds
	}
	if v := child(r, "path"); v != nil {
		ds.Path, _ = d.String(v, yamlx.Join(path, "path"))
		ds.Line, ds.Col = v.Line, v.Column
	} else {
		d.Errorf(n, path, "needs path: the file to read")
	}
	return ds
}

// keyRowWise fills the result of a row-wise key check: rows judged, rows
// left out for missing values, failing rows and their sample.
func keyRowWise(c *Check, r *result.Check, rows, nulls, unexpected int64, sample []result.Failure, bad, good string) bool {
	ok := rowWise(c, r, rows, unexpected, sample, bad, good)
	r.NullCount = result.Ptr(nulls)
	r.ExpectedText = "every row " + good
	if c.Mostly != nil {
		r.ExpectedText = fmt.Sprintf("at least %s of rows %s", percent(*c.Mostly), good)
	}
	if rows == 0 {
		r.ObservedText = "no rows to check"
		r.Message = r.ObservedText
		return ok
	}
	r.ObservedText = fmt.Sprintf("%d of %d rows %s (%s)", unexpected, rows, bad, percent(*r.UnexpectedFraction))
	r.Message = r.ObservedText
	if c.Mostly != nil {
		r.Message += fmt.Sprintf(", at most %s allowed", percent(1-*c.Mostly))
	}
	if len(sample) > 0 {
		r.Message += fmt.Sprintf(", e.g. row %d: %s", sample[0].Row, show(sample[0].Value))
	}
	return ok
}

// identList writes columns as a list of SQL identifiers.
func identList(cols []string) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = ident(c)
	}
	return strings.Join(parts, ", ")
}

// notAllNull is the SQL predicate "some of cols has a value".
func notAllNull(cols []string) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = ident(c) + " IS NOT NULL"
	}
	return strings.Join(parts, " OR ")
}

// noneNull is the SQL predicate "every one of cols has a value".
func noneNull(cols []string) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = ident(c) + " IS NOT NULL"
	}
	return strings.Join(parts, " AND ")
}
