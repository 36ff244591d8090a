package expect

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/trustml/trustml/result"
)

// Kind names what a check verifies. It is the last element of the check's
// name ("columns.age.range" has Kind Range).
type Kind string

// Table-level kinds.
const (
	RowCount        Kind = "row_count"    // Min/Max bound the number of rows
	ColumnCount     Kind = "column_count" // Min/Max bound the number of columns
	RequiredColumns Kind = "required"     // Columns must all exist
	ExactColumns    Kind = "exact"        // the columns are exactly Columns (in that order when Ordered)
)

// Column-level kinds.
const (
	Type      Kind = "type"       // the column's Arrow type is one of Types
	Missing   Kind = "missing"    // null (and NaN) count within Min/Max, fraction within MinFraction/MaxFraction
	Range     Kind = "range"      // row-wise: Min ≤ v ≤ Max (strict with StrictMin/StrictMax)
	InSet     Kind = "in_set"     // row-wise: v ∈ Set
	NotInSet  Kind = "not_in_set" // row-wise: v ∉ Set
	Regex     Kind = "regex"      // row-wise: Pattern matches v (unanchored, as regexp.MatchString)
	Length    Kind = "length"     // row-wise: Min ≤ len(v) ≤ Max, in characters (runes)
	Unique    Kind = "unique"     // row-wise: v occurs once; every occurrence of a repeated value fails
	Distinct  Kind = "distinct"   // the number of distinct non-null values within Min/Max
	Mean      Kind = "mean"       // statistics of the non-null values within Min/Max
	Median    Kind = "median"     //
	Stddev    Kind = "stddev"     // sample standard deviation (n-1)
	Min       Kind = "min"        //
	Max       Kind = "max"        //
	Sum       Kind = "sum"        //
	Quantiles Kind = "quantiles"  // each Quantiles[i] holds
	Imbalance Kind = "imbalance"  // class shares of a label column: MinFraction, MaxRatio, MinCount

	// DistinctValues: the set of distinct non-null values is a subset of
	// Set (when Set is not nil) and a superset of Contains.
	DistinctValues Kind = "distinct_values"
	// KLDivergence: the Kullback-Leibler divergence of the column's
	// distribution over Partition from Partition's weights is at most Max.
	KLDivergence Kind = "kl_divergence"
	// ChiSquare: Pearson's chi-square goodness-of-fit test of the column's
	// value counts against Partition's weights has a p-value above Alpha.
	ChiSquare Kind = "chisquare"
)

// Suite is a set of data expectations: table checks first, then column
// checks in the order the suite lists them.
type Suite struct {
	Table   []Check
	Columns []Column
}

// Column holds the checks of one column.
type Column struct {
	Name   string
	Checks []Check

	// Line and Col locate the column's key in the suite file (0 when the
	// suite was built in code), for errors about the column.
	Line, Col int
}

// Check is one expectation. Which fields apply depends on Kind; the zero
// value of an optional bound means "no bound".
type Check struct {
	Kind     Kind
	Column   string          // "" for table checks
	Severity result.Severity // "" means SeverityError

	// Bounds: counts for row_count, column_count, missing, distinct,
	// length and imbalance's minimum count; values for range and statistics.
	Min, Max             *float64
	StrictMin, StrictMax bool

	// Missing: bounds on the fraction of rows that are null.
	// Imbalance: MinFraction bounds every class's share of non-null values.
	MinFraction, MaxFraction *float64
	MaxRatio                 *float64 // Imbalance: majority count / minority count
	MinCount                 *int64   // Imbalance: every class has at least this many rows

	// Mostly is the fraction of non-null values that must pass a row-wise
	// check; nil means all of them.
	Mostly *float64

	Set       []Value        // InSet, NotInSet; DistinctValues: the allowed values (nil: any)
	Contains  []Value        // DistinctValues: values that must occur
	Pattern   *regexp.Regexp // Regex
	Quantiles []QuantileBound
	Columns   []string // RequiredColumns, ExactColumns
	Ordered   bool     // ExactColumns: order matters
	Types     []string // Type: accepted type names (see TypeMatches)

	// Interpolation is how Quantiles are read between order statistics:
	// "" or "linear" (the default), "lower", "higher", "nearest" (round
	// half to even, as numpy) or "midpoint".
	Interpolation string

	// Partition is the expected distribution of KLDivergence and ChiSquare.
	Partition *Partition
	// TailHoldout and InternalHoldout soften KLDivergence (and TailHoldout
	// ChiSquare) by giving expected weight to values the partition does not
	// expect; see Partition.
	TailHoldout, InternalHoldout float64
	// Alpha is ChiSquare's significance level: the check fails when the
	// p-value is at most Alpha.
	Alpha *float64
}

// Partition is an expected distribution, in the form of Great
// Expectations' partition objects: either numeric Bins (len(Weights)+1
// increasing edges; the first may be -Inf and the last +Inf) with optional
// TailWeights for the values below the first and above the last edge, or
// categorical Values, one per weight. Weights (with TailWeights) sum to 1.
//
// A numeric value v falls in bin i when Bins[i] ≤ v < Bins[i+1]; the last
// bin also holds v = Bins[len(Bins)-1] (numpy.histogram's rule).
type Partition struct {
	Bins        []float64
	Values      []Value
	Weights     []float64
	TailWeights []float64 // nil, or the weights below and above the bins
}

// Categorical reports whether the partition is over values rather than bins.
func (p *Partition) Categorical() bool { return p.Bins == nil }

// QuantileBound bounds the q-quantile (linear interpolation between the
// order statistics, as numpy's default and R's type 7).
type QuantileBound struct {
	Q        float64
	Min, Max *float64
}

// Name is the check's stable name in results: "table.row_count",
// "table.columns.required", "columns.age.range".
func (c *Check) Name() string {
	switch c.Kind {
	case RequiredColumns, ExactColumns:
		return "table.columns." + string(c.Kind)
	}
	if c.Column == "" {
		return "table." + string(c.Kind)
	}
	return "columns." + c.Column + "." + string(c.Kind)
}

func (c *Check) severity() result.Severity {
	if c.Severity == "" {
		return result.SeverityError
	}
	return c.Severity
}

// Value is a literal from a suite (an element of in_set, for example). It
// keeps the literal text so that it can match a string column, and its
// number or boolean reading so that it can match those columns.
type Value struct {
	Text   string
	Num    float64
	IsNum  bool
	Bool   bool
	IsBool bool
}

// StringValue, NumberValue and BoolValue build Values in code.
func StringValue(s string) Value { return Value{Text: s} }

// NumberValue returns the Value of a number; its Text is the shortest
// decimal form.
func NumberValue(f float64) Value {
	return Value{Text: strconv.FormatFloat(f, 'f', -1, 64), Num: f, IsNum: true}
}

// BoolValue returns the Value of a boolean.
func BoolValue(b bool) Value { return Value{Text: strconv.FormatBool(b), Bool: b, IsBool: true} }

func (v Value) json() any {
	switch {
	case v.IsNum:
		return v.Num
	case v.IsBool:
		return v.Bool
	}
	return v.Text
}

// Validate reports the mistakes of a suite built in code (a suite decoded
// from YAML has been validated with positions already).
func (s *Suite) Validate() error {
	var errs []error
	check := func(c *Check) {
		if err := c.validate(); err != nil {
			errs = append(errs, fmt.Errorf("expect: %s: %w", c.Name(), err))
		}
	}
	for i := range s.Table {
		check(&s.Table[i])
	}
	for _, col := range s.Columns {
		for i := range col.Checks {
			c := &col.Checks[i]
			if c.Column == "" {
				c.Column = col.Name
			}
			check(c)
		}
	}
	return errors.Join(errs...)
}

func (c *Check) validate() error {
	if c.Min != nil && c.Max != nil && *c.Min > *c.Max {
		return fmt.Errorf("min %s is greater than max %s", result.FormatFloat(*c.Min), result.FormatFloat(*c.Max))
	}
	for _, f := range []*float64{c.MinFraction, c.MaxFraction, c.Mostly} {
		if f != nil && (*f < 0 || *f > 1) {
			return fmt.Errorf("fraction %s is outside [0, 1]", result.FormatFloat(*f))
		}
	}
	if c.Kind == Regex && c.Pattern == nil {
		return fmt.Errorf("regex without a pattern")
	}
	for _, q := range c.Quantiles {
		if q.Q < 0 || q.Q > 1 {
			return fmt.Errorf("quantile %s is outside [0, 1]", result.FormatFloat(q.Q))
		}
	}
	if !slices.Contains(interpolations, c.Interpolation) {
		return fmt.Errorf("unknown interpolation %q; use one of %s", c.Interpolation, strings.Join(interpolations[1:], ", "))
	}
	switch c.Kind {
	case KLDivergence, ChiSquare:
		if c.Partition == nil {
			return fmt.Errorf("%s needs a partition", c.Kind)
		}
		return c.validatePartition()
	}
	return nil
}

// interpolations are the values of Check.Interpolation.
var interpolations = []string{"", "linear", "lower", "higher", "nearest", "midpoint"}

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
		return fmt.Errorf("chisquare needs a categorical partition (values and weights); compare a numeric distribution with kl_divergence and bins")
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

// Names lists the columns the suite's column checks read, in suite order,
// each once. Table checks read only the schema.
func (s *Suite) Names() []string {
	out := make([]string, 0, len(s.Columns))
	seen := map[string]bool{}
	for _, c := range s.Columns {
		if !seen[c.Name] {
			seen[c.Name] = true
			out = append(out, c.Name)
		}
	}
	return out
}

// Len returns the number of checks in the suite.
func (s *Suite) Len() int {
	n := len(s.Table)
	for _, c := range s.Columns {
		n += len(c.Checks)
	}
	return n
}
