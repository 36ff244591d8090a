package expect

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/result"
)

// The table kinds: row_count and column_count bound the table's shape;
// required and exact, under the table's columns key, name its columns.

func init() {
	register(kindDef{
		kind: RowCount, table: true, example: "{min: 1000}",
		decode: decodeCountBounds,
		finish: func(e *eval, c *Check, r *result.Check) bool { return shape(c, r, e.rows, "rows") },
		define: func(c *Check, q *SQLDialect) Definition {
			return Definition{Aggregates: []Aggregate{{Name: "row_count", Func: AggCount}}}
		},
	})
	register(kindDef{
		kind: ColumnCount, table: true, example: "{min: 5, max: 12}",
		decode: decodeCountBounds,
		finish: func(e *eval, c *Check, r *result.Check) bool {
			return shape(c, r, int64(len(e.names)), "columns")
		},
		define: func(*Check, *SQLDialect) Definition { return Definition{Schema: true} },
	})
	register(kindDef{
		kind: RequiredColumns, table: true, example: "[id, age]",
		decode: func(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) { c.Columns = decodeNames(d, n, path) },
		finish: required,
		define: func(*Check, *SQLDialect) Definition { return Definition{Schema: true} },
	})
	register(kindDef{
		kind: ExactColumns, table: true, example: "[id, age, income]",
		decode: func(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) { c.Columns = decodeNames(d, n, path) },
		finish: exact,
		define: func(*Check, *SQLDialect) Definition { return Definition{Schema: true} },
	})
}

// columnsGroup are the kinds read from the table's columns key.
var columnsGroup = map[Kind]bool{RequiredColumns: true, ExactColumns: true}

// decodeColumnsGroup reads columns: {required, exact, ordered, severity}.
func decodeColumnsGroup(d *yamlx.Decoder, f yamlx.Field, sev result.Severity) []Check {
	cf, ok := d.Mapping(f.Value, f.Path, []string{"required", "exact", "ordered", "severity"})
	if !ok {
		return nil
	}
	csev := d.SeverityIn(cf, sev)
	var out []Check
	var ordered bool
	exactAt := -1
	for _, g := range cf {
		switch g.Key {
		case "required", "exact":
			c := Check{Kind: Kind(g.Key), Severity: csev}
			decodeCheck(d, &c, g)
			if g.Key == "exact" {
				exactAt = len(out)
			}
			out = append(out, c)
		case "ordered":
			ordered, _ = d.Bool(g.Value, g.Path)
		}
	}
	if ordered {
		if exactAt < 0 {
			d.Errorf(f.Value, yamlx.Join(f.Path, "ordered"), "applies to exact; add exact: [columns in order]")
		} else {
			out[exactAt].Ordered = true
		}
	}
	return out
}

// decodeNames reads a non-empty list of distinct column names.
func decodeNames(d *yamlx.Decoder, n *yaml.Node, path string) []string {
	names, _ := d.Texts(n, path)
	if len(names) == 0 && !yamlx.IsNull(n) && yamlx.Resolve(n).Kind == yaml.SequenceNode {
		d.Errorf(n, path, "must list at least one column")
	}
	seen := map[string]bool{}
	for i, s := range names {
		if seen[s] {
			d.Errorf(yamlx.Resolve(n).Content[i], fmt.Sprintf("%s[%d]", path, i), "column %q is listed twice", s)
		}
		seen[s] = true
	}
	return names
}

// shape bounds a count of the table's rows or columns.
func shape(c *Check, r *result.Check, v int64, what string) bool {
	r.Observed, r.Expected = v, c.Fields()
	r.ObservedText, r.ExpectedText = fmt.Sprintf("%d %s", v, what), c.Interval.String()
	r.Message = fmt.Sprintf("%d %s, expected %s", v, what, c.Interval)
	return c.Interval.Contains(float64(v))
}

func required(e *eval, c *Check, r *result.Check) bool {
	var missing []string
	for _, n := range c.Columns {
		if !slices.Contains(e.names, n) {
			missing = append(missing, n)
		}
	}
	r.Observed, r.Expected = e.names, c.Columns
	r.ExpectedText = "columns include " + strings.Join(c.Columns, ", ")
	r.ObservedText = "columns are " + strings.Join(e.names, ", ")
	if len(missing) == 0 {
		r.Message = fmt.Sprintf("all %d required columns present", len(c.Columns))
		return true
	}
	r.Message = fmt.Sprintf("missing %s; columns are %s", quoteList(missing), strings.Join(e.names, ", "))
	return false
}

func exact(e *eval, c *Check, r *result.Check) bool {
	ok := sameColumns(e.names, c.Columns, c.Ordered)
	r.Observed, r.Expected = e.names, c.Columns
	r.ObservedText = "columns are " + strings.Join(e.names, ", ")
	r.ExpectedText = "columns are exactly " + strings.Join(c.Columns, ", ")
	if c.Ordered {
		r.ExpectedText += ", in this order"
	}
	if ok {
		r.Message = r.ObservedText
	} else {
		r.Message = columnDiff(e.names, c.Columns, c.Ordered)
	}
	return ok
}

func sameColumns(have, want []string, ordered bool) bool {
	if len(have) != len(want) {
		return false
	}
	if ordered {
		return slices.Equal(have, want)
	}
	a, b := slices.Clone(have), slices.Clone(want)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func columnDiff(have, want []string, ordered bool) string {
	var extra, missing []string
	for _, h := range have {
		if !slices.Contains(want, h) {
			extra = append(extra, h)
		}
	}
	for _, w := range want {
		if !slices.Contains(have, w) {
			missing = append(missing, w)
		}
	}
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, "missing "+quoteList(missing))
	}
	if len(extra) > 0 {
		parts = append(parts, "unexpected "+quoteList(extra))
	}
	if len(parts) == 0 && ordered {
		parts = append(parts, "same columns in another order: "+strings.Join(have, ", "))
	}
	return strings.Join(parts, "; ")
}

func quoteList(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}
