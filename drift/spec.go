package drift

import (
	"math"
	"slices"
	"strings"

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
// current data with the reference; and the tests of a model's target
// (label drift) and of its predictions (prediction drift).
type Spec struct {
	Columns []Column
	// Label, when set, compares the model's target column: its class
	// distribution for a classifier. [Compare] runs its tests on the
	// profiles' column Label.Column, named "drift.label.<test>".
	Label *Target
	// Prediction, when set, compares the model's predictions on the
	// current data with its predictions on the reference:
	// [ComparePredictions] runs its tests on profiles of the predictions,
	// named "drift.prediction.<test>".
	Prediction *Target
	// File names the suite file, for errors Compare positions in it.
	File string
}

// PredictionColumn is the column of the profiles [ComparePredictions]
// compares: a row's predicted label, or the probability of
// Prediction.Class, or a regressor's prediction.
const PredictionColumn = "prediction"

// Target holds the tests of label or prediction drift: the `label` and
// `prediction` keys of the drift section.
type Target struct {
	// Column is the profiled column the tests compare: the model's target
	// for Label, set by whoever knows the model (the suite's root package
	// sets it from the model section); PredictionColumn for Prediction.
	Column string
	// Class, for a classifier's prediction drift, names the class whose
	// probability is compared (numeric tests); "" compares the predicted
	// labels.
	Class string
	// Categorical compares categories whatever the profiled kind (a
	// classifier's labels, integers included): chi_square, psi over the
	// categories and new_categories apply, ks and wasserstein do not.
	Categorical bool
	Tests       []Test
	// Line and Col locate the key (label or prediction) in the suite.
	Line, Col int
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
	specKeys   = []string{"columns", "label", "prediction", "severity"}
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

// Names returns the data columns the spec compares, in suite order: its
// columns, then the label's column when it is set.
func (s *Spec) Names() []string {
	if s == nil {
		return nil
	}
	out := make([]string, 0, len(s.Columns)+1)
	for _, c := range s.Columns {
		out = append(out, c.Name)
	}
	if s.Label != nil && s.Label.Column != "" && !slices.Contains(out, s.Label.Column) {
		out = append(out, s.Label.Column)
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
	for _, t := range []*Target{s.Label, s.Prediction} {
		if t != nil {
			n += len(t.Tests)
		}
	}
	return n
}

// The `drift` section of a suite decodes here; the root package reaches
// the decoder through the section registry, so it is not exported API.
func init() {
	section.Register("drift", func(d *yamlx.Decoder, _, n *yaml.Node, path string, env section.Env) any {
		return decode(d, n, path, env.Task == "classification")
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
//	  label: {chi_square: {...}, psi: {...}, new_categories: N}     # the model's target
//	  prediction: {chi_square: {...}, psi: {...}}                   # the model's predicted labels
//	  prediction: {class: C, ks: {...}, psi: {...}, wasserstein: {...}}   # its probability of class C
//
// Every test takes its own severity. ks and chi_square need at least one
// bound; statistics and p-values are fractions, PSI and Wasserstein
// bounds non-negative numbers, new_categories a count. classifier reports
// whether the suite's model is a classifier: its labels are categories
// (label, and prediction without class), its probabilities numbers; a
// regressor's target and predictions are numbers, and take no class.
func decode(d *yamlx.Decoder, n *yaml.Node, path string, classifier bool) *Spec {
	s := &Spec{File: d.File}
	fields, ok := d.Mapping(n, path, specKeys)
	if !ok {
		return s
	}
	sev := d.SeverityIn(fields, "")
	hasColumns := false
	for _, f := range fields {
		switch f.Key {
		case "label", "prediction":
			t := decodeTarget(d, f, sev, classifier)
			if f.Key == "label" {
				s.Label = t
			} else {
				t.Column = PredictionColumn
				s.Prediction = t
			}
			continue
		case "columns":
		default:
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
	if !hasColumns && s.Label == nil && s.Prediction == nil {
		d.Errorf(n, yamlx.Join(path, "columns"), "missing: the columns to compare with the reference (or label, prediction)")
	}
	return s
}

// decodeTarget reads label: or prediction: {TEST: {...}, ..., class: C,
// severity: S}.
func decodeTarget(d *yamlx.Decoder, f yamlx.Field, sev result.Severity, classifier bool) *Target {
	t := &Target{Line: f.KeyN.Line, Col: f.KeyN.Column}
	keys := slices.Clone(columnKeys)
	if f.Key == "prediction" {
		keys = append(keys, "class")
	}
	fields, ok := d.Mapping(f.Value, f.Path, keys)
	if !ok {
		return t
	}
	for _, g := range fields {
		if g.Key == "class" {
			if x := yamlx.Resolve(g.Value); x != nil && x.Kind == yaml.ScalarNode && x.Tag != "!!null" && x.Tag != "!!float" {
				t.Class = x.Value
				if x.Tag == "!!bool" {
					t.Class = strings.ToLower(x.Value)
				}
			} else {
				d.Errorf(g.Value, g.Path, "must be a class label (a string, an integer or a boolean), got %s", yamlx.Describe(g.Value))
			}
			if !classifier {
				d.Errorf(g.KeyN, g.Path, "applies to a classifier (task: classification): the probability of a class")
			}
		}
	}
	rest := slices.DeleteFunc(slices.Clone(fields), func(g yamlx.Field) bool { return g.Key == "class" })
	c := decodeFields(d, f.Value, f.Path, rest, sev)
	t.Tests = c.Tests
	t.Categorical = classifier && t.Class == ""
	var fs yamlx.Findings
	t.validate(f.Path, &fs)
	d.Report(fs)
	return t
}

// validate reports the tests that do not apply to the target's values: a
// classifier's labels are categories, its probabilities and a regressor's
// values numbers.
func (t *Target) validate(path string, fs *yamlx.Findings) {
	for _, x := range t.Tests {
		tp := yamlx.Join(path, string(x.Kind))
		switch {
		case t.Categorical && (x.Kind == KSTest || x.Kind == WassersteinTest):
			fs.AddKey(tp, "compares numbers; a classifier's labels are categories: use chi_square, psi or new_categories")
		case !t.Categorical && x.Kind == NewCategories && t.Class != "":
			fs.AddKey(tp, "compares categories; the probability of class %q is a number: use ks, psi or wasserstein", t.Class)
		}
		x.validate(tp, fs)
	}
}

func decodeColumn(d *yamlx.Decoder, name string, n *yaml.Node, path string, sev result.Severity) Column {
	fields, ok := d.Mapping(n, path, columnKeys)
	if !ok {
		return Column{Name: name}
	}
	c := decodeFields(d, n, path, fields, sev)
	c.Name = name
	return c
}

// decodeFields reads the tests of a column (or of a label or prediction)
// from its fields.
func decodeFields(d *yamlx.Decoder, n *yaml.Node, path string, fields []yamlx.Field, sev result.Severity) Column {
	var c Column
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
	if len(s.Columns) == 0 && s.Label == nil && s.Prediction == nil {
		fs.Add("drift.columns", "names no column: add COLUMN: {ks: {...}, ...}")
	}
	for _, t := range []struct {
		key string
		t   *Target
	}{{"label", s.Label}, {"prediction", s.Prediction}} {
		if t.t == nil {
			continue
		}
		p := yamlx.Join("drift", t.key)
		if len(t.t.Tests) == 0 {
			fs.Add(p, "names no test: add one of chi_square, psi, new_categories (or ks, psi, wasserstein for numbers)")
		}
		if t.t.Column == "" {
			fs.Add(p, "has no column to compare: Target.Column (the model's target for label, PredictionColumn for prediction)")
		}
		t.t.validate(p, &fs)
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
