package checklist

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/internal/section"
	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/model"
	"github.com/trustml/trustml/result"
)

var (
	testKeys = []string{"name", "type", "capability", "severity", "max_failure_rate", "seed",
		"n", "rows", "perturb", "sweep", "tolerance", "expect", "cases", "templates"}
	opKeys = []string{"set", "add", "multiply", "noise", "shuffle", "swap", "set_null"}
	// appliesTo lists the types a type-specific key belongs to.
	appliesTo = map[string][]Type{
		"n": {INV, DIR}, "rows": {INV, DIR}, "perturb": {INV, DIR}, "sweep": {DIR},
		"tolerance": {INV}, "expect": {MFT, DIR}, "cases": {MFT}, "templates": {MFT},
	}
)

// The `checklist` section of a suite decodes here; the root package reaches
// the decoder through the section registry, so it is not exported API.
func init() {
	section.Register("checklist", func(d *yamlx.Decoder, _, n *yaml.Node, path string, env section.Env) any {
		return decode(d, n, path, env.Task == model.TaskClassification)
	})
}

// decode reads the `checklist` section of a suite from n, a list of
// tests, recording every problem in d with its position; path is the key
// path of n (for example "checklist"); classifier reports whether the
// suite's model is a classifier. The returned tests are complete only
// when d has recorded no problem. The grammar is in the package
// documentation.
func decode(d *yamlx.Decoder, n *yaml.Node, path string, classifier bool) []Test {
	items, ok := d.Sequence(n, path)
	if !ok {
		return nil
	}
	var tests []Test
	names := map[string]int{}
	for i, it := range items {
		ip := fmt.Sprintf("%s[%d]", path, i)
		t, ok := decodeTest(d, it, ip, classifier)
		if !ok {
			continue
		}
		if line, dup := names[t.Name]; dup && t.Name != "" {
			d.Errorf(it, yamlx.Join(ip, "name"), "duplicate test name %q (first at line %d)", t.Name, line)
		} else {
			names[t.Name] = t.Line
		}
		tests = append(tests, t)
	}
	return tests
}

func decodeTest(d *yamlx.Decoder, n *yaml.Node, path string, classifier bool) (Test, bool) {
	fields, ok := d.Mapping(n, path, testKeys)
	if !ok {
		return Test{}, false
	}
	t := Test{Line: n.Line, Col: n.Column}
	has := map[string]yamlx.Field{}
	for _, f := range fields {
		has[f.Key] = f
	}
	if f, ok := has["name"]; ok {
		t.Name, _ = d.Text(f.Value, f.Path)
	}
	if f, ok := has["type"]; ok {
		s, _ := d.String(f.Value, f.Path)
		t.Type = Type(s)
	}
	typed := t.Type == MFT || t.Type == INV || t.Type == DIR
	_, sweep := has["sweep"]
	for _, f := range fields {
		// A key of another type is a key problem: it is not read.
		if types, specific := appliesTo[f.Key]; specific && typed && !contains(types, t.Type) {
			switch {
			case f.Key == "expect" && t.Type == INV:
				d.Errorf(f.KeyN, f.Path, "INV tests take tolerance: {abs: ..., rel: ...}, not expect")
			case len(types) == 1:
				d.Errorf(f.KeyN, f.Path, "applies to %s tests only, not %s", types[0], t.Type)
			default:
				d.Errorf(f.KeyN, f.Path, "applies to %s and %s tests, not %s", types[0], types[1], t.Type)
			}
			continue
		}
		switch f.Key {
		case "capability":
			t.Capability, _ = d.Text(f.Value, f.Path)
		case "severity":
			s, _ := d.Severity(f.Value, f.Path)
			t.Severity = result.Severity(s)
		case "max_failure_rate":
			t.MaxFailureRate, _ = d.Fraction(f.Value, f.Path)
		case "seed":
			if v, ok := d.Count(f.Value, f.Path); ok {
				s := uint64(v)
				t.Seed = &s
			}
		case "n":
			if v, ok := d.Count(f.Value, f.Path); ok {
				t.N = int(v)
				d.WrittenZero(f.Value, f.Path, v == 0, nProblem(v))
			}
		case "rows":
			items, ok := d.Sequence(f.Value, f.Path)
			if ok && len(items) == 0 {
				d.Errorf(f.Value, f.Path, "must list at least one row")
			}
			for i, it := range items {
				t.Rows = append(t.Rows, decodeInput(d, it, fmt.Sprintf("%s[%d]", f.Path, i)))
			}
		case "perturb":
			t.Perturb = decodePerturb(d, f.Value, f.Path)
		case "sweep":
			t.Sweep = decodeSweep(d, f.Value, f.Path)
		case "tolerance":
			t.Tolerance = decodeTolerance(d, f.Value, f.Path, classifier)
		case "expect":
			switch t.Type {
			case MFT:
				t.Expect = decodeBounds(d, f.Value, f.Path)
			case DIR:
				t.Change = decodeChange(d, f.Value, f.Path, sweep)
			}
		case "cases":
			items, ok := d.Sequence(f.Value, f.Path)
			if ok && len(items) == 0 {
				d.Errorf(f.Value, f.Path, "must list at least one case")
			}
			for i, it := range items {
				c, _ := decodeCase(d, it, fmt.Sprintf("%s[%d]", f.Path, i))
				t.Cases = append(t.Cases, c)
			}
		case "templates":
			items, ok := d.Sequence(f.Value, f.Path)
			if ok && len(items) == 0 {
				d.Errorf(f.Value, f.Path, "must list at least one template")
			}
			for i, it := range items {
				tm, _ := decodeTemplate(d, it, fmt.Sprintf("%s[%d]", f.Path, i))
				t.Templates = append(t.Templates, tm)
			}
		}
	}
	// Every rule about values is Validate's; the decoder positions its
	// findings.
	var fs yamlx.Findings
	t.validate(path, &fs)
	t.validateTask(path, &fs, classifier)
	d.Report(fs)
	return t, true
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// decodeLabel reads a class label: a string, an integer or a boolean, as
// written (a boolean in lower case, as model.Labels reads a boolean
// column).
func decodeLabel(d *yamlx.Decoder, n *yaml.Node, path string) (string, bool) {
	x := yamlx.Resolve(n)
	if x == nil || x.Kind != yaml.ScalarNode || x.Tag == "!!null" || x.Tag == "!!float" {
		d.Errorf(n, path, "must be a class label (a string, an integer or a boolean), got %s", yamlx.Describe(n))
		return "", false
	}
	if x.Tag == "!!bool" {
		return strings.ToLower(x.Value), true
	}
	return x.Value, true
}

// decodeScalar reads a value for a column: a number, a string, a boolean
// or null.
func decodeScalar(d *yamlx.Decoder, n *yaml.Node, path string) (any, bool) {
	n = yamlx.Resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode {
		d.Errorf(n, path, "must be a single value (number, string, boolean or null), got %s", yamlx.Describe(n))
		return nil, false
	}
	switch n.Tag {
	case "!!null":
		return nil, true
	case "!!int", "!!float":
		return d.Float(n, path)
	case "!!bool":
		return d.Bool(n, path)
	}
	return n.Value, true
}

func decodeInput(d *yamlx.Decoder, n *yaml.Node, path string) Input {
	fields, ok := d.Mapping(n, path, nil)
	if !ok {
		return nil
	}
	if len(fields) == 0 {
		d.Errorf(n, path, "must give at least one column a value")
	}
	in := Input{}
	for _, f := range fields {
		if v, ok := decodeScalar(d, f.Value, f.Path); ok {
			in[f.Key] = v
		}
	}
	return in
}

func decodeCase(d *yamlx.Decoder, n *yaml.Node, path string) (Case, bool) {
	fields, ok := d.Mapping(n, path, []string{"input", "expect"})
	if !ok {
		return Case{}, false
	}
	var c Case
	for _, f := range fields {
		switch f.Key {
		case "input":
			c.Input = decodeInput(d, f.Value, f.Path)
		case "expect":
			c.Expect = decodeBounds(d, f.Value, f.Path)
		}
	}
	return c, true
}

func hasKey(fields []yamlx.Field, key string) bool {
	for _, f := range fields {
		if f.Key == key {
			return true
		}
	}
	return false
}

func decodeTemplate(d *yamlx.Decoder, n *yaml.Node, path string) (Template, bool) {
	fields, ok := d.Mapping(n, path, []string{"vary", "fixed", "expect"})
	if !ok {
		return Template{}, false
	}
	var tm Template
	for _, f := range fields {
		switch f.Key {
		case "vary":
			cols, ok := d.Mapping(f.Value, f.Path, nil)
			if ok && len(cols) == 0 {
				d.Errorf(f.Value, f.Path, "must list at least one column: {column: [value, ...]}")
			}
			for _, c := range cols {
				items, ok := d.Sequence(c.Value, c.Path)
				if !ok {
					continue
				}
				v := Values{Column: c.Key}
				for i, it := range items {
					if x, ok := decodeScalar(d, it, fmt.Sprintf("%s[%d]", c.Path, i)); ok {
						v.Values = append(v.Values, x)
					}
				}
				tm.Vary = append(tm.Vary, v)
			}
		case "fixed":
			tm.Fixed = decodeInput(d, f.Value, f.Path)
		case "expect":
			tm.Expect = decodeBounds(d, f.Value, f.Path)
		}
	}
	return tm, true
}

// decodeBounds reads an MFT expectation.
func decodeBounds(d *yamlx.Decoder, n *yaml.Node, path string) *Bounds {
	fields, ok := d.Mapping(n, path, []string{"min", "max", "value", "tolerance", "label", "class"})
	if !ok {
		return nil
	}
	b := &Bounds{Interval: d.Interval(n, path, fields, false)}
	for _, f := range fields {
		switch f.Key {
		case "label":
			if l, ok := decodeLabel(d, f.Value, f.Path); ok {
				b.Label = &l
			}
		case "class":
			b.Class, _ = decodeLabel(d, f.Value, f.Path)
		case "value":
			if v, ok := d.Float(f.Value, f.Path); ok {
				b.Value = &v
			}
		case "tolerance":
			b.Tolerance, _ = d.Float(f.Value, f.Path)
		}
	}
	return b
}

// decodeChange reads a DIR expectation: a direction word, or a mapping.
// Sweeps spell their directions increasing and decreasing.
func decodeChange(d *yamlx.Decoder, n *yaml.Node, path string, sweep bool) Change {
	words := []string{"increase", "decrease"}
	keys := []string{"direction", "slack", "class", "min_change", "max_change"}
	if sweep {
		words = []string{"increasing", "decreasing"}
		keys = keys[:3]
	}
	toDirection := func(s string) Direction {
		switch s {
		case "increase", "increasing":
			return Increase
		case "decrease", "decreasing":
			return Decrease
		}
		return ""
	}
	var c Change
	// A word that is not a direction is kept as written: the decoder has
	// reported it, and Validate sees a change that is there.
	direction := func(n *yaml.Node, path string) Direction {
		if s, ok := d.Word(n, path, words...); ok {
			return toDirection(s)
		}
		if x := yamlx.Resolve(n); x != nil && x.Kind == yaml.ScalarNode && x.Value != "" {
			return Direction(x.Value)
		}
		return "?"
	}
	if x := yamlx.Resolve(n); x != nil && x.Kind == yaml.ScalarNode {
		c.Direction = direction(n, path)
		return c
	}
	fields, ok := d.Mapping(n, path, keys)
	if !ok {
		return c
	}
	for _, f := range fields {
		switch f.Key {
		case "direction":
			c.Direction = direction(f.Value, f.Path)
		case "slack":
			c.Slack, _ = d.Float(f.Value, f.Path)
		case "class":
			c.Class, _ = decodeLabel(d, f.Value, f.Path)
		case "min_change", "max_change":
			if v, ok := d.Float(f.Value, f.Path); ok {
				if f.Key == "min_change" {
					c.Min = &v
				} else {
					c.Max = &v
				}
			}
		}
	}
	if !slices.ContainsFunc(fields, func(f yamlx.Field) bool { return f.Key != "class" }) && !sweep {
		d.Errorf(n, path, "needs direction, min_change or max_change")
	}
	return c
}

// decodeTolerance reads an INV tolerance; a classifier's bounds the move
// of class probabilities.
func decodeTolerance(d *yamlx.Decoder, n *yaml.Node, path string, classifier bool) Tolerance {
	t := Tolerance{Proba: classifier}
	fields, ok := d.Mapping(n, path, []string{"abs", "rel", "scale", "class"})
	if !ok {
		return t
	}
	for _, f := range fields {
		switch f.Key {
		case "abs", "rel":
			v, ok := d.Float(f.Value, f.Path)
			if !ok {
				continue
			}
			if f.Key == "abs" {
				t.Abs = v
			} else {
				t.Rel = v
			}
		case "scale":
			s, _ := d.Word(f.Value, f.Path, string(ScaleTarget), string(ScalePrediction))
			t.Scale = Scale(s)
		case "class":
			t.Class, _ = decodeLabel(d, f.Value, f.Path)
		}
	}
	switch {
	case classifier && !hasKey(fields, "abs"):
		d.Errorf(n, path, "needs abs: how far a class probability may move (leave tolerance out to demand an unchanged label)")
	case !hasKey(fields, "abs") && !hasKey(fields, "rel"):
		d.Errorf(n, path, "needs abs, rel or both: tolerance = abs + rel × scale")
	case hasKey(fields, "scale") && !hasKey(fields, "rel"):
		d.Errorf(n, path, "scale applies to rel: tolerance = abs + rel × scale")
	}
	return t
}

func decodeSweep(d *yamlx.Decoder, n *yaml.Node, path string) *Sweep {
	fields, ok := d.Mapping(n, path, []string{"column", "from", "to", "steps"})
	if !ok {
		return nil
	}
	s := &Sweep{}
	for _, f := range fields {
		switch f.Key {
		case "column":
			s.Column, _ = d.Text(f.Value, f.Path)
		case "from", "to":
			if v, ok := d.Float(f.Value, f.Path); ok {
				if f.Key == "from" {
					s.From = &v
				} else {
					s.To = &v
				}
			}
		case "steps":
			if v, ok := d.Count(f.Value, f.Path); ok {
				s.Steps = int(v)
				d.WrittenZero(f.Value, f.Path, v == 0, stepsProblem(v))
			}
		}
	}
	return s
}

// decodePerturb reads one perturbation or a list of them, applied in order.
func decodePerturb(d *yamlx.Decoder, n *yaml.Node, path string) []Perturbation {
	x := yamlx.Resolve(n)
	if x == nil || x.Kind != yaml.SequenceNode {
		if p, ok := decodeStep(d, n, path); ok {
			return []Perturbation{p}
		}
		return nil
	}
	items, _ := d.Sequence(n, path)
	if len(items) == 0 {
		d.Errorf(n, path, "must list at least one perturbation")
	}
	var out []Perturbation
	for i, it := range items {
		if p, ok := decodeStep(d, it, fmt.Sprintf("%s[%d]", path, i)); ok {
			out = append(out, p)
		}
	}
	return out
}

func decodeStep(d *yamlx.Decoder, n *yaml.Node, path string) (Perturbation, bool) {
	fields, ok := d.Mapping(n, path, append([]string{"column"}, opKeys...))
	if !ok {
		return Perturbation{}, false
	}
	var p Perturbation
	var ops []string
	for _, f := range fields {
		if f.Key == "column" {
			p.Column, _ = d.Text(f.Value, f.Path)
			continue
		}
		ops = append(ops, f.Key)
		p.Op = Op(f.Key)
		switch p.Op {
		case OpSet:
			if yamlx.IsNull(f.Value) {
				d.Errorf(f.Value, f.Path, "write set_null: true to set a null")
				continue
			}
			p.Value, _ = decodeScalar(d, f.Value, f.Path)
		case OpAdd, OpMultiply:
			p.Amount, _ = d.Float(f.Value, f.Path)
		case OpNoise:
			p.Amount, p.Relative = decodeNoise(d, f.Value, f.Path)
		case OpShuffle, OpSetNull:
			if v, ok := d.Bool(f.Value, f.Path); ok && !v {
				d.Errorf(f.Value, f.Path, "%s: false perturbs nothing; remove the perturbation", f.Key)
			}
		case OpSwap:
			s, _ := d.Word(f.Value, f.Path, "each", "random")
			p.Each = s == "each"
		}
	}
	if !hasKey(fields, "column") {
		d.Errorf(n, path, "needs column: the column to perturb")
	}
	switch len(ops) {
	case 0:
		d.Errorf(n, path, "needs one operation: %s", strings.Join(opKeys, ", "))
	case 1:
	default:
		d.Errorf(n, path, "has %d operations (%s); list them to compose: [{column: ..., %s: ...}, {column: ..., %s: ...}]",
			len(ops), strings.Join(ops, ", "), ops[0], ops[1])
	}
	return p, true
}

// decodeNoise reads {stddev: s} or {relative: f} (a multiple of the
// column's standard deviation).
func decodeNoise(d *yamlx.Decoder, n *yaml.Node, path string) (float64, bool) {
	fields, ok := d.Mapping(n, path, []string{"stddev", "relative"})
	if !ok {
		return 0, false
	}
	if len(fields) != 1 {
		d.Errorf(n, path, "needs exactly one of stddev (absolute) or relative (× the column's standard deviation)")
		return 0, false
	}
	f := fields[0]
	v, ok := d.Float(f.Value, f.Path)
	if ok && v <= 0 {
		d.Errorf(f.Value, f.Path, "must be > 0, got %s", result.FormatFloat(v))
	}
	return v, f.Key == "relative"
}
