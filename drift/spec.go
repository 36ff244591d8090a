package drift

import (
	"math"
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/bound"
	"github.com/trustml/trustml/internal/section"
	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/result"
)

// Kind names a drift test; it is the last element of a check's name
// ("drift.Temp.ks" has Kind KS).
type Kind string

// The drift tests.
const (
	KSTest          Kind = "ks"             // numeric: two-sample Kolmogorov–Smirnov statistic and p-value
	PSITest         Kind = "psi"            // numeric (reference deciles) or categorical: Population Stability Index
	WassersteinTest Kind = "wasserstein"    // numeric: Wasserstein-1 distance, in the column's units
	ChiSquareTest   Kind = "chi_square"     // categorical: chi-square test of homogeneity
	NewCategories   Kind = "new_categories" // categorical: values of the current data the reference lacks
)

// Spec is a suite's `drift` section: per column, the tests comparing the
// current data with the reference.
type Spec struct {
	Columns []Column
	// File names the suite file, for errors Compare positions in it.
	File string
}

// Column holds the drift tests of one column.
type Column struct {
	Name  string
	Tests []Test
	// Line and Col locate the column's key in the suite (0 when built in code).
	Line, Col int
}

// Test is one drift test and its thresholds, in the shared
// [bound.Interval]; an interval that sets no end bounds nothing (the test
// only reports its statistic). A test bounds its statistic from above and
// its p-value from below:
//
//	ks:             Statistic.Max (D; max_statistic), PValue.Min (min_p_value)
//	psi:            Statistic.Max (max)
//	wasserstein:    Statistic.Max (max)
//	chi_square:     PValue.Min (min_p_value), Statistic.Max (χ²; max_statistic)
//	new_categories: Statistic.Max (a count; max)
type Test struct {
	Kind      Kind
	Statistic bound.Interval
	PValue    bound.Interval
	Severity  result.Severity // "" means SeverityError
	Line, Col int             // the test's key in the suite
}

// statisticKey is the suite key of the bound on a test's statistic.
func statisticKey(k Kind) string {
	if k == KSTest || k == ChiSquareTest {
		return "max_statistic"
	}
	return "max"
}

var (
	specKeys   = []string{"columns", "severity"}
	columnKeys = []string{"ks", "psi", "wasserstein", "chi_square", "new_categories", "severity", "chisquare"}
	// aliases are the old spellings of test names, still accepted; the
	// canonical name is the one results and reports use.
	aliases  = map[string]Kind{"chisquare": ChiSquareTest}
	testKeys = map[Kind][]string{
		KSTest:          {"max_statistic", "min_p_value", "severity"},
		PSITest:         {"max", "severity"},
		WassersteinTest: {"max", "severity"},
		ChiSquareTest:   {"min_p_value", "max_statistic", "severity"},
		NewCategories:   {"max", "severity"},
	}
)

// Names returns the columns the spec compares, in suite order.
func (s *Spec) Names() []string {
	if s == nil {
		return nil
	}
	out := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		out[i] = c.Name
	}
	return out
}

// Len returns the number of tests the spec declares.
func (s *Spec) Len() int {
	if s == nil {
		return 0
	}
	n := 0
	for _, c := range s.Columns {
		n += len(c.Tests)
	}
	return n
}

// The `drift` section of a suite decodes here; the root package reaches
// the decoder through the section registry, so it is not exported API.
func init() {
	section.Register("drift", func(d *yamlx.Decoder, _, n *yaml.Node, path string, _ section.Env) any {
		return decode(d, n, path)
	})
}

// decode reads the `drift` section of a suite from n, recording every
// problem in d with its position; path is the key path of n ("drift").
// The grammar:
//
//	drift:
//	  severity: warn                 # optional default for every test
//	  columns:
//	    COLUMN:
//	      ks: {max_statistic: D, min_p_value: P}
//	      psi: {max: X}
//	      wasserstein: {max: X}
//	      chi_square: {min_p_value: P, max_statistic: X}   # chisquare: an accepted alias
//	      new_categories: {max: N}   # or N
//	      severity: warn             # default for the column's tests
//
// Every test takes its own severity. ks and chi_square need at least one
// bound; statistics and p-values are fractions, PSI and Wasserstein
// bounds non-negative numbers, new_categories a count.
func decode(d *yamlx.Decoder, n *yaml.Node, path string) *Spec {
	s := &Spec{File: d.File}
	fields, ok := d.Mapping(n, path, specKeys)
	if !ok {
		return s
	}
	sev := d.SeverityIn(fields, "")
	hasColumns := false
	for _, f := range fields {
		if f.Key != "columns" {
			continue
		}
		hasColumns = true
		cols, ok := d.Mapping(f.Value, f.Path, nil)
		if !ok {
			continue
		}
		if len(cols) == 0 {
			d.Errorf(f.Value, f.Path, "names no column: add COLUMN: {ks: {...}, ...}")
		}
		for _, cf := range cols {
			c := decodeColumn(d, cf.Key, cf.Value, cf.Path, sev)
			c.Line, c.Col = cf.KeyN.Line, cf.KeyN.Column
			s.Columns = append(s.Columns, c)
		}
	}
	if !hasColumns {
		d.Errorf(n, yamlx.Join(path, "columns"), "missing: the columns to compare with the reference")
	}
	return s
}

func decodeColumn(d *yamlx.Decoder, name string, n *yaml.Node, path string, sev result.Severity) Column {
	c := Column{Name: name}
	fields, ok := d.Mapping(n, path, columnKeys)
	if !ok {
		return c
	}
	sev = d.SeverityIn(fields, sev)
	for _, f := range fields {
		if f.Key == "severity" {
			continue
		}
		kind := Kind(f.Key)
		if k, ok := aliases[f.Key]; ok {
			kind = k
		}
		if slices.ContainsFunc(c.Tests, func(t Test) bool { return t.Kind == kind }) {
			d.Errorf(f.KeyN, f.Path, "%s and %s are the same test; keep one", f.Key, kind)
			continue
		}
		t := Test{Kind: kind, Severity: sev, Line: f.KeyN.Line, Col: f.KeyN.Column}
		decodeTest(d, &t, f.Value, f.Path)
		c.Tests = append(c.Tests, t)
	}
	if len(c.Tests) == 0 {
		d.Errorf(n, path, "names no test: add one of ks, psi, wasserstein, chi_square, new_categories")
	}
	return c
}

func decodeTest(d *yamlx.Decoder, t *Test, n *yaml.Node, path string) {
	if t.Kind == NewCategories && yamlx.Resolve(n) != nil && yamlx.Resolve(n).Kind == yaml.ScalarNode {
		if v, ok := d.Count(n, path); ok {
			t.Statistic = bound.AtMost(float64(v))
		}
		return
	}
	fields, ok := d.Mapping(n, path, testKeys[t.Kind])
	if !ok {
		return
	}
	t.Severity = d.SeverityIn(fields, t.Severity)
	for _, f := range fields {
		var v float64
		var ok bool
		switch {
		case f.Key == "severity":
			continue
		case t.Kind == NewCategories:
			var c int64
			c, ok = d.Count(f.Value, f.Path)
			v = float64(c)
		default:
			v, ok = d.Float(f.Value, f.Path)
		}
		if !ok {
			continue
		}
		switch f.Key {
		case "max_statistic", "max":
			t.Statistic.Max = &v
		case "min_p_value":
			t.PValue.Min = &v
		}
	}
	// A suite's test states its bound (a test built in Go without one
	// only reports its statistic).
	if !slices.ContainsFunc(fields, func(f yamlx.Field) bool { return f.Key != "severity" }) {
		keys := testKeys[t.Kind]
		d.Errorf(n, path, "needs a bound: %s", joinOr(keys[:len(keys)-1]))
	}
	var fs yamlx.Findings
	t.validate(path, &fs)
	d.Report(fs)
}

// Validate reports every problem of the spec at once, each line naming
// the key path a suite spells it with ("drift.columns.Temp.ks: ..."). A
// decoded suite reports the same problems positioned in its file.
func (s *Spec) Validate() error {
	var fs yamlx.Findings
	if len(s.Columns) == 0 {
		fs.Add("drift.columns", "names no column: add COLUMN: {ks: {...}, ...}")
	}
	for _, c := range s.Columns {
		p := yamlx.Join("drift.columns", c.Name)
		if c.Name == "" {
			fs.Add(p, "column name is empty")
		}
		if len(c.Tests) == 0 {
			fs.Add(p, "names no test: add one of ks, psi, wasserstein, chi_square, new_categories")
		}
		seen := map[Kind]bool{}
		for _, t := range c.Tests {
			tp := yamlx.Join(p, string(t.Kind))
			if seen[t.Kind] {
				fs.Add(tp, "is declared twice; keep one")
			}
			seen[t.Kind] = true
			t.validate(tp, &fs)
		}
	}
	return fs.Err()
}

// validate reports the problems of one test: its kind, which bounds apply
// to it, their ranges and its severity.
func (t Test) validate(path string, fs *yamlx.Findings) {
	keys, ok := testKeys[t.Kind]
	if !ok {
		fs.Add(path, "unknown drift test %q; tests are ks, psi, wasserstein, chi_square, new_categories", t.Kind)
		return
	}
	sk := statisticKey(t.Kind)
	if t.Statistic.Min != nil || t.Statistic.StrictMin || t.Statistic.StrictMax {
		fs.Add(yamlx.Join(path, sk), "bounds the statistic from above only: set Statistic.Max alone")
	}
	if t.PValue.Max != nil || t.PValue.StrictMin || t.PValue.StrictMax {
		fs.Add(yamlx.Join(path, "min_p_value"), "bounds the p-value from below only: set PValue.Min alone")
	}
	for _, b := range []struct {
		k string
		v *float64
	}{{sk, t.Statistic.Max}, {"min_p_value", t.PValue.Min}} {
		k, v := b.k, b.v
		if v == nil {
			continue
		}
		kp := yamlx.Join(path, k)
		switch {
		case !slices.Contains(keys, k):
			fs.Add(kp, "does not apply to %s; it takes %s", t.Kind, joinOr(keys[:len(keys)-1]))
		case k == "min_p_value" || (k == "max_statistic" && t.Kind == KSTest):
			if !(*v >= 0 && *v <= 1) {
				fs.Add(kp, "must be a fraction between 0 and 1, got %s", result.FormatFloat(*v))
			}
		case !(*v >= 0) || math.IsInf(*v, 0):
			fs.Add(kp, "must be ≥ 0, got %s", result.FormatFloat(*v))
		case t.Kind == NewCategories && *v != math.Trunc(*v):
			fs.Add(kp, "must be a whole number of categories, got %s", result.FormatFloat(*v))
		}
	}
	fs.Severity(yamlx.Join(path, "severity"), t.Severity)
}

func joinOr(keys []string) string {
	if len(keys) == 1 {
		return keys[0]
	}
	out := ""
	for i, k := range keys {
		switch {
		case i == 0:
		case i == len(keys)-1:
			out += " or "
		default:
			out += ", "
		}
		out += k
	}
	return out
}
