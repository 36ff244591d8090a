package expect

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/result"
)

// The kinds over a column's classes (its distinct values with their
// counts): imbalance, distinct_values, and the distributions
// kl_divergence and chi_square, which also read bins of numeric values.

func init() {
	register(kindDef{
		kind: Imbalance, example: "{min_fraction: 0.1}", reads: valueClasses, needs: accFreq | accClasses,
		decode: decodeImbalance,
		validate: func(c *Check) error {
			if c.MaxRatio != nil && !(*c.MaxRatio >= 1) {
				return atKey("max_ratio", fmt.Errorf("a majority/minority ratio is at least 1, got %s", result.FormatFloat(*c.MaxRatio)))
			}
			if c.MinCount != nil && *c.MinCount < 0 {
				return fmt.Errorf("min_count %d is negative", *c.MinCount)
			}
			return nil
		},
		finish: func(e *eval, c *Check, r *result.Check) bool { return imbalance(c, e.cs, r) },
		define: histogramDefinition,
	})
	register(kindDef{
		kind: DistinctValues, example: "{in_set: [a, b, c]}", reads: setClasses, needs: accFreq | accClasses,
		decode: decodeDistinctValues,
		validate: func(c *Check) error {
			if c.Set == nil && c.Contains == nil {
				return fmt.Errorf("distinct_values needs in_set, contains or equals")
			}
			return nil
		},
		bind: func(cp *colPlan, c *Check) error {
			for _, v := range append(slices.Clone(c.Set), c.Contains...) {
				if err := cp.canMatch(v); err != nil {
					return err
				}
			}
			return nil
		},
		finish: func(e *eval, c *Check, r *result.Check) bool { return distinctValues(c, e.cs, r) },
		define: histogramDefinition,
	})
	register(kindDef{
		kind: KLDivergence, example: "{partition: {bins: [0, 50, 100], weights: [0.5, 0.5]}, max: 0.1}", reads: setClasses,
		decode:   decodeDistribution,
		validate: validateDistribution,
		bind:     bindPartition,
		finish:   func(e *eval, c *Check, r *result.Check) bool { return klDivergence(c, e.cp, e.cs, r) },
		define:   partitionDefinition,
	})
	register(kindDef{
		kind: ChiSquare, example: "{partition: {values: [a, b], weights: [0.5, 0.5]}, alpha: 0.05}", reads: setClasses,
		decode:   decodeDistribution,
		validate: validateDistribution,
		bind:     bindPartition,
		finish:   func(e *eval, c *Check, r *result.Check) bool { return chiSquare(c, e.cs, r) },
		define:   partitionDefinition,
	})
	alias("chisquare", ChiSquare)
}

// histogramDefinition defines a check over the column's classes: the
// count of each distinct non-null value.
func histogramDefinition(c *Check, q *SQLDialect) Definition {
	x := q.col(c.Column)
	return Definition{Aggregates: []Aggregate{
		{Name: "element_count", Func: AggCount, Arg: x},
		{Name: "classes", Func: AggHistogram, Arg: x},
	}}
}

// partitionDefinition defines a distribution check: the value counts of a
// categorical partition, or the count of values below the first edge, in
// each bin, and above the last edge.
func partitionDefinition(c *Check, q *SQLDialect) Definition {
	x := q.col(c.Column)
	p := c.Partition
	if p.Categorical() {
		return histogramDefinition(c, q)
	}
	def := Definition{Aggregates: []Aggregate{{Name: "element_count", Func: AggCount, Arg: x}}}
	f := result.FormatFloat
	k := len(p.Bins) - 1
	def.Aggregates = append(def.Aggregates, Aggregate{Name: "below", Func: AggCount, Arg: x, Filter: x + " < " + f(p.Bins[0])})
	for i := range k {
		hi := x + " < " + f(p.Bins[i+1])
		if i == k-1 {
			hi = x + " <= " + f(p.Bins[i+1])
		}
		def.Aggregates = append(def.Aggregates, Aggregate{Name: fmt.Sprintf("bin%d", i), Func: AggCount, Arg: x,
			Filter: x + " >= " + f(p.Bins[i]) + " AND " + hi})
	}
	def.Aggregates = append(def.Aggregates, Aggregate{Name: "above", Func: AggCount, Arg: x, Filter: x + " > " + f(p.Bins[k])})
	return def
}

// bindPartition plans a distribution check: the classes for a
// categorical partition, bin counts for bins.
func bindPartition(cp *colPlan, c *Check) error {
	if c.Partition.Categorical() {
		for _, v := range c.Partition.Values {
			if err := cp.canMatch(v); err != nil {
				return err
			}
		}
		cp.need(accFreq | accClasses)
		return nil
	}
	if !numericClasses.has(cp.class) {
		return fmt.Errorf("column %q is %s; %s needs a numeric column for a partition with bins", cp.name, cp.dt, c.Kind)
	}
	cp.binned = append(cp.binned, c)
	return nil
}

func decodeImbalance(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) {
	fields, ok := d.Mapping(n, path, []string{"min_fraction", "max_ratio", "min_count", "severity"})
	if !ok {
		return
	}
	c.Severity = d.SeverityIn(fields, c.Severity)
	for _, g := range fields {
		switch g.Key {
		case "min_fraction":
			if v, ok := d.Fraction(g.Value, g.Path); ok {
				c.MinFraction = &v
			}
		case "max_ratio":
			if v, ok := d.Float(g.Value, g.Path); ok {
				c.MaxRatio = &v
			}
		case "min_count":
			if v, ok := d.Count(g.Value, g.Path); ok {
				c.MinCount = &v
			}
		}
	}
	requireBound(d, n, path, "min_fraction", "max_ratio", "min_count")
}

// decodeDistinctValues reads {in_set: [...], contains: [...]} or
// {equals: [...]}.
func decodeDistinctValues(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) {
	fields, ok := d.Mapping(n, path, []string{"in_set", "contains", "equals", "severity"})
	if !ok {
		return
	}
	c.Severity = d.SeverityIn(fields, c.Severity)
	var equals *yamlx.Field
	sets := 0
	for i, g := range fields {
		switch g.Key {
		case "in_set":
			c.Set = decodeValues(d, g.Value, g.Path)
			sets++
		case "contains":
			c.Contains = decodeValues(d, g.Value, g.Path)
			sets++
		case "equals":
			equals = &fields[i]
			c.Set = decodeValues(d, g.Value, g.Path)
			c.Contains = c.Set
		}
	}
	if equals != nil && sets > 0 {
		d.Errorf(equals.KeyN, equals.Path, "equals is in_set and contains at once; give either equals or in_set and contains")
	}
	requireBound(d, n, path, "in_set", "contains", "equals")
}

// decodeDistribution reads kl_divergence: {partition, max, tail_holdout,
// internal_holdout} and chi_square: {partition, alpha, tail_holdout}. The
// rules of the partition are validateDistribution's.
func decodeDistribution(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) {
	keys := []string{"partition", "max", "tail_holdout", "internal_holdout", "severity"}
	bound := "max"
	if c.Kind == ChiSquare {
		keys = []string{"partition", "alpha", "tail_holdout", "severity"}
		bound = "alpha"
	}
	fields, ok := d.Mapping(n, path, keys)
	if !ok {
		return
	}
	c.Severity = d.SeverityIn(fields, c.Severity)
	hasPart, hasBound := false, false
	for _, g := range fields {
		switch g.Key {
		case "partition":
			hasPart = true
			c.Partition = decodePartition(d, g.Value, g.Path)
		case "max":
			hasBound = true
			if v, ok := d.Float(g.Value, g.Path); ok {
				c.Max = &v
			}
		case "alpha":
			hasBound = true
			if v, ok := d.Fraction(g.Value, g.Path); ok {
				c.Alpha = &v
			}
		case "tail_holdout":
			c.TailHoldout, _ = d.Fraction(g.Value, g.Path)
		case "internal_holdout":
			c.InternalHoldout, _ = d.Fraction(g.Value, g.Path)
		}
	}
	if !hasPart {
		d.Errorf(n, path, "needs partition: {bins: [...], weights: [...]} or {values: [...], weights: [...]}")
	}
	if !hasBound {
		d.Errorf(n, path, "needs %s", bound)
	}
}

// validateDistribution states the rules of a distribution check.
func validateDistribution(c *Check) error {
	if c.Partition == nil {
		return fmt.Errorf("%s needs a partition", c.Kind)
	}
	switch {
	case c.Kind == KLDivergence && c.Max == nil:
		return fmt.Errorf("kl_divergence needs max")
	case c.Kind == KLDivergence && *c.Max < 0:
		return atKey("max", fmt.Errorf("a divergence is never negative; max must be ≥ 0"))
	case c.Kind == ChiSquare && c.Alpha == nil:
		return fmt.Errorf("chi_square needs alpha")
	case c.Kind == ChiSquare && (*c.Alpha < 0 || *c.Alpha > 1 || math.IsNaN(*c.Alpha)):
		return fmt.Errorf("alpha %s is outside [0, 1]", result.FormatFloat(*c.Alpha))
	}
	return atKey("partition", c.validatePartition())
}

// decodePartition reads {bins, weights, tail_weights} or {values, weights};
// the rules between them are checked by Check.validatePartition.
func decodePartition(d *yamlx.Decoder, n *yaml.Node, path string) *Partition {
	fields, ok := d.Mapping(n, path, []string{"bins", "values", "weights", "tail_weights"})
	if !ok {
		return nil
	}
	p := &Partition{}
	hasWeights := false
	for _, g := range fields {
		switch g.Key {
		case "bins":
			items, ok := d.Sequence(g.Value, g.Path)
			if !ok {
				continue
			}
			p.Bins = make([]float64, 0, len(items))
			for i, it := range items {
				if v, ok := binEdge(d, it, fmt.Sprintf("%s[%d]", g.Path, i)); ok {
					p.Bins = append(p.Bins, v)
				}
			}
			if len(items) < 2 {
				d.Errorf(g.Value, g.Path, "needs at least two edges")
			}
		case "values":
			p.Values = decodeValues(d, g.Value, g.Path)
		case "weights", "tail_weights":
			items, ok := d.Sequence(g.Value, g.Path)
			if !ok {
				continue
			}
			ws := make([]float64, 0, len(items))
			for i, it := range items {
				if v, ok := d.Float(it, fmt.Sprintf("%s[%d]", g.Path, i)); ok {
					ws = append(ws, v)
				}
			}
			if g.Key == "weights" {
				p.Weights, hasWeights = ws, true
			} else {
				p.TailWeights = ws
			}
		}
	}
	if !hasWeights {
		d.Errorf(n, path, "needs weights: [...]")
	}
	if p.Bins == nil && p.Values == nil {
		d.Errorf(n, path, "needs bins: [edges] or values: [categories]")
	}
	return p
}

// binEdge reads a number; unlike a bound, an edge may be infinite (.inf,
// -.inf), which validatePartition allows at the ends only.
func binEdge(d *yamlx.Decoder, n *yaml.Node, path string) (float64, bool) {
	if n != nil && n.Kind == yaml.ScalarNode && n.Tag == "!!float" {
		var v float64
		if err := n.Decode(&v); err == nil && math.IsInf(v, 0) {
			return v, true
		}
	}
	return d.Float(n, path)
}

// validatePartition states the rules of a partition and its holdouts, the
// same whether the suite was decoded or built in code.
func (c *Check) validatePartition() error {
	p := c.Partition
	for _, h := range []float64{c.TailHoldout, c.InternalHoldout} {
		if h < 0 || h > 1 || math.IsNaN(h) {
			return fmt.Errorf("holdout %s is outside [0, 1]", result.FormatFloat(h))
		}
	}
	if c.TailHoldout+c.InternalHoldout > 1 {
		return fmt.Errorf("tail_holdout + internal_holdout is %s, more than 1", result.FormatFloat(c.TailHoldout+c.InternalHoldout))
	}
	if (p.Bins == nil) == (p.Values == nil) {
		return fmt.Errorf("a partition has either bins or values")
	}
	sum := 0.0
	for _, w := range append(slices.Clone(p.Weights), p.TailWeights...) {
		if w < 0 || math.IsNaN(w) || math.IsInf(w, 0) {
			return fmt.Errorf("weight %s is not a finite non-negative number", result.FormatFloat(w))
		}
		sum += w
	}
	if len(p.Weights) == 0 {
		return fmt.Errorf("a partition needs weights")
	}
	// numpy.allclose(sum, 1), as Great Expectations checks.
	if math.Abs(sum-1) > 1e-8+1e-5 {
		return fmt.Errorf("weights sum to %s, not 1", result.FormatFloat(sum))
	}
	if p.Categorical() {
		if len(p.Values) != len(p.Weights) {
			return fmt.Errorf("%d values but %d weights; give one weight per value", len(p.Values), len(p.Weights))
		}
		if p.TailWeights != nil {
			return fmt.Errorf("tail_weights apply to bins; use tail_holdout for values the partition does not list")
		}
		if c.InternalHoldout != 0 {
			return fmt.Errorf("internal_holdout applies to bins; a categorical partition has no empty bins")
		}
		seen := map[Value]bool{}
		for _, v := range p.Values {
			if seen[v] {
				return fmt.Errorf("value %s is listed twice", v.Text)
			}
			seen[v] = true
		}
		if c.Kind == ChiSquare && len(p.Values) < 2 {
			return fmt.Errorf("a chi-square test needs at least two values")
		}
		return nil
	}
	if c.Kind == ChiSquare {
		return fmt.Errorf("chi_square needs a categorical partition (values and weights); compare a numeric distribution with kl_divergence and bins")
	}
	if len(p.Bins) != len(p.Weights)+1 {
		return fmt.Errorf("%d bin edges for %d weights; give one edge more than weights", len(p.Bins), len(p.Weights))
	}
	for i, b := range p.Bins {
		if math.IsNaN(b) || (math.IsInf(b, 0) && !(i == 0 && b < 0) && !(i == len(p.Bins)-1 && b > 0)) {
			return fmt.Errorf("bin edge %s: only the first edge may be -Inf and the last +Inf", result.FormatFloat(b))
		}
		if i > 0 && !(b > p.Bins[i-1]) {
			return fmt.Errorf("bin edges must increase: %s after %s", result.FormatFloat(b), result.FormatFloat(p.Bins[i-1]))
		}
	}
	lowerInf, upperInf := math.IsInf(p.Bins[0], -1), math.IsInf(p.Bins[len(p.Bins)-1], 1)
	if p.TailWeights != nil {
		if len(p.TailWeights) != 2 {
			return fmt.Errorf("tail_weights has %d weights; give two (below and above the bins)", len(p.TailWeights))
		}
		if lowerInf || upperInf {
			return fmt.Errorf("tail_weights need finite end edges; an infinite edge's bin is its tail")
		}
		if c.TailHoldout != 0 {
			return fmt.Errorf("tail_holdout must be 0 when the partition has tail_weights")
		}
	}
	if lowerInf && upperInf && c.TailHoldout != 0 {
		return fmt.Errorf("tail_holdout does not apply when both end edges are infinite: there is no tail")
	}
	return nil
}

func imbalance(c *Check, cs *colState, r *result.Check) bool {
	classes := cs.freq.classes()
	sort.Slice(classes, func(i, j int) bool {
		if classes[i].count != classes[j].count {
			return classes[i].count > classes[j].count
		}
		return fmt.Sprint(classes[i].value) < fmt.Sprint(classes[j].value)
	})
	n := cs.Count
	exp := map[string]any{}
	var want []string
	if c.MinFraction != nil {
		exp["min_fraction"] = *c.MinFraction
		want = append(want, "every class ≥ "+percent(*c.MinFraction))
	}
	if c.MaxRatio != nil {
		exp["max_ratio"] = *c.MaxRatio
		want = append(want, "majority/minority ≤ "+result.FormatFloat(*c.MaxRatio))
	}
	if c.MinCount != nil {
		exp["min_count"] = *c.MinCount
		want = append(want, fmt.Sprintf("every class ≥ %d rows", *c.MinCount))
	}
	r.Expected = exp
	r.ExpectedText = strings.Join(want, ", ")
	r.ElementCount = result.Ptr(n)
	if len(classes) == 0 {
		r.ObservedText = "no non-null values"
		r.Message = "no classes: no non-null values"
		return false
	}
	const listed = 50
	list := make([]any, 0, min(len(classes), listed))
	for i, cc := range classes {
		if i == listed {
			break
		}
		list = append(list, map[string]any{"value": cc.value, "count": cc.count, "fraction": float64(cc.count) / float64(n)})
	}
	minor, major := classes[len(classes)-1], classes[0]
	minFrac := float64(minor.count) / float64(n)
	ratio := float64(major.count) / float64(minor.count)
	r.Observed = map[string]any{"classes": list, "class_count": len(classes), "minority_fraction": minFrac, "ratio": ratio}
	r.ObservedText = fmt.Sprintf("%d classes; minority %s %s (%d rows), majority %s %s; ratio %.3g",
		len(classes), show(minor.value), percent(minFrac), minor.count, show(major.value), percent(float64(major.count)/float64(n)), ratio)
	ok := true
	var bad []string
	if c.MinFraction != nil && minFrac < *c.MinFraction {
		ok = false
		bad = append(bad, fmt.Sprintf("class %s is %s of values, below %s", show(minor.value), percent(minFrac), percent(*c.MinFraction)))
	}
	if c.MaxRatio != nil && ratio > *c.MaxRatio {
		ok = false
		bad = append(bad, fmt.Sprintf("majority/minority ratio %.3g above %s", ratio, result.FormatFloat(*c.MaxRatio)))
	}
	if c.MinCount != nil && minor.count < *c.MinCount {
		ok = false
		bad = append(bad, fmt.Sprintf("class %s has %d rows, below %d", show(minor.value), minor.count, *c.MinCount))
	}
	if ok {
		r.Message = r.ObservedText
	} else {
		r.Message = strings.Join(bad, "; ")
	}
	return ok
}
