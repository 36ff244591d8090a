package expect

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/result"
)

var (
	tableKeys  = []string{"row_count", "column_count", "columns", "severity"}
	columnKeys = []string{"type", "missing", "range", "in_set", "not_in_set", "regex", "length", "unique",
		"distinct", "mean", "median", "stddev", "min", "max", "sum", "quantiles", "imbalance",
		"distinct_values", "kl_divergence", "chisquare", "severity"}
	boundKeys = []string{"min", "max", "strict_min", "strict_max", "severity"}
)

// Decode reads the `expectations` section of a suite from n, recording
// every problem in d with its position; path is the key path of n (for
// example "expectations"). The returned suite is complete only when d has
// recorded no problem.
func Decode(d *yamlx.Decoder, n *yaml.Node, path string) *Suite {
	s := &Suite{}
	fields, ok := d.Mapping(n, path, []string{"table", "columns"})
	if !ok {
		return s
	}
	for _, f := range fields {
		switch f.Key {
		case "table":
			s.Table = decodeTable(d, f.Value, f.Path)
		case "columns":
			cols, ok := d.Mapping(f.Value, f.Path, nil)
			if !ok {
				continue
			}
			for _, cf := range cols {
				col := decodeColumn(d, cf.Key, cf.Value, cf.Path)
				col.Line, col.Col = cf.KeyN.Line, cf.KeyN.Column
				s.Columns = append(s.Columns, col)
			}
		}
	}
	return s
}

func decodeSeverity(d *yamlx.Decoder, n *yaml.Node, path string) result.Severity {
	s, ok := d.String(n, path)
	if !ok {
		return ""
	}
	switch result.Severity(s) {
	case result.SeverityError, result.SeverityWarn:
		return result.Severity(s)
	}
	msg := fmt.Sprintf("must be error or warn, got %q", s)
	if h := yamlx.Suggest(s, []string{"error", "warn"}); h != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", h)
	}
	d.Errorf(n, path, "%s", msg)
	return ""
}

// severityOf returns the severity key among fields, or def.
func severityOf(d *yamlx.Decoder, fields []yamlx.Field, def result.Severity) result.Severity {
	for _, f := range fields {
		if f.Key == "severity" {
			if s := decodeSeverity(d, f.Value, f.Path); s != "" {
				return s
			}
		}
	}
	return def
}

func decodeTable(d *yamlx.Decoder, n *yaml.Node, path string) []Check {
	fields, ok := d.Mapping(n, path, tableKeys)
	if !ok {
		return nil
	}
	sev := severityOf(d, fields, "")
	var out []Check
	for _, f := range fields {
		switch f.Key {
		case "row_count", "column_count":
			c := Check{Kind: Kind(f.Key), Severity: sev}
			decodeCountBounds(d, &c, f.Value, f.Path)
			out = append(out, c)
		case "columns":
			cf, ok := d.Mapping(f.Value, f.Path, []string{"required", "exact", "ordered", "severity"})
			if !ok {
				continue
			}
			csev := severityOf(d, cf, sev)
			var ordered bool
			var exact *Check
			for _, g := range cf {
				switch g.Key {
				case "required", "exact":
					names, _ := d.Texts(g.Value, g.Path)
					if len(names) == 0 && !yamlx.IsNull(g.Value) && yamlx.Resolve(g.Value).Kind == yaml.SequenceNode {
						d.Errorf(g.Value, g.Path, "must list at least one column")
					}
					dupNames(d, g.Value, g.Path, names)
					out = append(out, Check{Kind: Kind(g.Key), Severity: csev, Columns: names})
					if g.Key == "exact" {
						exact = &out[len(out)-1]
					}
				case "ordered":
					ordered, _ = d.Bool(g.Value, g.Path)
				}
			}
			if ordered {
				if exact == nil {
					d.Errorf(f.Value, yamlx.Join(f.Path, "ordered"), "applies to exact; add exact: [columns in order]")
				} else {
					exact.Ordered = true
				}
			}
		}
	}
	return out
}

func dupNames(d *yamlx.Decoder, n *yaml.Node, path string, names []string) {
	seen := map[string]bool{}
	for i, s := range names {
		if seen[s] {
			d.Errorf(yamlx.Resolve(n).Content[i], fmt.Sprintf("%s[%d]", path, i), "column %q is listed twice", s)
		}
		seen[s] = true
	}
}

// decodeCountBounds reads `N` (exactly N) or {min, max, severity}.
func decodeCountBounds(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) {
	n = yamlx.Resolve(n)
	if n != nil && n.Kind == yaml.ScalarNode {
		if v, ok := d.Count(n, path); ok {
			f := float64(v)
			c.Min, c.Max = &f, &f
		}
		return
	}
	fields, ok := d.Mapping(n, path, []string{"min", "max", "severity"})
	if !ok {
		return
	}
	c.Severity = severityOf(d, fields, c.Severity)
	for _, f := range fields {
		switch f.Key {
		case "min", "max":
			if v, ok := d.Count(f.Value, f.Path); ok {
				fv := float64(v)
				if f.Key == "min" {
					c.Min = &fv
				} else {
					c.Max = &fv
				}
			}
		}
	}
	requireBound(d, n, path, "min", "max")
	orderBounds(d, n, path, c.Min, c.Max)
}

// requireBound reports a mapping that has none of the keys that bound a
// check (a malformed bound is reported where it is, not here).
func requireBound(d *yamlx.Decoder, n *yaml.Node, path string, keys ...string) {
	n = yamlx.Resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		for _, k := range keys {
			if n.Content[i].Value == k {
				return
			}
		}
	}
	what := strings.Join(keys[:len(keys)-1], ", ") + " or " + keys[len(keys)-1]
	d.Errorf(n, path, "needs at least one of %s", what)
}

func orderBounds(d *yamlx.Decoder, n *yaml.Node, path string, lo, hi *float64) {
	if lo != nil && hi != nil && *lo > *hi {
		d.Errorf(n, path, "min %s is greater than max %s", result.FormatFloat(*lo), result.FormatFloat(*hi))
	}
}

func decodeColumn(d *yamlx.Decoder, name string, n *yaml.Node, path string) Column {
	col := Column{Name: name}
	fields, ok := d.Mapping(n, path, columnKeys)
	if !ok {
		return col
	}
	sev := severityOf(d, fields, "")
	declared := len(yamlx.Resolve(n).Content) / 2
	for _, f := range fields {
		if f.Key == "severity" {
			declared--
			continue
		}
		c := Check{Kind: Kind(f.Key), Column: name, Severity: sev}
		decodeColumnCheck(d, &c, f)
		col.Checks = append(col.Checks, c)
	}
	if declared == 0 {
		d.Errorf(n, path, "has no checks; add one such as range: {min: 0} or missing: {max: 0}")
	}
	return col
}

// decodeColumnCheck fills c from field f.
func decodeColumnCheck(d *yamlx.Decoder, c *Check, f yamlx.Field) {
	n, path := f.Value, f.Path
	switch c.Kind {
	case Type:
		if yamlx.Resolve(n).Kind == yaml.SequenceNode {
			c.Types, _ = d.Texts(n, path)
		} else if s, ok := d.Text(n, path); ok {
			c.Types = []string{s}
		}
		for _, t := range c.Types {
			if !knownTypeName(t) && !isTypeString(t) {
				msg := fmt.Sprintf("unknown type %q", t)
				if h := yamlx.Suggest(t, typeNames()); h != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", h)
				}
				d.Errorf(n, path, "%s; types are Arrow type names (int64, float64, utf8, bool, date32, timestamp ...), integer, float, numeric, string, boolean, temporal, or a timestamp's full form (timestamp[ns], timestamp[ns, tz=UTC])", msg)
			}
		}
	case Missing:
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
		c.Severity = severityOf(d, fields, c.Severity)
		for _, g := range fields {
			switch g.Key {
			case "max", "min":
				if v, ok := d.Count(g.Value, g.Path); ok {
					fv := float64(v)
					setBound(c, g.Key, fv)
				}
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
		orderBounds(d, n, path, c.Min, c.Max)
		orderBounds(d, n, path, c.MinFraction, c.MaxFraction)
	case Range, Length:
		keys := []string{"min", "max", "strict_min", "strict_max", "mostly", "severity"}
		if c.Kind == Length {
			keys = []string{"min", "max", "mostly", "severity"}
		}
		fields, ok := d.Mapping(n, path, keys)
		if !ok {
			return
		}
		decodeBounds(d, c, fields, c.Kind == Length)
		requireBound(d, n, path, "min", "max")
		orderBounds(d, n, path, c.Min, c.Max)
	case Mean, Median, Stddev, Min, Max, Sum:
		fields, ok := d.Mapping(n, path, boundKeys)
		if !ok {
			return
		}
		decodeBounds(d, c, fields, false)
		requireBound(d, n, path, "min", "max")
		orderBounds(d, n, path, c.Min, c.Max)
		if c.Kind == Stddev && c.Max != nil && *c.Max < 0 {
			d.Errorf(n, yamlx.Join(path, "max"), "a standard deviation is never negative; max must be ≥ 0")
		}
	case Distinct:
		decodeCountBounds(d, c, n, path)
	case InSet, NotInSet:
		list := n
		if yamlx.Resolve(n).Kind == yaml.MappingNode {
			fields, ok := d.Mapping(n, path, []string{"values", "mostly", "severity"})
			if !ok {
				return
			}
			list = nil
			decodeBounds(d, c, fields, false)
			for _, g := range fields {
				if g.Key == "values" {
					list = g.Value
				}
			}
			if list == nil {
				d.Errorf(n, path, "needs values: [...]")
				return
			}
		}
		items, ok := d.Sequence(list, path)
		if !ok {
			return
		}
		if len(items) == 0 {
			d.Errorf(list, path, "must list at least one value")
		}
		for i, it := range items {
			if v, ok := decodeValue(d, it, fmt.Sprintf("%s[%d]", path, i)); ok {
				c.Set = append(c.Set, v)
			}
		}
	case Regex:
		pat := n
		if yamlx.Resolve(n).Kind == yaml.MappingNode {
			fields, ok := d.Mapping(n, path, []string{"pattern", "mostly", "severity"})
			if !ok {
				return
			}
			pat = nil
			decodeBounds(d, c, fields, false)
			for _, g := range fields {
				if g.Key == "pattern" {
					pat = g.Value
				}
			}
			if pat == nil {
				d.Errorf(n, path, "needs pattern: \"...\"")
				return
			}
		}
		if s, ok := d.String(pat, path); ok {
			re, err := regexp.Compile(s)
			if err != nil {
				d.Errorf(pat, path, "invalid regular expression: %v", err)
			} else {
				c.Pattern = re
			}
		}
	case Unique:
		if yamlx.Resolve(n).Kind == yaml.MappingNode {
			fields, ok := d.Mapping(n, path, []string{"mostly", "severity"})
			if ok {
				decodeBounds(d, c, fields, false)
			}
			return
		}
		if v, ok := d.Bool(n, path); ok && !v {
			d.Errorf(n, path, "unique: false checks nothing; remove the key")
		}
	case Quantiles:
		list := n
		if yamlx.Resolve(n).Kind == yaml.MappingNode {
			fields, ok := d.Mapping(n, path, []string{"bounds", "interpolation", "severity"})
			if !ok {
				return
			}
			c.Severity = severityOf(d, fields, c.Severity)
			list = nil
			for _, g := range fields {
				switch g.Key {
				case "bounds":
					list = g.Value
				case "interpolation":
					if s, ok := d.String(g.Value, g.Path); ok {
						if !slices.Contains(interpolations[1:], s) {
							msg := fmt.Sprintf("unknown interpolation %q", s)
							if h := yamlx.Suggest(s, interpolations[1:]); h != "" {
								msg += fmt.Sprintf(" (did you mean %q?)", h)
							}
							d.Errorf(g.Value, g.Path, "%s; use one of %s", msg, strings.Join(interpolations[1:], ", "))
						} else {
							c.Interpolation = s
						}
					}
				}
			}
			if list == nil {
				d.Errorf(n, path, "needs bounds: [{q: 0.5, min: ..., max: ...}, ...]")
				return
			}
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
			fields, ok := d.Mapping(it, ip, []string{"q", "min", "max"})
			if !ok {
				continue
			}
			var qb QuantileBound
			hasQ := false
			for _, g := range fields {
				switch g.Key {
				case "q":
					if v, ok := d.Fraction(g.Value, g.Path); ok {
						qb.Q, hasQ = v, true
					}
				case "min", "max":
					if v, ok := d.Float(g.Value, g.Path); ok {
						if g.Key == "min" {
							qb.Min = &v
						} else {
							qb.Max = &v
						}
					}
				}
			}
			if !hasQ && !slices.ContainsFunc(fields, func(f yamlx.Field) bool { return f.Key == "q" }) {
				d.Errorf(it, ip, "needs q: a fraction between 0 and 1")
			}
			requireBound(d, it, ip, "min", "max")
			orderBounds(d, it, ip, qb.Min, qb.Max)
			c.Quantiles = append(c.Quantiles, qb)
		}
	case Imbalance:
		fields, ok := d.Mapping(n, path, []string{"min_fraction", "max_ratio", "min_count", "severity"})
		if !ok {
			return
		}
		c.Severity = severityOf(d, fields, c.Severity)
		for _, g := range fields {
			switch g.Key {
			case "min_fraction":
				if v, ok := d.Fraction(g.Value, g.Path); ok {
					c.MinFraction = &v
				}
			case "max_ratio":
				if v, ok := d.Float(g.Value, g.Path); ok {
					if v < 1 {
						d.Errorf(g.Value, g.Path, "a majority/minority ratio is at least 1, got %s", result.FormatFloat(v))
					}
					c.MaxRatio = &v
				}
			case "min_count":
				if v, ok := d.Count(g.Value, g.Path); ok {
					c.MinCount = &v
				}
			}
		}
		requireBound(d, n, path, "min_fraction", "max_ratio", "min_count")
	case DistinctValues:
		decodeDistinctValues(d, c, n, path)
	case KLDivergence, ChiSquare:
		decodeDistribution(d, c, n, path)
	}
}

// decodeValues reads a non-empty list of values.
func decodeValues(d *yamlx.Decoder, n *yaml.Node, path string) []Value {
	items, ok := d.Sequence(n, path)
	if !ok {
		return nil
	}
	if len(items) == 0 {
		d.Errorf(n, path, "must list at least one value")
	}
	out := make([]Value, 0, len(items))
	for i, it := range items {
		if v, ok := decodeValue(d, it, fmt.Sprintf("%s[%d]", path, i)); ok {
			out = append(out, v)
		}
	}
	return out
}

// decodeDistinctValues reads {in_set: [...], contains: [...]} or
// {equals: [...]}.
func decodeDistinctValues(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) {
	fields, ok := d.Mapping(n, path, []string{"in_set", "contains", "equals", "severity"})
	if !ok {
		return
	}
	c.Severity = severityOf(d, fields, c.Severity)
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
// internal_holdout} and chisquare: {partition, alpha, tail_holdout}.
func decodeDistribution(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) {
	keys := []string{"partition", "max", "tail_holdout", "internal_holdout", "severity"}
	bound := "max"
	if c.Kind == ChiSquare {
		keys = []string{"partition", "alpha", "tail_holdout", "severity"}
		bound = "alpha"
	}
	before := len(d.Problems())
	fields, ok := d.Mapping(n, path, keys)
	if !ok {
		return
	}
	c.Severity = severityOf(d, fields, c.Severity)
	var part *yamlx.Field
	hasBound := false
	for i, g := range fields {
		switch g.Key {
		case "partition":
			part = &fields[i]
			c.Partition = decodePartition(d, g.Value, g.Path)
		case "max":
			hasBound = true
			if v, ok := d.Float(g.Value, g.Path); ok {
				if v < 0 {
					d.Errorf(g.Value, g.Path, "a divergence is never negative; max must be ≥ 0")
				}
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
	if part == nil {
		d.Errorf(n, path, "needs partition: {bins: [...], weights: [...]} or {values: [...], weights: [...]}")
	}
	if !hasBound {
		d.Errorf(n, path, "needs %s", bound)
	}
	if part != nil && c.Partition != nil && len(d.Problems()) == before {
		if err := c.validatePartition(); err != nil {
			d.Errorf(part.Value, part.Path, "%v", err)
		}
	}
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

func setBound(c *Check, key string, v float64) {
	if key == "min" {
		c.Min = &v
	} else {
		c.Max = &v
	}
}

// decodeBounds reads min, max, strict_min, strict_max, mostly and severity
// from fields; counts restricts min and max to non-negative integers.
func decodeBounds(d *yamlx.Decoder, c *Check, fields []yamlx.Field, counts bool) {
	c.Severity = severityOf(d, fields, c.Severity)
	for _, g := range fields {
		switch g.Key {
		case "min", "max":
			if counts {
				if v, ok := d.Count(g.Value, g.Path); ok {
					setBound(c, g.Key, float64(v))
				}
			} else if v, ok := d.Float(g.Value, g.Path); ok {
				setBound(c, g.Key, v)
			}
		case "strict_min":
			c.StrictMin, _ = d.Bool(g.Value, g.Path)
		case "strict_max":
			c.StrictMax, _ = d.Bool(g.Value, g.Path)
		case "mostly":
			if v, ok := d.Fraction(g.Value, g.Path); ok {
				c.Mostly = &v
			}
		}
	}
}

func decodeValue(d *yamlx.Decoder, n *yaml.Node, path string) (Value, bool) {
	n = yamlx.Resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.Errorf(n, path, "must be a single value (string, number or boolean), got %s; nulls are checked with missing", yamlx.Describe(n))
		return Value{}, false
	}
	v := Value{Text: n.Value}
	switch n.Tag {
	case "!!int", "!!float":
		var f float64
		if err := n.Decode(&f); err != nil || math.IsNaN(f) {
			d.Errorf(n, path, "must be a number, got %s", n.Value)
			return Value{}, false
		}
		v.Num, v.IsNum = f, true
	case "!!bool":
		b, _ := strconv.ParseBool(n.Value)
		_ = n.Decode(&b)
		v.Bool, v.IsBool = b, true
	}
	return v, true
}
