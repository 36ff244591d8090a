package expect

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/result"
)

// The row-wise kinds judge each non-null value: range, in_set,
// not_in_set, regex, length and unique. Each counts its unexpected
// values, keeps the first of them and accepts mostly.

func init() {
	register(kindDef{
		kind: Range, rowWise: true, failedRows: true, example: "{min: 0, max: 120}", reads: numericClasses, needs: accMinMax,
		decode: func(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) {
			decodeRowBounds(d, c, n, path, append(yamlx.IntervalKeys, "mostly", "severity"), false)
		},
		bind: func(cp *colPlan, c *Check) error {
			rc := &rowCheck{check: c, strictLo: c.StrictMin, strictHi: c.StrictMax}
			if c.Min != nil {
				rc.lo, rc.hasLo = *c.Min, true
			}
			if c.Max != nil {
				rc.hi, rc.hasHi = *c.Max, true
			}
			if cp.class == classInt {
				rc.ints = intRange(c)
			}
			cp.rowCheck = append(cp.rowCheck, rc)
			return nil
		},
		finish: func(e *eval, c *Check, r *result.Check) bool {
			rs := e.rowState(c)
			ok := rowWise(c, r, e.cs.Count, rs.unexpected, rs.sample, "outside "+c.Interval.String(), "in "+c.Interval.String())
			if e.cs.Count > 0 {
				r.Observed = map[string]any{"unexpected_count": rs.unexpected, "min": result.Number(e.cs.Min), "max": result.Number(e.cs.Max)}
			}
			return ok
		},
		define: func(c *Check, q *SQLDialect) Definition {
			return rowWiseDefinition(c, sqlWithin(q.col(c.Column), c.Interval))
		},
	})
	timeBounded(Range)
	for _, k := range []Kind{InSet, NotInSet} {
		register(kindDef{
			kind: k, rowWise: true, failedRows: true, example: "[a, b, c]", reads: setClasses,
			decode: decodeSet,
			validate: func(c *Check) error {
				if len(c.Set) == 0 {
					return fmt.Errorf("%s needs at least one value", c.Kind)
				}
				return nil
			},
			bind:   bindSet,
			finish: setCheck,
			define: func(c *Check, q *SQLDialect) Definition {
				x, list, not := q.col(c.Column), q.literals(c.Set), c.Kind == NotInSet
				if q.In != nil {
					return rowWiseDefinition(c, q.In(x, list, not))
				}
				rule := x + " IN (" + list + ")"
				if not {
					rule = x + " NOT IN (" + list + ")"
				}
				return rowWiseDefinition(c, rule)
			},
		})
	}
	register(kindDef{
		kind: Regex, rowWise: true, failedRows: true, example: `"^[A-Z]{2}[0-9]+$"`, reads: stringClasses,
		decode: decodeRegex,
		validate: func(c *Check) error {
			if c.Pattern == nil && len(c.Patterns) == 0 {
				return fmt.Errorf("regex without a pattern")
			}
			return nil
		},
		bind: func(cp *colPlan, c *Check) error {
			if c.Pattern == nil {
				return bindPred(cp, c)
			}
			cp.rowCheck = append(cp.rowCheck, &rowCheck{check: c, re: c.Pattern})
			return nil
		},
		finish: func(e *eval, c *Check, r *result.Check) bool {
			if c.Pattern == nil {
				return finishPred(e, c, r)
			}
			rs := e.rowState(c)
			ok := rowWise(c, r, e.cs.Count, rs.unexpected, rs.sample,
				fmt.Sprintf("not matching /%s/", c.Pattern), fmt.Sprintf("matching /%s/", c.Pattern))
			r.Expected = withMostly(c, map[string]any{"pattern": c.Pattern.String()})
			return ok
		},
		define: func(c *Check, q *SQLDialect) Definition {
			if c.Pattern == nil {
				return definePatterns(c, q)
			}
			return rowWiseDefinition(c, q.regex(q.col(c.Column), c.Pattern.String()))
		},
	})
	register(kindDef{
		kind: Length, rowWise: true, failedRows: true, example: "{min: 1, max: 64}", reads: stringClasses, needs: accLengths,
		decode: func(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) {
			decodeRowBounds(d, c, n, path, []string{"min", "max", "mostly", "severity"}, true)
		},
		bind: func(cp *colPlan, c *Check) error {
			rc := &rowCheck{check: c}
			if c.Min != nil {
				rc.minLen, rc.hasMinLen = int(*c.Min), true
			}
			if c.Max != nil {
				rc.maxLen, rc.hasMaxLen = int(*c.Max), true
			}
			cp.rowCheck = append(cp.rowCheck, rc)
			return nil
		},
		finish: func(e *eval, c *Check, r *result.Check) bool {
			rs := e.rowState(c)
			ok := rowWise(c, r, e.cs.Count, rs.unexpected, rs.sample,
				"with length outside "+c.Interval.String(), "with length in "+c.Interval.String())
			if e.cs.Count > 0 {
				r.Observed = map[string]any{"unexpected_count": rs.unexpected, "min_length": e.cs.MinLen, "max_length": e.cs.MaxLen}
			}
			return ok
		},
		define: func(c *Check, q *SQLDialect) Definition {
			return rowWiseDefinition(c, sqlWithin(q.length(q.col(c.Column)), c.Interval))
		},
	})
	register(kindDef{
		kind: Unique, rowWise: true, lateRows: true, example: "true", reads: valueClasses, needs: accFreq | accDupRows,
		decode: decodeUnique,
		finish: func(e *eval, c *Check, r *result.Check) bool {
			unexpected, sample := e.cs.freq.duplicates(e.p.sample)
			ok := rowWise(c, r, e.cs.Count, unexpected, sample, "repeated", "unique")
			r.Expected = withMostly(c, map[string]any{"unique": true})
			return ok
		},
		// The unexpected values are the occurrences of the values whose
		// count in the histogram is above 1; the rule is a window
		// predicate, for the failing sample.
		define: func(c *Check, q *SQLDialect) Definition {
			x := q.col(c.Column)
			return Definition{Rule: "count(*) OVER (PARTITION BY " + x + ") = 1", Aggregates: []Aggregate{
				{Name: "element_count", Func: AggCount, Arg: x},
				{Name: "counts", Func: AggHistogram, Arg: x},
			}}
		},
	})
}

// decodeRowBounds reads a row-wise check's bounds, mostly and severity;
// counts restricts the bounds to non-negative integers (lengths).
func decodeRowBounds(d *yamlx.Decoder, c *Check, n *yaml.Node, path string, keys []string, counts bool) {
	fields, ok := d.Mapping(n, path, keys)
	if !ok {
		return
	}
	decodeBounds(d, c, n, path, fields, counts)
	requireBound(d, n, path, "min", "max")
}

// decodeSet reads [values] or {values: [...], mostly, severity}.
func decodeSet(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) {
	if list := decodeShorthand(d, c, n, path, "values", "[...]", nil, nil); list != nil {
		c.Set = decodeValues(d, list, path)
	}
}

// decodeShorthand reads a kind written either as its main value alone or
// as a mapping {main: value, mostly, severity, extra...}. It returns the
// main value's node, or nil when the mapping lacks it (reported, with
// hint showing its form) or is broken; mostly and severity are decoded
// into c, and each field of extra is handed to other.
func decodeShorthand(d *yamlx.Decoder, c *Check, n *yaml.Node, path, main, hint string, extra []string, other func(yamlx.Field)) *yaml.Node {
	if yamlx.Resolve(n).Kind != yaml.MappingNode {
		return n
	}
	keys := append([]string{main, "severity"}, extra...)
	if registry[c.Kind].rowWise {
		keys = append(keys, "mostly")
	}
	fields, ok := d.Mapping(n, path, keys)
	if !ok {
		return nil
	}
	decodeBounds(d, c, n, path, fields, false)
	var value *yaml.Node
	for _, g := range fields {
		switch {
		case g.Key == main:
			value = g.Value
		case other != nil && slices.Contains(extra, g.Key):
			other(g)
		}
	}
	if value == nil {
		d.Errorf(n, path, "needs %s: %s", main, hint)
	}
	return value
}

func bindSet(cp *colPlan, c *Check) error {
	rc := &rowCheck{check: c, negate: c.Kind == NotInSet}
	for _, v := range c.Set {
		if err := cp.canMatch(v); err != nil {
			return err
		}
	}
	switch cp.class {
	case classInt, classFloat:
		rc.numSet = newNumberSet(c.Set, cp.class == classInt)
	case classString:
		strs := make([]string, len(c.Set))
		for i, v := range c.Set {
			strs[i] = v.Text
		}
		rc.strSet = newStringSet(strs)
	case classBool:
		for _, v := range c.Set {
			if v.Bool {
				rc.boolSet[1] = true
			} else {
				rc.boolSet[0] = true
			}
		}
	}
	cp.rowCheck = append(cp.rowCheck, rc)
	return nil
}

func setCheck(e *eval, c *Check, r *result.Check) bool {
	rs := e.rowState(c)
	in, out := "in "+setText(c.Set), "not in "+setText(c.Set)
	if c.Kind == NotInSet {
		in, out = out, in
	}
	ok := rowWise(c, r, e.cs.Count, rs.unexpected, rs.sample, out, in)
	r.Expected = withMostly(c, map[string]any{"values": valuesJSON(c.Set)})
	return ok
}

// decodeRegex reads "pattern" or {pattern, mostly, severity}, or a list
// of patterns: {any: [...]} or {all: [...]} (decodePatterns).
func decodeRegex(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) {
	if child(n, "any") != nil || child(n, "all") != nil {
		decodePatterns(d, c, n, path)
		return
	}
	pat := decodeShorthand(d, c, n, path, "pattern", `"..."`, nil, nil)
	if pat == nil {
		return
	}
	if s, ok := d.String(pat, path); ok {
		re, err := regexp.Compile(s)
		if err != nil {
			d.Errorf(pat, path, "invalid regular expression: %v", err)
		} else {
			c.Pattern = re
		}
	}
}

// decodeUnique reads true or {mostly, severity}.
func decodeUnique(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) {
	if yamlx.Resolve(n).Kind == yaml.MappingNode {
		if fields, ok := d.Mapping(n, path, []string{"mostly", "severity"}); ok {
			decodeBounds(d, c, n, path, fields, false)
		}
		return
	}
	if v, ok := d.Bool(n, path); ok && !v {
		d.Errorf(n, path, "unique: false checks nothing; remove the key")
	}
}

// withMostly adds mostly to a row-wise check's expected object.
func withMostly(c *Check, m map[string]any) map[string]any {
	if c.Mostly != nil {
		m["mostly"] = *c.Mostly
	}
	return m
}

// rowWise fills a row-wise check's result: bad describes a failing value
// ("outside [0, 120]"), good a passing one ("in [0, 120]").
func rowWise(c *Check, r *result.Check, evaluated, unexpected int64, sample []result.Failure, bad, good string) bool {
	mostly := 1.0
	if c.Mostly != nil {
		mostly = *c.Mostly
	}
	frac := 0.0
	if evaluated > 0 {
		frac = float64(unexpected) / float64(evaluated)
	}
	// Vacuously true without values, as in Great Expectations; the result
	// says there was nothing to check.
	ok := evaluated == 0 || float64(evaluated-unexpected)/float64(evaluated) >= mostly
	r.ElementCount = result.Ptr(evaluated)
	r.UnexpectedCount = result.Ptr(unexpected)
	r.UnexpectedFraction = result.Ptr(frac)
	r.Mostly = c.Mostly
	r.Sample = sample
	if r.Sample == nil {
		r.Sample = []result.Failure{}
	}
	r.Observed = unexpected
	r.Expected = boundsJSON(c)
	r.ExpectedText = "every value " + good
	if c.Mostly != nil {
		r.ExpectedText = fmt.Sprintf("at least %s of values %s", percent(mostly), good)
	}
	if evaluated == 0 {
		r.ObservedText = "no non-null values to check"
		r.Message = r.ObservedText
		return ok
	}
	r.ObservedText = fmt.Sprintf("%d of %d values %s (%s)", unexpected, evaluated, bad, percent(frac))
	r.Message = r.ObservedText
	if c.Mostly != nil {
		r.Message += fmt.Sprintf(", at most %s allowed", percent(1-mostly))
	}
	if len(sample) > 0 {
		r.Message += fmt.Sprintf(", e.g. row %d: %s", sample[0].Row, show(sample[0].Value))
	}
	return ok
}

func setText(vals []Value) string {
	const limit = 8
	parts := make([]string, 0, limit+1)
	for i, v := range vals {
		if i == limit {
			parts = append(parts, fmt.Sprintf("… %d more", len(vals)-limit))
			break
		}
		if v.IsNum || v.IsBool {
			parts = append(parts, v.Text)
		} else {
			parts = append(parts, strconv.Quote(v.Text))
		}
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
