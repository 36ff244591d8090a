package expect

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"

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

	Set       []Value        // InSet, NotInSet
	Pattern   *regexp.Regexp // Regex
	Quantiles []QuantileBound
	Columns   []string // RequiredColumns, ExactColumns
	Ordered   bool     // ExactColumns: order matters
	Types     []string // Type: accepted type names (see TypeMatches)
}

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
