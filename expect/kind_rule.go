package expect

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/expr"
	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/result"
)

// Rule is a table-level row rule: every row the filters keep satisfies
// the condition Check.Expect. A row where the condition is NULL neither
// passes nor fails: it is counted in the result's null_count, and mostly
// is a fraction of the rows where the condition is TRUE or FALSE. Rules
// live in Suite.Rules and are named "rules.NAME".
const Rule Kind = "rule"

// ruleKeys are the keys of a rule's mapping.
var ruleKeys = []string{"name", "expect", "mostly", "severity", "where"}

func init() {
	register(kindDef{
		kind: Rule, table: true, rowWise: true, failedRows: true,
		example: `{name: ends after start, expect: "x >= 0", mostly: 0.99}`,
		decode:  decodeRule,
		validate: func(c *Check) error {
			switch {
			case c.Expect == nil || c.Expect.Tree == nil:
				return atKey("expect", fmt.Errorf("a rule needs expect: a condition such as end_date >= start_date"))
			case strings.TrimSpace(c.RuleName) == "":
				return atKey("name", fmt.Errorf("a rule needs a name"))
			}
			return nil
		},
		finish: ruleFinish,
		define: func(c *Check, _ *SQLDialect) Definition {
			rule := expr.String(c.Expect.Tree)
			def := Definition{Rule: rule, Condition: c.Expect.Tree, Aggregates: []Aggregate{
				{Name: "element_count", Func: AggCount, Filter: "(" + rule + ") IS NOT NULL"},
				{Name: "unexpected_count", Func: AggCount, Filter: "NOT (" + rule + ")"},
				{Name: "null_count", Func: AggCount, Filter: "(" + rule + ") IS NULL"},
			}}
			return def
		},
	})
}

// decodeRules reads the rules list: each rule a mapping {name, expect,
// mostly, severity, where}. A rule without a name is named by its
// condition's text.
func decodeRules(d *yamlx.Decoder, n *yaml.Node, path string) []Check {
	items, ok := d.Sequence(n, path)
	if !ok {
		return nil
	}
	var out []Check
	seen := map[string]bool{}
	for i, it := range items {
		p := fmt.Sprintf("%s[%d]", path, i)
		c := Check{Kind: Rule}
		before := len(d.Problems())
		decodeRule(d, &c, it, p)
		if len(d.Problems()) > before {
			continue
		}
		if err := c.validate(); err != nil {
			d.Errorf(it, p, "%v", err)
			continue
		}
		if seen[c.RuleName] {
			d.Errorf(child(it, "name"), yamlx.Join(p, "name"), "the name %q is used by an earlier rule; rules need distinct names", c.RuleName)
			continue
		}
		seen[c.RuleName] = true
		out = append(out, c)
	}
	return out
}

// decodeRule reads one rule's mapping into c.
func decodeRule(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) {
	fields, ok := d.Mapping(n, path, ruleKeys)
	if !ok {
		return
	}
	decodeBounds(d, c, n, path, fields, false)
	for _, f := range fields {
		switch f.Key {
		case "name":
			c.RuleName, _ = d.Text(f.Value, f.Path)
		case "expect":
			c.Expect = decodeExpression(d, f.Value, f.Path)
		case "where":
			c.Where = decodeExpression(d, f.Value, f.Path)
		}
	}
	if child(n, "expect") == nil {
		d.Errorf(n, path, `needs expect: a condition such as "end_date >= start_date"`)
		return
	}
	if c.RuleName == "" && c.Expect != nil {
		c.RuleName = c.Expect.Text
	}
}

// ruleFinish concludes a rule from its merged counts.
func ruleFinish(e *eval, c *Check, r *result.Check) bool {
	rs := e.rule
	cond := strings.TrimSpace(c.Expect.Text)
	ok := rowWise(c, r, rs.evaluated, rs.unexpected, rs.sample, "break "+cond, "satisfy "+cond)
	r.NullCount = result.Ptr(rs.nulls)
	r.Expected = withMostly(c, map[string]any{"expect": cond})
	r.ExpectedText = "every row satisfies " + cond
	if c.Mostly != nil {
		r.ExpectedText = fmt.Sprintf("at least %s of rows satisfy %s", percent(*c.Mostly), cond)
	}
	if rs.evaluated > 0 {
		r.ObservedText = fmt.Sprintf("%d of %d rows break %s (%s)", rs.unexpected, rs.evaluated, cond, percent(float64(rs.unexpected)/float64(rs.evaluated)))
		r.Message = r.ObservedText
		if c.Mostly != nil {
			r.Message += fmt.Sprintf(", at most %s allowed", percent(1-*c.Mostly))
		}
	} else {
		r.ObservedText = "no rows where the condition is TRUE or FALSE"
		r.Message = r.ObservedText
	}
	if rs.nulls > 0 {
		r.Message += fmt.Sprintf("; %d %s NULL (counted as null, neither passed nor failed)", rs.nulls, plural(rs.nulls, "row is", "rows are"))
	}
	if len(rs.sample) > 0 {
		r.Message += fmt.Sprintf(", e.g. row %d: %s", rs.sample[0].Row, show(rs.sample[0].Value))
	}
	return ok
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
