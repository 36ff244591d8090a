// Package result defines the outcome of one check, shared by every section
// of a trust run (data expectations, model objectives, behavioural tests and
// slices), and the counts that summarise a run.
//
// A failed check is data, not an error: Status says whether the check held.
// Status Error means the check could not be evaluated at all.
package result

import (
	"fmt"
	"math"
	"strconv"
)

// Section names the part of a suite a check belongs to.
type Section string

// The sections of a suite, in run order.
const (
	Expectations Section = "expectations"
	Model        Section = "model"
	Checklist    Section = "checklist"
	Slices       Section = "slices"
	Drift        Section = "drift"
)

// Status is the outcome of a check.
type Status string

// Statuses. Warn is a failed check whose severity is warn.
const (
	Pass  Status = "pass"
	Fail  Status = "fail"
	Warn  Status = "warn"
	Error Status = "error"
)

// Severity says whether a failed check fails the run (SeverityError) or is
// only reported (SeverityWarn).
type Severity string

// Severities.
const (
	SeverityError Severity = "error"
	SeverityWarn  Severity = "warn"
)

// StatusOf returns Pass when passed, else Warn or Fail according to sev.
func StatusOf(passed bool, sev Severity) Status {
	switch {
	case passed:
		return Pass
	case sev == SeverityWarn:
		return Warn
	default:
		return Fail
	}
}

// Failure is one failing value and its row: the 0-based index of the row in
// the data as read (header excluded). When the data is a set of files, File
// names the file (relative to the set's root) and Row counts within it.
type Failure struct {
	File  string `json:"file,omitempty"`
	Row   int64  `json:"row"`
	Value any    `json:"value"`
}

// Where returns the failure's row as "row 17", or "orders.csv:row 17" when
// it names a file.
func (f Failure) Where() string {
	if f.File != "" {
		return fmt.Sprintf("%s:row %d", f.File, f.Row)
	}
	return fmt.Sprintf("row %d", f.Row)
}

// Check is the outcome of one check.
type Check struct {
	Section  Section  `json:"section"`
	Name     string   `json:"name"` // stable and human-readable, e.g. "columns.age.range"
	Kind     string   `json:"kind"` // e.g. "range", "mean", "row_count"
	Column   string   `json:"column,omitempty"`
	Status   Status   `json:"status"`
	Severity Severity `json:"severity"`

	// Observed and Expected are machine-readable (numbers, lists, objects);
	// the *Text fields say the same thing briefly for people.
	Observed     any    `json:"observed"`
	ObservedText string `json:"observed_text"`
	Expected     any    `json:"expected"`
	ExpectedText string `json:"expected_text"`

	// Row-wise checks: values evaluated (non-null), nulls skipped, values
	// that failed, their fraction of those evaluated, the tolerance, and the
	// first failing values by row.
	ElementCount       *int64    `json:"element_count,omitempty"`
	NullCount          *int64    `json:"null_count,omitempty"`
	UnexpectedCount    *int64    `json:"unexpected_count,omitempty"`
	UnexpectedFraction *float64  `json:"unexpected_fraction,omitempty"`
	Mostly             *float64  `json:"mostly,omitempty"`
	Sample             []Failure `json:"sample,omitempty"`

	// Message is a one-line human summary: what was expected and what was
	// found. For Status Error it says why the check could not be evaluated.
	Message string `json:"message"`

	// Details holds section-specific evidence (behavioural test cases,
	// per-slice intervals, fitted coefficients).
	Details any `json:"details,omitempty"`
}

// Failed reports whether the check did not pass (Fail, Warn or Error).
func (c *Check) Failed() bool { return c.Status != Pass }

// Summary counts checks by status.
type Summary struct {
	Total int `json:"total"`
	Pass  int `json:"pass"`
	Fail  int `json:"fail"`
	Warn  int `json:"warn"`
	Error int `json:"error"`
}

// Summarize counts checks by status.
func Summarize(checks []Check) Summary {
	var s Summary
	for _, c := range checks {
		s.Total++
		switch c.Status {
		case Pass:
			s.Pass++
		case Fail:
			s.Fail++
		case Warn:
			s.Warn++
		case Error:
			s.Error++
		}
	}
	return s
}

// Passed reports whether no check failed or errored (warnings pass).
func (s Summary) Passed() bool { return s.Fail == 0 && s.Error == 0 }

// Number makes a float safe for JSON: NaN becomes nil and ±Inf the strings
// "+Inf" and "-Inf"; finite values are returned as float64.
func Number(v float64) any {
	switch {
	case math.IsNaN(v):
		return nil
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return v
}

// FormatFloat formats v briefly for people: the shortest representation
// that round-trips, in exponent form only for very large or small values.
func FormatFloat(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	if a := math.Abs(v); a != 0 && (a >= 1e15 || a < 1e-5) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// Human formats v for a message: at most six significant digits.
func Human(v float64) string {
	switch {
	case math.IsNaN(v), math.IsInf(v, 0):
		return FormatFloat(v)
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

// Ptr returns a pointer to v, for the optional fields of Check.
func Ptr[T any](v T) *T { return &v }
