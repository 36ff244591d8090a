package expect

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/result"
)

// The kinds about a column as a whole: its type and its missing values.

func init() {
	register(kindDef{
		kind: Type, example: "int64", reads: anyClass,
		decode: decodeType,
		// A column of a type not listed fails with every value (GX's
		// verdict on each value of a pandas object column); the engine
		// keeps them as it does a row-wise check's failures.
		bind: func(cp *colPlan, c *Check) error {
			if !slices.ContainsFunc(c.Types, func(t string) bool { return TypeMatches(cp.dt, t) }) {
				cp.rowCheck = append(cp.rowCheck, &rowCheck{check: c, failAll: true})
			}
			return nil
		},
		validate: func(c *Check) error {
			if len(c.Types) == 0 {
				return fmt.Errorf("type needs at least one type name")
			}
			for _, t := range c.Types {
				if !KnownType(t) {
					return unknownType(t)
				}
			}
			return nil
		},
		finish: typeCheck,
		define: func(c *Check, q *SQLDialect) Definition {
			return Definition{Schema: true, Aggregates: []Aggregate{{Name: "element_count", Func: AggCount, Arg: q.col(c.Column)}}}
		},
	})
	register(kindDef{
		kind: Missing, example: "{max_fraction: 0.05}", reads: anyClass,
		decode: decodeMissing,
		// The sample shows the missing rows, or, for a check with only
		// lower bounds, the non-missing values.
		bind: func(cp *colPlan, c *Check) error {
			if c.Max != nil || c.MaxFraction != nil {
				cp.nullRows = true
			} else {
				cp.valueRows = true
			}
			return nil
		},
		finish: missing,
		define: func(c *Check, q *SQLDialect) Definition {
			x := q.col(c.Column)
			return Definition{Aggregates: []Aggregate{
				{Name: "element_count", Func: AggCount},
				{Name: "missing_count", Func: AggCount, Filter: x + " IS NULL"},
			}}
		},
	})
}

func decodeType(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) {
	if yamlx.Resolve(n).Kind == yaml.SequenceNode {
		c.Types, _ = d.Texts(n, path)
	} else if s, ok := d.Text(n, path); ok {
		c.Types = []string{s}
	}
	for _, t := range c.Types {
		if !KnownType(t) {
			d.Errorf(n, path, "%v", unknownType(t))
		}
	}
}

func typeCheck(e *eval, c *Check, r *result.Check) bool {
	cp, cs := e.cp, e.cs
	ok := slices.ContainsFunc(c.Types, func(t string) bool { return TypeMatches(cp.dt, t) })
	r.Observed, r.Expected = cp.dt.String(), c.Types
	r.ObservedText, r.ExpectedText = cp.dt.String(), strings.Join(c.Types, " or ")
	r.Message = fmt.Sprintf("type %s, expected %s", cp.dt, r.ExpectedText)
	// Every value of a column of the wrong type is unexpected.
	r.ElementCount = result.Ptr(cs.Count)
	r.UnexpectedCount = result.Ptr(int64(0))
	r.Sample = []result.Failure{}
	if rs := e.rowState(c); rs != nil {
		r.UnexpectedCount = result.Ptr(cs.Count)
		if rs.sample != nil {
			r.Sample = rs.sample
		}
	}
	return ok
}

func decodeMissing(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) {
	if yamlx.Resolve(n).Kind == yaml.ScalarNode {
		if v, ok := d.Count(n, path); ok {
			fv := float64(v)
			c.Max = &fv
		}
		return
	}
	fields, ok := d.Mapping(n, path, []string{"max", "max_fraction", "min", "min_fraction", "severity"})
	if !ok {
		return
	}
	decodeBounds(d, c, n, path, fields, true)
	for _, g := range fields {
		switch g.Key {
		case "max_fraction":
			if v, ok := d.Fraction(g.Value, g.Path); ok {
				c.MaxFraction = &v
			}
		case "min_fraction":
			if v, ok := d.Fraction(g.Value, g.Path); ok {
				c.MinFraction = &v
			}
		}
	}
	requireBound(d, n, path, "max", "max_fraction", "min", "min_fraction")
	if c.MinFraction != nil && c.MaxFraction != nil && *c.MinFraction > *c.MaxFraction {
		d.Errorf(n, path, "min_fraction %s > max_fraction %s: no value can pass", result.FormatFloat(*c.MinFraction), result.FormatFloat(*c.MaxFraction))
	}
}

func missing(e *eval, c *Check, r *result.Check) bool {
	cs := e.cs
	frac := 0.0
	if cs.Rows > 0 {
		frac = float64(cs.Nulls) / float64(cs.Rows)
	}
	ok := c.Interval.Contains(float64(cs.Nulls))
	if c.MinFraction != nil && frac < *c.MinFraction {
		ok = false
	}
	if c.MaxFraction != nil && frac > *c.MaxFraction {
		ok = false
	}
	exp := boundsJSON(c)
	var parts []string
	if c.Min != nil || c.Max != nil {
		parts = append(parts, "count "+c.Interval.String())
	}
	if c.MinFraction != nil || c.MaxFraction != nil {
		if c.MinFraction != nil {
			exp["min_fraction"] = *c.MinFraction
		}
		if c.MaxFraction != nil {
			exp["max_fraction"] = *c.MaxFraction
		}
		parts = append(parts, "fraction "+interval(c.MinFraction, c.MaxFraction))
	}
	r.Observed = map[string]any{"count": cs.Nulls, "fraction": frac}
	r.Expected = exp
	// The unexpected values are the missing ones, unless the check only
	// asks for missing values (a lower bound): then they are the others.
	r.UnexpectedCount = result.Ptr(cs.Nulls)
	r.UnexpectedFraction = result.Ptr(frac)
	r.Sample = cs.nullSample
	if c.Max == nil && c.MaxFraction == nil {
		r.UnexpectedCount = result.Ptr(cs.Rows - cs.Nulls)
		r.UnexpectedFraction = result.Ptr(1 - frac)
		if cs.Rows == 0 {
			r.UnexpectedFraction = result.Ptr(0.0)
		}
		r.Sample = cs.valueSample
	}
	if r.Sample == nil {
		r.Sample = []result.Failure{}
	}
	r.ElementCount = result.Ptr(cs.Rows)
	r.ObservedText = fmt.Sprintf("%d of %d missing (%s)", cs.Nulls, cs.Rows, percent(frac))
	r.ExpectedText = "missing " + strings.Join(parts, ", ")
	r.Message = r.ObservedText + ", expected " + strings.Join(parts, ", ")
	return ok
}
