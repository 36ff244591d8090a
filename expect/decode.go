package expect

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/internal/yamlx"
)

// Decode reads the `expectations` section of a suite from n, recording
// every problem in d with its position; path is the key path of n (for
// example "expectations"). The returned suite is complete only when d has
// recorded no problem.
//
// Each key of a column names a kind (see Kinds); the kind decodes its own
// value. Old spellings (chisquare for chi_square) are accepted. Another
// dataset (references, row_count_ratio) is a path, or {path: FILE};
// DecodeWith reads reading options too.
func Decode(d *yamlx.Decoder, n *yaml.Node, path string) *Suite {
	return DecodeWith(d, n, path, DecodeOptions{})
}

// DecodeOptions adjust DecodeWith.
type DecodeOptions struct {
	// Dataset decodes the value that names another dataset (references,
	// row_count_ratio): a path, or a mapping of path and the reading
	// options of the suite's data section. It records every problem in d
	// with its position and returns the options, which Options.Open gets
	// back in Dataset.Options. nil accepts a path or {path: FILE} only.
	Dataset func(d *yamlx.Decoder, n *yaml.Node, path string) any
}

// DecodeWith is Decode with the suite loader's decoder of other datasets'
// reading options.
func DecodeWith(d *yamlx.Decoder, n *yaml.Node, path string, o DecodeOptions) *Suite {
	s := decodeSuite(d, n, path)
	for i := range s.Table {
		ds := s.Table[i].Other
		if ds == nil || ds.node == nil || yamlx.Resolve(ds.node).Kind != yaml.MappingNode {
			continue
		}
		if o.Dataset != nil {
			ds.Options = o.Dataset(d, ds.node, ds.KeyPath)
		} else {
			d.Mapping(ds.node, ds.KeyPath, []string{"path"})
		}
	}
	return s
}

func decodeSuite(d *yamlx.Decoder, n *yaml.Node, path string) *Suite {
	s := &Suite{}
	fields, ok := d.Mapping(n, path, []string{"table", "columns", "where", "rules", "key"})
	if !ok {
		return s
	}
	for _, f := range fields {
		switch f.Key {
		case "where":
			s.Where = decodeExpression(d, f.Value, f.Path)
		case "rules":
			s.Rules = decodeRules(d, f.Value, f.Path)
		case "key":
			if keys, ok := d.Texts(f.Value, f.Path); ok {
				if len(keys) == 0 {
					d.Errorf(f.Value, f.Path, "must list at least one column")
				}
				s.Key = keys
			}
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

// decodeTable reads the table section: the table kinds by their keys, and
// the columns group (required, exact, ordered).
func decodeTable(d *yamlx.Decoder, n *yaml.Node, path string) []Check {
	keys := []string{"columns", "severity"}
	for _, k := range Kinds() {
		if def := registry[k]; def.table && !columnsGroup[k] && k != Rule {
			keys = append(keys, string(k))
			if def.key != "" {
				keys = append(keys, def.key)
			}
		}
	}
	fields, ok := d.Mapping(n, path, keys)
	if !ok {
		return nil
	}
	sev := d.SeverityIn(fields, "")
	var out []Check
	for _, f := range fields {
		switch f.Key {
		case "severity":
		case "columns":
			out = append(out, decodeColumnsGroup(d, f, sev)...)
		default:
			def := tableKind(f.Key)
			if !def.list {
				c := Check{Kind: def.kind, Severity: sev, Line: f.KeyN.Line, Col: f.KeyN.Column}
				decodeCheck(d, &c, f)
				out = append(out, c)
				continue
			}
			items, ok := d.Sequence(f.Value, f.Path)
			if ok && len(items) == 0 {
				d.Errorf(f.Value, f.Path, "must list at least one item")
			}
			seen := map[string]bool{}
			for i, it := range items {
				c := Check{Kind: def.kind, Severity: sev, Line: it.Line, Col: it.Column, Index: i}
				g := yamlx.Field{Key: f.Key, Path: fmt.Sprintf("%s[%d]", f.Path, i), KeyN: f.KeyN, Value: it}
				decodeCheck(d, &c, g)
				if seen[c.Name()] {
					d.Errorf(it, g.Path, "a second %s check over %s: its name, %s, would not be unique; merge the two", f.Key, strings.Join(c.Columns, ", "), c.Name())
				}
				seen[c.Name()] = true
				out = append(out, c)
			}
		}
	}
	return out
}

// tableKind returns the table kind a key of the table names.
func tableKind(key string) *kindDef {
	for _, def := range registry {
		if def.table && def.key == key {
			return def
		}
	}
	return registry[Kind(key)]
}

func decodeColumn(d *yamlx.Decoder, name string, n *yaml.Node, path string) Column {
	col := Column{Name: name}
	fields, ok := d.Mapping(n, path, columnKeys())
	if !ok {
		return col
	}
	sev := d.SeverityIn(fields, "")
	declared := len(yamlx.Resolve(n).Content) / 2
	for _, f := range fields {
		if f.Key == "severity" {
			declared--
			continue
		}
		if f.Key == "where" {
			declared--
			col.Where = decodeExpression(d, f.Value, f.Path)
			continue
		}
		c := Check{Kind: lookup(f.Key).kind, Column: name, Severity: sev}
		decodeCheck(d, &c, f)
		col.Checks = append(col.Checks, c)
	}
	if declared == 0 {
		d.Errorf(n, path, "has no checks; add one such as range: {min: 0} or missing: {max: 0}")
	}
	return col
}

// decodeCheck decodes check c from field f with its kind's decoder, then,
// when decoding found no problem, states the rules of Check.validate at
// the check's position: one set of rules for suites decoded and built in
// code.
func decodeCheck(d *yamlx.Decoder, c *Check, f yamlx.Field) {
	before := len(d.Problems())
	// where: is every check's key; the kind decodes the rest.
	if rest, _, w := withoutKey(f.Value, "where"); w != nil && c.Kind != Rule {
		c.Where = decodeExpression(d, w, yamlx.Join(f.Path, "where"))
		f.Value = rest
	}
	registry[c.Kind].decode(d, c, f.Value, f.Path)
	if len(d.Problems()) == before {
		if err := c.validate(); err != nil {
			n, path := f.Value, f.Path
			var at *keyError
			if errors.As(err, &at) {
				if v := child(n, at.key); v != nil {
					n, path = v, yamlx.Join(path, at.key)
				}
			}
			d.Errorf(n, path, "%v", err)
		}
	}
}

// keyError is a rule broken by the value of one key of a check, where a
// suite file's error points.
type keyError struct {
	key string
	err error
}

func (e *keyError) Error() string { return e.err.Error() }
func (e *keyError) Unwrap() error { return e.err }

// atKey marks err as broken by the value of key.
func atKey(key string, err error) error {
	if err == nil {
		return nil
	}
	return &keyError{key: key, err: err}
}

// child returns the value of key in mapping n, or nil.
func child(n *yaml.Node, key string) *yaml.Node {
	n = yamlx.Resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return yamlx.Resolve(n.Content[i+1])
		}
	}
	return nil
}

// decodeCountBounds reads `N` (exactly N) or {min, max, severity}, counts.
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
	decodeBounds(d, c, n, path, fields, true)
	requireBound(d, n, path, "min", "max")
}

// decodeBoundsOnly reads {min, max, strict_min, strict_max, severity}
// with at least one bound: the form of every statistic.
func decodeBoundsOnly(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) {
	fields, ok := d.Mapping(n, path, append(yamlx.IntervalKeys, "severity"))
	if !ok {
		return
	}
	decodeBounds(d, c, n, path, fields, false)
	requireBound(d, n, path, "min", "max")
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

// decodeBounds reads the interval (min, max, strict_min, strict_max),
// mostly and severity of the mapping n from its fields; counts restricts
// min and max to non-negative integers. Integer literals keep their exact
// value for integer columns.
func decodeBounds(d *yamlx.Decoder, c *Check, n *yaml.Node, path string, fields []yamlx.Field, counts bool) {
	c.Severity = d.SeverityIn(fields, c.Severity)
	c.Interval = d.Interval(n, path, fields, counts)
	for _, g := range fields {
		switch g.Key {
		case "min", "max":
			if lit, ok := intLiteral(g.Value); ok {
				if g.Key == "min" {
					c.exactMin = lit
				} else {
					c.exactMax = lit
				}
			}
		case "mostly":
			if v, ok := d.Fraction(g.Value, g.Path); ok {
				c.Mostly = &v
			}
		}
	}
}

// intLiteral returns the exact value of an integer scalar (YAML's !!int:
// decimal, 0x, 0o, with an optional sign) when float64 cannot hold it.
func intLiteral(n *yaml.Node) (*big.Int, bool) {
	n = yamlx.Resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		return nil, false
	}
	v, ok := new(big.Int).SetString(strings.ReplaceAll(n.Value, "_", ""), 0)
	if !ok || new(big.Int).Abs(v).Cmp(big.NewInt(1<<53)) <= 0 {
		return nil, false
	}
	return v, true
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
		if lit, ok := intLiteral(n); ok {
			v = exactValue(lit)
		} else if n.Tag == "!!int" {
			v = NumberValue(f)
			v.Text = n.Value
		}
	case "!!bool":
		var b bool
		_ = n.Decode(&b)
		v.Bool, v.IsBool = b, true
	}
	return v, true
}
