package expect

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/result"
)

// The statistics of a column's non-null values: mean, median, stddev,
// min, max, sum and quantiles, and the count of distinct values. A
// statistic of no values is undefined: the check fails and says why.

// statKind declares a statistic bounded by {min, max, strict_min,
// strict_max}: value reads it from the column's accumulators (NaN when
// undefined).
func statKind(k Kind, needs accSet, quantiles []float64, example string, f AggFunc, value func(e *eval) float64) {
	def := kindDef{
		kind: k, example: example, reads: statClasses, needs: needs,
		decode: decodeBoundsOnly,
		finish: func(e *eval, c *Check, r *result.Check) bool {
			return statistic(c, r, value(e), e.cs.Count, e.st.infinite)
		},
		define: func(c *Check, q *SQLDialect) Definition { return statDefinition(c, f, q.col(c.Column)) },
	}
	if quantiles != nil {
		def.quantiles = func(*Check) []float64 { return quantiles }
	}
	register(def)
}

func init() {
	statKind(Mean, accMoments, nil, "{min: 5, max: 15}", AggAvg, func(e *eval) float64 { return e.st.mean })
	register(kindDef{
		kind: Stddev, example: "{max: 5}", reads: statClasses, needs: accMoments,
		decode: decodeBoundsOnly,
		validate: func(c *Check) error {
			if c.Max != nil && *c.Max < 0 {
				return atKey("max", fmt.Errorf("a standard deviation is never negative; max must be ≥ 0"))
			}
			return nil
		},
		finish: func(e *eval, c *Check, r *result.Check) bool {
			return statistic(c, r, e.st.stddev, e.cs.Count, e.st.infinite)
		},
		define: func(c *Check, q *SQLDialect) Definition { return statDefinition(c, AggStddevSamp, q.col(c.Column)) },
	})
	// The sum of no values is undefined, as every statistic of no values
	// (SQL's sum is NULL too), not 0.
	statKind(Sum, accMoments, nil, "{max: 1e9}", AggSum, func(e *eval) float64 {
		if e.cs.Count == 0 {
			return math.NaN()
		}
		return e.st.sum
	})
	statKind(Min, accMinMax, nil, "{min: 0}", AggMin, func(e *eval) float64 { return extreme(e, false) })
	statKind(Max, accMinMax, nil, "{max: 120}", AggMax, func(e *eval) float64 { return extreme(e, true) })
	timeBounded(Min)
	timeBounded(Max)
	statKind(Median, accValues, []float64{0.5}, "{min: 60, max: 90}", AggQuantile, func(e *eval) float64 { return e.st.quantile(0.5, "") })
	register(kindDef{
		kind: Quantiles, example: "[{q: 0.25, min: 10}, {q: 0.75, max: 90}]", reads: statClasses, needs: accValues,
		decode: decodeQuantiles,
		validate: func(c *Check) error {
			if len(c.Quantiles) == 0 {
				return fmt.Errorf("quantiles needs at least one {q, min, max}")
			}
			for _, q := range c.Quantiles {
				if q.Q < 0 || q.Q > 1 || math.IsNaN(q.Q) {
					return fmt.Errorf("quantile %s is outside [0, 1]", result.FormatFloat(q.Q))
				}
				if err := q.Interval.Validate(); err != nil {
					return err
				}
			}
			if !slices.Contains(interpolations, c.Interpolation) {
				return fmt.Errorf("unknown interpolation %q; use one of %s", c.Interpolation, strings.Join(interpolations[1:], ", "))
			}
			return nil
		},
		quantiles: func(c *Check) []float64 {
			qs := make([]float64, len(c.Quantiles))
			for i, q := range c.Quantiles {
				qs[i] = q.Q
			}
			return qs
		},
		finish: func(e *eval, c *Check, r *result.Check) bool { return quantiles(c, r, e.st) },
		define: func(c *Check, q *SQLDialect) Definition {
			x := q.col(c.Column)
			def := Definition{Aggregates: []Aggregate{{Name: "element_count", Func: AggCount, Arg: x}}}
			for _, qb := range c.Quantiles {
				def.Aggregates = append(def.Aggregates, Aggregate{Name: "q" + result.FormatFloat(qb.Q), Func: AggQuantile, Arg: x, Q: qb.Q})
			}
			return def
		},
	})
	register(kindDef{
		kind: Distinct, example: "{min: 2, max: 10}", reads: valueClasses, needs: accFreq,
		decode: decodeCountBounds,
		finish: func(e *eval, c *Check, r *result.Check) bool {
			d := int64(e.cs.freq.distinct())
			r.Observed, r.Expected = d, boundsJSON(c)
			r.ObservedText, r.ExpectedText = fmt.Sprintf("%d distinct values", d), c.Interval.String()
			r.Message = fmt.Sprintf("%d distinct values, expected %s", d, c.Interval)
			return c.Interval.Contains(float64(d))
		},
		define: func(c *Check, q *SQLDialect) Definition {
			return Definition{Aggregates: []Aggregate{{Name: "distinct", Func: AggCountDistinct, Arg: q.col(c.Column)}}}
		},
	})
}

// extreme returns the column's smallest or largest value; NaN without
// values.
func extreme(e *eval, largest bool) float64 {
	switch {
	case e.cs.Count == 0:
		return math.NaN()
	case largest:
		return e.cs.Max
	}
	return e.cs.Min
}

// interpolations are the values of Check.Interpolation.
var interpolations = []string{"", "linear", "lower", "higher", "nearest", "midpoint"}

// decodeQuantiles reads [{q, min, max}, ...] or {bounds: [...],
// interpolation, severity}.
func decodeQuantiles(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) {
	list := decodeShorthand(d, c, n, path, "bounds", "[{q: 0.5, min: ..., max: ...}, ...]", []string{"interpolation"}, func(g yamlx.Field) {
		if s, ok := d.Word(g.Value, g.Path, interpolations[1:]...); ok {
			c.Interpolation = s
		}
	})
	if list == nil {
		return
	}
	items, ok := d.Sequence(list, path)
	if !ok {
		return
	}
	if len(items) == 0 {
		d.Errorf(list, path, "must list at least one {q, min, max}")
	}
	for i, it := range items {
		ip := fmt.Sprintf("%s[%d]", path, i)
		fields, ok := d.Mapping(it, ip, append([]string{"q"}, yamlx.IntervalKeys...))
		if !ok {
			continue
		}
		qb := QuantileBound{Interval: d.Interval(it, ip, fields, false)}
		hasQ := false
		for _, g := range fields {
			if g.Key == "q" {
				hasQ = true
				qb.Q, _ = d.Fraction(g.Value, g.Path)
			}
		}
		if !hasQ {
			d.Errorf(it, ip, "needs q: a fraction between 0 and 1")
		}
		requireBound(d, it, ip, "min", "max")
		c.Quantiles = append(c.Quantiles, qb)
	}
}

func statistic(c *Check, r *result.Check, v float64, n int64, infinite bool) bool {
	r.Expected = boundsJSON(c)
	r.ExpectedText = c.Interval.String()
	r.ElementCount = result.Ptr(n)
	if math.IsNaN(v) {
		r.Observed = nil
		r.ObservedText = "undefined"
		why := "no non-null values"
		switch {
		case infinite && n > 0:
			why = "the values include infinities"
		case c.Kind == Stddev && n == 1:
			why = "one value; a sample standard deviation needs two"
		}
		r.Message = fmt.Sprintf("%s undefined (%s), expected %s", c.Kind, why, c.Interval)
		return false
	}
	r.Observed = result.Number(v)
	r.ObservedText = fmt.Sprintf("%s %s", c.Kind, result.Human(v))
	r.Message = fmt.Sprintf("%s %s, expected %s", c.Kind, result.Human(v), c.Interval)
	return c.Interval.Contains(v)
}

func quantiles(c *Check, r *result.Check, s *colStats) bool {
	ok := true
	obs := make([]any, len(c.Quantiles))
	exp := make([]any, len(c.Quantiles))
	var got, want, bad []string
	for i, q := range c.Quantiles {
		v := s.quantile(q.Q, c.Interpolation)
		obs[i] = map[string]any{"q": q.Q, "value": result.Number(v)}
		e := q.Fields()
		e["q"] = q.Q
		exp[i] = e
		iv := q.Interval.String()
		name := "q" + result.FormatFloat(q.Q)
		got = append(got, name+" "+result.Human(v))
		want = append(want, name+" "+iv)
		if !q.Contains(v) {
			ok = false
			bad = append(bad, fmt.Sprintf("%s %s not %s", name, result.Human(v), iv))
		}
	}
	r.Observed, r.Expected = obs, exp
	r.ObservedText, r.ExpectedText = strings.Join(got, ", "), strings.Join(want, ", ")
	r.ElementCount = result.Ptr(int64(s.nvalues))
	if ok {
		r.Message = r.ObservedText
	} else {
		r.Message = strings.Join(bad, "; ")
	}
	return ok
}
