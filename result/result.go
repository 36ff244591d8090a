// Package result defines the outcome of one check, shared by every section
// of a trust run (data expectations, model objectives, behavioural tests and
// slices), and the counts that summarise a run.
//
// A failed check is data, not an error: Status says whether the check held.
// Status Error means the check could not be evaluated at all.
//
// In JSON, a number that is not finite is written as null (NaN: undefined)
// or as the string "+Inf" or "-Inf" (see Number; report.WriteJSON applies
// the same rule to every float of a result). What a check holds of the
// data is bounded (see Check.Bound): sampled strings are cut to
// MaxValueRunes runes, with their full length in Failure.ValueBytes.
package result

import (
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
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
	// ValueBytes is set when Value, a string, was cut to MaxValueRunes
	// runes (and "…" appended) by Check.Bound: the full value's length in
	// bytes. Zero otherwise.
	ValueBytes int `json:"value_bytes,omitempty"`
}

// Bounds on what a result holds of the data, so that its size is bounded
// whatever the data: a sampled string value keeps at most MaxValueRunes
// runes, and a check's message and texts at most MaxTextRunes.
const (
	MaxValueRunes = 200
	MaxTextRunes  = 2000
)

// textNoteRoom is the most runes the note " (N bytes in all)" and "…" take.
const textNoteRoom = 40

// Cut returns s cut to at most n runes, on a rune boundary, with "…"
// appended when it was cut, and whether it was.
func Cut(s string, n int) (string, bool) {
	if len(s) <= n { // at most n bytes, so at most n runes
		return s, false
	}
	i, runes := 0, 0
	for i < len(s) && runes < n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		runes++
	}
	if i == len(s) {
		return s, false
	}
	return s[:i] + "…", true
}

// ShowValue formats a sampled value for a message: a string quoted and,
// beyond MaxValueRunes runes, cut with its full length stated
// ("\"abc…\" (2000000 bytes)"); a float64 by FormatFloat; a Tuple as
// (a=1, b="x"); anything else by fmt.Sprint.
func ShowValue(v any) string {
	switch x := v.(type) {
	case string:
		if cut, ok := Cut(x, MaxValueRunes); ok {
			return fmt.Sprintf("%q (%d bytes)", cut, len(x))
		}
		return fmt.Sprintf("%q", x)
	case float64:
		return FormatFloat(x)
	case Tuple:
		return x.String()
	}
	return fmt.Sprint(v)
}

// Bound cuts what c holds of the data: each sampled string value to
// MaxValueRunes runes (recording its full length in ValueBytes), and
// Message, ObservedText and ExpectedText to MaxTextRunes runes (stating
// their full length; a text at most 40 runes longer than the bound is
// kept whole, which makes Bound idempotent). Producers of checks need not call it; a run does,
// once, for every check.
func (c *Check) Bound() {
	for i := range c.Sample {
		f := &c.Sample[i]
		if s, ok := f.Value.(string); ok && f.ValueBytes == 0 {
			if cut, ok := Cut(s, MaxValueRunes); ok {
				f.Value, f.ValueBytes = cut, len(s)
			}
		}
	}
	for _, t := range []*string{&c.Message, &c.ObservedText, &c.ExpectedText} {
		// The room for the note keeps Bound idempotent.
		if utf8.RuneCountInString(*t) > MaxTextRunes+textNoteRoom {
			cut, _ := Cut(*t, MaxTextRunes)
			*t = fmt.Sprintf("%s (%d bytes in all)", cut, len(*t))
		}
	}
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

	// Where is the filter of the rows the check saw (a where: expression,
	// or several joined with AND), and WhereRows how many rows it kept;
	// counts, fractions and mostly are over those rows. Empty and nil for
	// a check of every row.
	Where     string `json:"where,omitempty"`
	WhereRows *int64 `json:"where_rows,omitempty"`

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
