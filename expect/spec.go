package expect

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"time"

	"github.com/trustml/trustml/bound"
	"github.com/trustml/trustml/internal/yamlx"
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
	// Suites may spell it chisquare too.
	ChiSquare Kind = "chi_square"
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

// Check is one expectation. Which fields apply depends on Kind (each
// kind's constant says which it reads; Validate rejects what a kind
// cannot use); the zero value of an optional bound means "no bound".
//
// Build checks in code with the Kind and the fields it reads, then call
// Suite.Validate (Evaluate does): the same rules apply as to a suite file.
type Check struct {
	Kind     Kind
	Column   string          // "" for table checks
	Severity result.Severity // "" means SeverityError

	// Interval bounds counts for row_count, column_count, missing,
	// distinct and length, and values for range and statistics. On
	// integer columns, range compares values with the bounds exactly
	// (a float64 bound as the number it is).
	bound.Interval

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

	// Patterns are the regular expressions of regex and not_regex lists,
	// LikePatterns the patterns of like and not_like; MatchAll says a
	// value must match all of them rather than any.
	Patterns     []*regexp.Regexp
	LikePatterns []string
	MatchAll     bool
	// Strftime is a date check's strftime format; DateLayouts its Go
	// layouts (neither: CommonDateLayouts).
	Strftime    string
	DateLayouts []string
	// JSONSchema is a json check's schema, a decoded JSON document
	// (maps, slices, strings, numbers, booleans); nil checks only that
	// values parse.
	JSONSchema any
	// Distribution names KSTest's distribution (normal, uniform,
	// exponential, gamma, beta, chi_squared, lognormal, student_t,
	// laplace, weibull); Params its parameters by name (absent ones take
	// their defaults, see the README).
	Distribution string
	Params       map[string]float64
	// With is the other column of Compare, PairInSet and CramersV;
	// WithColumns the other columns of RowSum. Op is Compare's operator
	// (=, !=, <, <=, >, >=); Pairs PairInSet's allowed pairs.
	// IgnoreMissing says which rows a row-wise pair check leaves out:
	// IgnoreEither ("" too) or IgnoreBoth.
	With          string
	WithColumns   []string
	Op            string
	Pairs         [][2]Value
	IgnoreMissing string
	// BootstrapSamples and BootstrapSize are BootstrapKS's number of
	// samples and values per sample (0: the defaults); Seed seeds its
	// draws.
	BootstrapSamples, BootstrapSize int
	Seed                            uint64
	// TimeMin and TimeMax are the date and time bounds of Range, Min and
	// Max on date and timestamp columns (then Interval is zero; each
	// bound says whether it is strict). MaxAge is Freshness's bound.
	TimeMin, TimeMax *TimeBound
	MaxAge           time.Duration
	// TiesOK lets MostCommon pass when a value outside Set ties with one
	// in it. Direction ("increasing" or "decreasing"), Strict and OrderBy
	// (a column; "" is data order) are Monotonic's.
	TiesOK    bool
	Direction string
	Strict    bool
	OrderBy   string

	// exactMin and exactMax hold integer bounds from a suite file that
	// float64 cannot hold (beyond ±2^53), for exact comparison on integer
	// columns; Interval holds their nearest float64.
	exactMin, exactMax *big.Int
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
	Q float64
	bound.Interval
}

// Name is the check's stable name in results: "table.row_count",
// "table.columns.required", "columns.age.range".
func (c *Check) Name() string {
	if columnsGroup[c.Kind] {
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
// number or boolean reading so that it can match those columns. An
// integer beyond ±2^53 (which float64 cannot hold) also keeps its exact
// value, so that it matches integer columns exactly; build one with
// IntValue or UintValue.
type Value struct {
	Text   string
	Num    float64
	IsNum  bool
	Bool   bool
	IsBool bool

	// exact: an integer beyond ±2^53 held as sign and magnitude, or
	// beyond ±2^64 (huge: it equals no integer column's value).
	exact, neg, huge bool
	mag              uint64
}

// StringValue, NumberValue and BoolValue build Values in code.
func StringValue(s string) Value { return Value{Text: s} }

// NumberValue returns the Value of a number; its Text is the shortest
// decimal form.
func NumberValue(f float64) Value {
	return Value{Text: strconv.FormatFloat(f, 'f', -1, 64), Num: f, IsNum: true}
}

// IntValue returns the Value of an integer, exact whatever its size.
func IntValue(i int64) Value { return exactValue(big.NewInt(i)) }

// UintValue returns the Value of an unsigned integer, exact whatever its
// size.
func UintValue(u uint64) Value { return exactValue(new(big.Int).SetUint64(u)) }

// exactValue returns the Value of an integer; one beyond ±2^53 keeps its
// exact value beside its nearest float64.
func exactValue(i *big.Int) Value {
	f, _ := new(big.Float).SetInt(i).Float64()
	v := Value{Text: i.String(), Num: f, IsNum: true}
	abs := new(big.Int).Abs(i)
	switch {
	case abs.Cmp(big.NewInt(1<<53)) <= 0:
	case abs.IsUint64():
		v.exact, v.neg, v.mag = true, i.Sign() < 0, abs.Uint64()
	default:
		v.huge = true
	}
	return v
}

// BoolValue returns the Value of a boolean.
func BoolValue(b bool) Value { return Value{Text: strconv.FormatBool(b), Bool: b, IsBool: true} }

func (v Value) json() any {
	switch {
	case v.exact && v.neg && v.mag <= 1<<63:
		return -int64(v.mag) // -2^63 wraps to itself, MinInt64
	case v.exact:
		return v.mag
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

// validate states the rules shared by every kind, then the kind's own.
func (c *Check) validate() error {
	def := registry[c.Kind]
	if def == nil {
		msg := fmt.Sprintf("unknown check kind %q", c.Kind)
		if h := yamlx.Suggest(string(c.Kind), kindNames()); h != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", h)
		}
		return errors.New(msg)
	}
	if err := c.Interval.Validate(); err != nil {
		return err
	}
	for _, f := range []*float64{c.MinFraction, c.MaxFraction, c.Mostly} {
		if f != nil && (*f < 0 || *f > 1 || math.IsNaN(*f)) {
			return fmt.Errorf("fraction %s is outside [0, 1]", result.FormatFloat(*f))
		}
	}
	if c.MinFraction != nil && c.MaxFraction != nil && *c.MinFraction > *c.MaxFraction {
		return fmt.Errorf("min_fraction %s > max_fraction %s: no value can pass", result.FormatFloat(*c.MinFraction), result.FormatFloat(*c.MaxFraction))
	}
	if c.Mostly != nil && !def.rowWise {
		return fmt.Errorf("mostly applies to row-wise checks, not to %s", c.Kind)
	}
	if def.validate != nil {
		return def.validate(c)
	}
	return nil
}

func kindNames() []string {
	var out []string
	for _, k := range Kinds() {
		out = append(out, string(k))
	}
	return out
}

// Names lists the columns the suite's column checks read, each once: the
// suite's columns in suite order, then the other columns their checks
// read (compare's, pair_in_set's and cramers_v's With, row_sum's
// WithColumns, monotonic's OrderBy). Table checks read only the schema.
func (s *Suite) Names() []string {
	out := make([]string, 0, len(s.Columns))
	seen := map[string]bool{}
	add := func(name string) {
		if name != "" && !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	for _, c := range s.Columns {
		add(c.Name)
	}
	// Then the other columns that pair, sum and order checks read.
	for _, c := range s.Columns {
		for _, k := range c.Checks {
			add(k.With)
			for _, w := range k.WithColumns {
				add(w)
			}
			add(k.OrderBy)
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
