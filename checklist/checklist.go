package checklist

import (
	"cmp"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/trustml/trustml/bound"
	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/result"
)

// Type is a CheckList test type.
type Type string

// The three test types of CheckList.
const (
	MFT Type = "MFT" // minimum functionality test: listed or templated inputs with expected predictions
	INV Type = "INV" // invariance test: a perturbation must not move the prediction beyond a tolerance
	DIR Type = "DIR" // directional expectation test: a perturbation must move the prediction a given way
)

// Defaults applied to zero fields.
const (
	DefaultN           = 100  // base rows drawn from the data by an INV or DIR test
	DefaultSteps       = 11   // grid points of a sweep
	DefaultBatchSize   = 1024 // rows per Predict call
	DefaultMaxExamples = 10   // failing examples kept per test
)

// Caps on the work one test may ask for. [Test.Validate] and the suite
// decoder reject a test beyond them before any data is read, so that a
// typo (steps: 10000000000) or YAML aliases that multiply a template's
// lists cannot exhaust memory.
const (
	// MaxN bounds N, the base rows drawn from the data.
	MaxN = 100_000
	// MaxSteps bounds a sweep's grid points.
	MaxSteps = 10_000
	// MaxSweepRows bounds the rows a sweep predicts: base rows × steps
	// (with their defaults when zero).
	MaxSweepRows = 1_000_000
	// MaxCases bounds an MFT test's cases: its listed cases plus, for each
	// template, the product of the lengths of its Vary lists.
	MaxCases = 100_000
)

// MaxLevels bounds the distinct values a column may have for a swap: a
// swap suits categories, not continuous columns.
const MaxLevels = 50

// Test is one behavioural test. Build it in Go or read it from a suite
// from a suite; the zero value of every optional field selects a default.
//
// Which fields apply depends on Type:
//
//   - MFT: Cases and Templates (at least one case in all), Expect as the
//     default for cases and templates that carry none.
//   - INV: Perturb, Tolerance, and the base rows (N and Seed, or Rows).
//   - DIR: Perturb with Change, or Sweep with Change.Direction, and the
//     base rows (N and Seed, or Rows).
//
// [Run] reports a field that does not apply to the type as an error.
type Test struct {
	// Name identifies the test; the result check is "checklist.<Name>".
	Name string
	// Type is MFT, INV or DIR.
	Type Type
	// Capability groups tests in a report (Monotonicity, Invariance,
	// Sanity, Fairness, ...); free text, optional.
	Capability string
	// Severity is result.SeverityError (the default when empty) or
	// result.SeverityWarn.
	Severity result.Severity
	// MaxFailureRate is the largest fraction of applicable cases allowed
	// to fail, in [0, 1]; 0 (the default) tolerates no failure.
	MaxFailureRate float64

	// N is the number of base rows drawn from the data (INV, DIR),
	// DefaultN when 0. All complete rows are used when the data has no
	// more than N of them.
	N int
	// Seed, when not nil, replaces Options.Seed for this test.
	Seed *uint64
	// Rows, when not empty, are the base rows (INV, DIR) instead of a
	// sample of the data. Columns a row does not name take the data's
	// median (numeric columns) or mode (other columns).
	Rows []Input

	// Perturb is applied in order to each base row to make its variants
	// (INV, DIR). A step that makes several variants (a swap of each
	// level) multiplies the variants of the steps after it.
	Perturb []Perturbation
	// Tolerance bounds how far an INV perturbation may move a prediction.
	Tolerance Tolerance
	// Change is what a DIR perturbation or sweep must do to a prediction.
	Change Change
	// Sweep, for a DIR test, replaces Perturb by a grid over one column.
	Sweep *Sweep

	// Cases are the listed inputs of an MFT test.
	Cases []Case
	// Templates expand to one MFT case per combination of their values.
	Templates []Template
	// Expect is the default expectation of MFT cases and templates.
	Expect *Bounds

	// Line and Col locate the test in the suite file (0 when built in
	// code), for errors about it.
	Line, Col int
}

// Input gives values to columns by name: float64 (or any Go integer or
// float type) for numeric columns, string for text columns, nil for a
// null. A number given to a text column is written in its shortest form
// (5 becomes "5"); a column of another type (boolean, date, ...) takes the
// value's text as Arrow's AppendValueFromString reads it.
type Input map[string]any

// Case is one listed MFT input and what its prediction must satisfy.
type Case struct {
	// Input names the values of some columns; the others take the data's
	// median (numeric) or mode (other columns).
	Input Input
	// Expect, when nil, is the test's Expect.
	Expect *Bounds
}

// Template expands to one MFT case per combination of Vary's values (the
// cartesian product, the last column varying fastest).
type Template struct {
	// Vary lists the values of each varied column, in order.
	Vary []Values
	// Fixed gives values to other columns; the rest take the data's median
	// (numeric) or mode (other columns).
	Fixed Input
	// Expect, when nil, is the test's Expect.
	Expect *Bounds
}

// Values lists the values a template gives one column.
type Values struct {
	Column string
	Values []any
}

// Bounds is what an MFT prediction ŷ must satisfy: Min ≤ ŷ ≤ Max, the
// shared [bound.Interval] (either end may be nil, not both; strict ends are
// not supported, as a margin of 0 passes), or |ŷ − Value| ≤ Tolerance when
// Value is set. A prediction that is NaN or ±Inf never satisfies it.
//
// For a classifier ([RunClassifier]), ŷ is the probability of Class (of
// the positive class when Class is empty, for a binary classifier only),
// or, when Label is set instead, the predicted label must be Label.
type Bounds struct {
	bound.Interval
	Value     *float64
	Tolerance float64
	// Label is the label a classifier must predict; exclusive with the
	// other fields.
	Label *string
	// Class names the class whose probability the bounds apply to
	// (classifiers only).
	Class string
}

// Scale names what an INV tolerance's relative part multiplies.
type Scale string

// Scales for [Tolerance].
const (
	// ScaleTarget multiplies by the sample standard deviation of the
	// target column (Options.Target) in the data. It is the default.
	ScaleTarget Scale = "target"
	// ScalePrediction multiplies by |ŷ| of the base row: never a division,
	// so a zero or negative prediction gives a tolerance of Abs.
	ScalePrediction Scale = "prediction"
)

// Tolerance bounds |ŷ_variant − ŷ_base| in an INV test by Abs + Rel ×
// scale, the boundary included. The zero value demands that the
// prediction does not move at all.
//
// For a classifier ([RunClassifier]) the zero value demands that the
// predicted label does not change. With Proba set (or Class, or a non-zero
// Abs) it bounds instead how far the probability of Class (of every class
// when Class is empty) moves, by Abs alone: a probability's tolerance is
// absolute (Rel and Scale do not apply). The suite decoder sets Proba when
// a classifier's test gives a tolerance, so that {abs: 0} demands
// unchanged probabilities rather than an unchanged label.
type Tolerance struct {
	Abs, Rel float64
	// Scale is ScaleTarget when empty.
	Scale Scale
	// Proba and Class apply to classifiers only.
	Proba bool
	Class string
}

// Direction is the way a DIR test expects a prediction to move.
type Direction string

// Directions for [Change].
const (
	Increase Direction = "increase" // the prediction must not go down (by more than Slack)
	Decrease Direction = "decrease" // the prediction must not go up (by more than Slack)
)

// Change is what a DIR test expects of Δ = ŷ_variant − ŷ_base (for a
// sweep, of each step between consecutive grid points): either a
// Direction, with Slack allowing a move the wrong way of at most Slack
// (Increase holds when Δ ≥ −Slack), or bounds Min ≤ Δ ≤ Max (either may be
// nil). Direction and bounds are exclusive; a sweep takes a Direction.
// Boundaries are included: Increase alone means "never lowers"; demand a
// strict rise with Min.
//
// For a classifier ([RunClassifier]), ŷ is the probability of Class (of
// the positive class when Class is empty, for a binary classifier only).
type Change struct {
	Direction Direction
	Slack     float64
	// Interval bounds Δ (Min ≤ Δ ≤ Max; strict ends are not supported).
	bound.Interval
	// Class names the class whose probability must move (classifiers only).
	Class string
}

// Sweep makes, for each base row, a grid of Steps rows in which Column
// runs evenly from From to To (integer columns rounded) and every other
// column keeps the base row's value. Each step from one grid point to the
// next is an example of the base row's case.
type Sweep struct {
	Column string
	// From and To default to the column's smallest and largest value in
	// the data.
	From, To *float64
	// Steps is the number of grid points, at least 2; DefaultSteps when 0.
	Steps int
}

// Op names a perturbation.
type Op string

// Perturbations. Each acts on one column of a row; Set, SetNull and Shuffle
// fit columns of any type, Swap numeric and text columns, the others only
// numeric columns.
const (
	OpSet      Op = "set"      // write Value
	OpAdd      Op = "add"      // add Amount
	OpMultiply Op = "multiply" // multiply by Amount
	OpNoise    Op = "noise"    // add Gaussian noise of standard deviation Amount (× the column's standard deviation when Relative)
	OpShuffle  Op = "shuffle"  // take the value of another base row, by a seeded permutation of the base rows
	OpSwap     Op = "swap"     // replace the value by another value of the column in the data: each in turn (Each) or one at random
	OpSetNull  Op = "set_null" // write a null
)

// Perturbation changes one column of a row. A null stays null under add,
// multiply and noise. On an integer column, Value and Amount of add must be
// integers, while the results of multiply and noise are rounded to the
// nearest integer. Use the constructors ([Add], [SwapEach], ...) to build one.
type Perturbation struct {
	Column   string
	Op       Op
	Value    any     // OpSet
	Amount   float64 // OpAdd, OpMultiply, OpNoise
	Relative bool    // OpNoise: Amount is a multiple of the column's standard deviation
	Each     bool    // OpSwap: one variant per other value instead of one at random
}

// Set returns a perturbation that writes v (see [Input] for its type).
func Set(column string, v any) Perturbation { return Perturbation{Column: column, Op: OpSet, Value: v} }

// Add returns a perturbation that adds x.
func Add(column string, x float64) Perturbation {
	return Perturbation{Column: column, Op: OpAdd, Amount: x}
}

// Multiply returns a perturbation that multiplies by x.
func Multiply(column string, x float64) Perturbation {
	return Perturbation{Column: column, Op: OpMultiply, Amount: x}
}

// Noise returns a perturbation that adds seeded Gaussian noise of standard
// deviation sd.
func Noise(column string, sd float64) Perturbation {
	return Perturbation{Column: column, Op: OpNoise, Amount: sd}
}

// RelativeNoise returns a perturbation that adds seeded Gaussian noise of
// standard deviation f × the column's sample standard deviation in the data.
func RelativeNoise(column string, f float64) Perturbation {
	return Perturbation{Column: column, Op: OpNoise, Amount: f, Relative: true}
}

// Shuffle returns a perturbation that gives each base row the column's
// value from another base row, by a seeded permutation. A row that draws
// its own value (or an equal one) is not changed, and not applicable.
func Shuffle(column string) Perturbation { return Perturbation{Column: column, Op: OpShuffle} }

// SwapEach returns a perturbation that makes one variant per value of the
// column in the data other than the base row's.
func SwapEach(column string) Perturbation {
	return Perturbation{Column: column, Op: OpSwap, Each: true}
}

// SwapRandom returns a perturbation that replaces the value by another
// value of the column in the data, chosen at random.
func SwapRandom(column string) Perturbation { return Perturbation{Column: column, Op: OpSwap} }

// SetNull returns a perturbation that writes a null.
func SetNull(column string) Perturbation { return Perturbation{Column: column, Op: OpSetNull} }

// String describes the perturbation, e.g. "Temp add 5".
func (p Perturbation) String() string {
	switch p.Op {
	case OpSet:
		return fmt.Sprintf("%s set %v", p.Column, p.Value)
	case OpAdd, OpMultiply:
		return fmt.Sprintf("%s %s %s", p.Column, p.Op, result.Human(p.Amount))
	case OpNoise:
		if p.Relative {
			return fmt.Sprintf("%s noise %s×stddev", p.Column, result.Human(p.Amount))
		}
		return fmt.Sprintf("%s noise stddev %s", p.Column, result.Human(p.Amount))
	case OpSwap:
		if p.Each {
			return p.Column + " swap each"
		}
		return p.Column + " swap random"
	}
	return fmt.Sprintf("%s %s", p.Column, p.Op)
}

// Options configures [Run]. The zero value works given data whose columns
// are the model's features.
type Options struct {
	// Seed seeds every random choice (the sample of base rows, shuffles,
	// random swaps, noise) of tests without a Seed of their own.
	Seed uint64
	// Target is the target column, read for the ScaleTarget of INV
	// tolerances and otherwise never sent to the model. Optional.
	Target string
	// Features are the columns sent to the model, in order; nil means
	// every column of the data but Target.
	Features []string
	// BatchSize is the number of rows per Predict call, DefaultBatchSize
	// when 0.
	BatchSize int
	// MaxExamples bounds the failing examples kept per test,
	// DefaultMaxExamples when 0.
	MaxExamples int
	// Mem allocates the batches sent to the model; nil uses
	// memory.DefaultAllocator.
	Mem memory.Allocator
	// DataRows, when set, holds the data row (0-based, of the data as
	// read) of each row of the data given to Run, for the data given is a
	// subset of it (rows without nulls, say); results and errors name
	// these. nil means row i of the data given is data row i. Its length
	// must be the data's row count.
	DataRows []int
}

// Details is the evidence of one test, the Details of its result.Check.
type Details struct {
	Type       Type   `json:"type"`
	Capability string `json:"capability,omitempty"`
	// Cases is the number of test cases; Applicable those with at least one
	// applicable example; Failed those with a failing example.
	Cases      int `json:"cases"`
	Applicable int `json:"applicable"`
	Failed     int `json:"failed"`
	// FailureRate is Failed / Applicable, nil when no case applies.
	FailureRate any `json:"failure_rate"`
	// Wilson is the 95% Wilson score interval of the failure rate.
	Wilson         Interval `json:"wilson"`
	MaxFailureRate float64  `json:"max_failure_rate"`
	// Calls is the number of Predict calls; Rows the rows predicted.
	Calls int    `json:"calls"`
	Rows  int    `json:"rows"`
	Seed  uint64 `json:"seed"`
	// Examples are the worst failing examples, one per failed case, by
	// margin (most negative first), at most Options.MaxExamples.
	Examples []Example `json:"examples,omitempty"`
}

// Interval is a confidence interval for a proportion.
type Interval struct {
	Low   float64 `json:"low"`
	High  float64 `json:"high"`
	Level float64 `json:"level"`
}

// Example is one failing example: the row compared from (the base row, a
// sweep's grid point, or an MFT input) and, for INV and DIR, the variant.
type Example struct {
	// Case is the 0-based index of the case in the test.
	Case int `json:"case"`
	// Base names the case for people: "base row 17", "listed row 0",
	// "case 2", "template 0 (Region N, Size 50)".
	Base string `json:"base"`
	// Row is the 0-based data row of the base (counted across batches,
	// mapped by Options.DataRows), nil when the base was not drawn from
	// the data.
	Row *int `json:"row,omitempty"`
	// Input is the row compared from, every feature included.
	Input map[string]any `json:"input"`
	// Variant holds the columns the variant changed, with their new values.
	Variant map[string]any `json:"variant,omitempty"`
	// Prediction is ŷ of Input; VariantPrediction ŷ of the variant. For a
	// classifier they are what the test judges: the predicted labels, or
	// the probabilities of its class.
	Prediction        any `json:"prediction"`
	VariantPrediction any `json:"variant_prediction,omitempty"`
	// Margin is how far the example is inside its expectation (negative
	// when it fails; nil when a prediction is not a finite number).
	Margin any `json:"margin"`
	// Text says the same in one line.
	Text string `json:"text"`
}

// mftCases returns the number of cases an MFT test expands to, saturating
// just above MaxCases so that a product of many lists cannot overflow.
func mftCases(cases int, templates []Template) int {
	n := cases
	for _, tm := range templates {
		n += templateCases(tm)
		if n > MaxCases {
			return MaxCases + 1
		}
	}
	return n
}

// templateCases returns the product of the lengths of tm's Vary lists,
// saturating just above MaxCases.
func templateCases(tm Template) int {
	if len(tm.Vary) == 0 {
		return 0
	}
	n := 1
	for _, v := range tm.Vary {
		n *= len(v.Values)
		if n > MaxCases {
			return MaxCases + 1
		}
	}
	return n
}

// nProblem says what is wrong with a test's n, or "".
func nProblem(n int64) string {
	return yamlx.Between(n, 1, MaxN)
}

// stepsProblem says what is wrong with a sweep's steps, or "".
func stepsProblem(steps int64) string {
	return yamlx.Between(steps, 2, MaxSteps)
}

// sweepRowsProblem says whether a sweep over n base rows (DefaultN when
// 0) of steps points (DefaultSteps when 0) predicts too many rows.
func sweepRowsProblem(n, steps int) string {
	n, steps = cmp.Or(n, DefaultN), cmp.Or(steps, DefaultSteps)
	if n*steps > MaxSweepRows {
		return fmt.Sprintf("n × sweep.steps = %d × %d = %d rows to predict, more than the cap of %d; lower n or steps", n, steps, n*steps, MaxSweepRows)
	}
	return ""
}

// casesProblem says whether an MFT test expands to too many cases.
func casesProblem(n int) string {
	if n > MaxCases {
		return fmt.Sprintf("expands to more than %d cases (listed cases plus the product of each template's vary lists); split the test or shorten the lists", MaxCases)
	}
	return ""
}
