package model

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/trustml/trustml/internal/arrowx"
)

// Tasks a model section declares with `task:`.
const (
	TaskRegression     = "regression"     // the default: a Regressor predicting a number
	TaskClassification = "classification" // a Classifier predicting a class
)

// ProbaTolerance is how far a row's class probabilities may sum from 1.
const ProbaTolerance = 1e-6

// ClassOutput is what a [Classifier] returns for a batch of n rows: labels,
// probabilities, or both.
type ClassOutput struct {
	// Labels holds one predicted label per row, or is nil when the model
	// gives probabilities only.
	Labels []string
	// Proba holds, per row, one probability per class in the order of the
	// classes the classifier was opened with, or is nil when the model
	// gives labels only.
	Proba [][]float64
}

// Classifier is a model that predicts a class for each row of a record
// batch. The contract on batch is [Regressor]'s: exactly one output per
// row, in row order; the batch holds at least the features, is only read
// and is not retained.
//
// The classes (their labels and order) are fixed when the classifier is
// made; probabilities follow that order. [ClassifyAll] checks what a
// classifier returns.
type Classifier interface {
	Classify(ctx context.Context, batch arrow.RecordBatch) (ClassOutput, error)
}

// ClassifyAll calls c.Classify on each batch in order and concatenates the
// outputs, checking them against classes: every batch returns the same
// kinds of output (labels, probabilities) with one entry per row; a label
// must be one of classes; a row of probabilities must have len(classes)
// entries, each finite and in [0, 1], summing to 1 within
// [ProbaTolerance]. A violation is a [*RowsError] naming every offending
// row (counted across the batches), ready for [AtDataRows].
func ClassifyAll(ctx context.Context, c Classifier, batches []arrow.RecordBatch, classes []string) (ClassOutput, error) {
	var out ClassOutput
	total := 0
	for _, b := range batches {
		total += int(b.NumRows())
	}
	offset := 0
	for b, batch := range batches {
		if err := ctx.Err(); err != nil {
			return ClassOutput{}, err
		}
		o, err := c.Classify(ctx, batch)
		if err != nil {
			if re, ok := err.(*RowError); ok && len(batches) > 1 {
				re.First, re.Last, re.N = re.First+offset, re.Last+offset, total
			}
			if ee, ok := err.(*EndpointError); ok && len(batches) > 1 {
				ee.FirstRow, ee.LastRow = ee.FirstRow+offset, ee.LastRow+offset
			}
			return ClassOutput{}, err
		}
		n := int(batch.NumRows())
		if o.Labels == nil && o.Proba == nil {
			return ClassOutput{}, fmt.Errorf("model: batch %d: the classifier returned neither labels nor probabilities", b)
		}
		if b > 0 && ((o.Labels == nil) != (out.Labels == nil) || (o.Proba == nil) != (out.Proba == nil)) {
			return ClassOutput{}, fmt.Errorf("model: batch %d: the classifier changed what it returns (labels, probabilities) between batches", b)
		}
		if o.Labels != nil && len(o.Labels) != n {
			return ClassOutput{}, fmt.Errorf("model: batch %d: got %d labels for %d rows", b, len(o.Labels), n)
		}
		if o.Proba != nil && len(o.Proba) != n {
			return ClassOutput{}, fmt.Errorf("model: batch %d: got %d probability rows for %d rows", b, len(o.Proba), n)
		}
		out.Labels = appendNonNil(out.Labels, o.Labels)
		out.Proba = appendNonNil(out.Proba, o.Proba)
		offset += n
	}
	if err := CheckOutput(out, classes, sourceOfClassifier(c)); err != nil {
		return ClassOutput{}, err
	}
	return out, nil
}

func appendNonNil[T any](dst, src []T) []T {
	if src == nil {
		return dst
	}
	if dst == nil {
		dst = []T{}
	}
	return append(dst, src...)
}

// CheckOutput checks labels and probabilities against classes as
// [ClassifyAll] does; source names the model in the error.
func CheckOutput(o ClassOutput, classes []string, source string) error {
	var bad []int
	var first string
	note := func(i int, format string, args ...any) {
		if len(bad) == 0 {
			first = fmt.Sprintf(format, args...)
		}
		bad = append(bad, i)
	}
	for i, l := range o.Labels {
		if !slices.Contains(classes, l) {
			note(i, "label %q is not a class (classes: %s)", l, quoteAll(classes, ", "))
		}
	}
	if len(bad) > 0 {
		return &RowsError{Source: source, Rows: bad, N: len(o.Labels), Err: fmt.Errorf("%s", first)}
	}
	k := len(classes)
	for i, p := range o.Proba {
		if len(p) != k {
			note(i, "%d probabilities for %d classes (%s)", len(p), k, quoteAll(classes, ", "))
			continue
		}
		sum := 0.0
		ok := true
		for j, v := range p {
			if !(v >= 0 && v <= 1) {
				note(i, "probability of class %q is %v, outside [0, 1]", classes[j], v)
				ok = false
				break
			}
			sum += v
		}
		if ok && math.Abs(sum-1) > ProbaTolerance {
			note(i, "probabilities sum to %v, not 1 (within %g)", sum, ProbaTolerance)
		}
	}
	if len(bad) > 0 {
		return &RowsError{Source: source, Rows: bad, N: len(o.Proba), Err: fmt.Errorf("%s", first)}
	}
	return nil
}

func sourceOfClassifier(c Classifier) string {
	if s, ok := c.(fmt.Stringer); ok {
		return s.String()
	}
	return "classify"
}

// RowsError is an error about scattered rows of a model's output, such as
// invalid probabilities: every offending row is listed.
type RowsError struct {
	// Source names the model.
	Source string
	// Rows are the offending rows, ascending: 0-based positions among the
	// N rows classified, or data rows after [AtDataRows].
	Rows []int
	N    int
	// Err describes the first offending row.
	Err error
	// mapped reports whether AtDataRows replaced Rows by data rows.
	mapped bool
}

// Error formats the error as "model: SOURCE: ROWS: ERR", ROWS naming the
// first five rows and the count.
func (e *RowsError) Error() string {
	rows := dataRowsText(e.Rows)
	if !e.mapped {
		rows = fmt.Sprintf("%s of %d", rows[len("data "):], e.N)
	}
	return fmt.Sprintf("model: %s: %s: %v", e.Source, rows, e.Err)
}

// Unwrap returns Err.
func (e *RowsError) Unwrap() error { return e.Err }

func (e *RowsError) setDataRows(rows []int) bool {
	if e.mapped {
		return false
	}
	mapped := make([]int, len(e.Rows))
	for k, r := range e.Rows {
		if r < 0 || r >= len(rows) {
			return false
		}
		mapped[k] = rows[r]
	}
	e.Rows, e.mapped = mapped, true
	return true
}

// Labels returns the values of the column called name across batches as
// class labels, with a validity flag per row (false for a null). String
// columns give their values; boolean columns "true" and "false"; integer
// columns their decimal digits. Other types are an error: a floating-point
// target is a regression target.
func Labels(batches []arrow.RecordBatch, name string) ([]string, []bool, error) {
	var out []string
	var valid []bool
	for b, batch := range batches {
		col, err := arrowx.Column(batch, name)
		if err != nil {
			return nil, nil, fmt.Errorf("model: batch %d: %w", b, err)
		}
		at, ok := labelAt(col)
		if !ok {
			return nil, nil, fmt.Errorf("model: column %q: type %s cannot hold class labels (want a string, boolean or integer column)", name, col.DataType())
		}
		for i := range col.Len() {
			s, v := at(i)
			out = append(out, s)
			valid = append(valid, v)
		}
	}
	return out, valid, nil
}

func labelAt(col arrow.Array) (func(i int) (string, bool), bool) {
	if at, ok := arrowx.StringAt(col); ok {
		return at, true
	}
	if c, ok := col.(*array.Boolean); ok {
		return func(i int) (string, bool) {
			if c.IsNull(i) {
				return "", false
			}
			return strconv.FormatBool(c.Value(i)), true
		}, true
	}
	if arrow.IsInteger(col.DataType().ID()) {
		at, _ := arrowx.NumericAt(col)
		return func(i int) (string, bool) {
			v, ok := at(i)
			if !ok {
				return "", false
			}
			if arrow.IsUnsignedInteger(col.DataType().ID()) {
				return strconv.FormatUint(uint64(v), 10), true
			}
			return strconv.FormatInt(int64(v), 10), true
		}, true
	}
	return nil, false
}

// SortClasses sorts labels and removes duplicates: numerically when every
// label is an integer, else in byte order ("false" before "true"). It is
// the class order of a model section, as scikit-learn's classes_.
func SortClasses(labels []string) []string {
	out := slices.Clone(labels)
	numeric := len(out) > 0
	for _, l := range out {
		if _, err := strconv.ParseInt(l, 10, 64); err != nil {
			numeric = false
			break
		}
	}
	if numeric {
		slices.SortFunc(out, func(a, b string) int {
			x, _ := strconv.ParseInt(a, 10, 64)
			y, _ := strconv.ParseInt(b, 10, 64)
			return cmp.Compare(x, y)
		})
	} else {
		slices.Sort(out)
	}
	return slices.Compact(out)
}

// PredictionsClasses returns a [Classifier] reading what a model already
// wrote into the data: a label column (label, "" for none) and/or
// probability columns. proba holds one column per class, in the order of
// classes; for a binary model it may instead hold a single column, the
// probability of classes[positive] (the other class gets 1 − p). A null,
// NaN or ±Inf probability, or a null label, is an error naming the rows.
func PredictionsClasses(label string, proba []string, classes []string, positive int) Classifier {
	return predictionsClasses{label: label, proba: proba, classes: classes, positive: positive}
}

type predictionsClasses struct {
	label    string
	proba    []string
	classes  []string
	positive int
}

func (p predictionsClasses) String() string {
	if p.label != "" && len(p.proba) == 0 {
		return fmt.Sprintf("predictions column %q", p.label)
	}
	if p.label == "" {
		return fmt.Sprintf("probability columns %s", quoteAll(p.proba, ", "))
	}
	return fmt.Sprintf("predictions column %q, probability columns %s", p.label, quoteAll(p.proba, ", "))
}

func (p predictionsClasses) Classify(ctx context.Context, batch arrow.RecordBatch) (ClassOutput, error) {
	if err := ctx.Err(); err != nil {
		return ClassOutput{}, err
	}
	n := int(batch.NumRows())
	var o ClassOutput
	if p.label != "" {
		labels, valid, err := Labels([]arrow.RecordBatch{batch}, p.label)
		if err != nil {
			return ClassOutput{}, fmt.Errorf("model: predictions: %w", err)
		}
		if i := slices.Index(valid, false); i >= 0 {
			return ClassOutput{}, rowErrorf(p.String(), i, n, "null label")
		}
		o.Labels = labels
	}
	if len(p.proba) == 0 {
		return o, nil
	}
	cols := make([][]float64, len(p.proba))
	for j, name := range p.proba {
		col, err := arrowx.Column(batch, name)
		if err != nil {
			return ClassOutput{}, fmt.Errorf("model: predictions: %w", err)
		}
		at, ok := arrowx.NumericAt(col)
		if !ok {
			return ClassOutput{}, fmt.Errorf("model: predictions: column %q: type %s is not numeric", name, col.DataType())
		}
		cols[j] = make([]float64, n)
		for i := range n {
			v, valid := at(i)
			if !valid || !finite(v) {
				what := "null"
				if valid {
					what = fmt.Sprint(v)
				}
				return ClassOutput{}, rowErrorf(fmt.Sprintf("predictions: column %q", name), i, n, "probability is %s", what)
			}
			cols[j][i] = v
		}
	}
	o.Proba = make([][]float64, n)
	for i := range n {
		row := make([]float64, len(p.classes))
		if len(cols) == 1 && len(p.classes) == 2 {
			row[p.positive] = cols[0][i]
			row[1-p.positive] = 1 - cols[0][i]
		} else {
			for j := range cols {
				row[j] = cols[j][i]
			}
		}
		o.Proba[i] = row
	}
	return o, nil
}

// classOutputOf reads predictions decoded from JSON (numbers as
// json.Number): each a label (a string, an integer or a boolean) or a list
// of probabilities (numbers), all of one form. On error it returns the
// offending position.
func classOutputOf(vals []any) (ClassOutput, int, error) {
	var o ClassOutput
	if len(vals) == 0 {
		return ClassOutput{Labels: []string{}}, 0, nil
	}
	_, lists := vals[0].([]any)
	if lists {
		o.Proba = make([][]float64, len(vals))
	} else {
		o.Labels = make([]string, len(vals))
	}
	for i, v := range vals {
		if l, ok := v.([]any); ok != lists {
			return ClassOutput{}, i, fmt.Errorf("prediction %s: every prediction must be a label or every one a list of probabilities", short(v))
		} else if ok {
			row := make([]float64, len(l))
			for j, x := range l {
				num, isNum := x.(json.Number)
				f, err := strconv.ParseFloat(string(num), 64)
				if !isNum || err != nil {
					return ClassOutput{}, i, fmt.Errorf("probability %d is %s, not a number", j, short(x))
				}
				row[j] = f
			}
			o.Proba[i] = row
			continue
		}
		switch v := v.(type) {
		case string:
			o.Labels[i] = v
		case bool:
			o.Labels[i] = strconv.FormatBool(v)
		case json.Number:
			if _, err := strconv.ParseInt(string(v), 10, 64); err != nil {
				return ClassOutput{}, i, fmt.Errorf("label %s is not an integer", v)
			}
			o.Labels[i] = string(v)
		default:
			return ClassOutput{}, i, fmt.Errorf("prediction %s is neither a label nor a list of probabilities", short(v))
		}
	}
	return o, 0, nil
}

func short(v any) string {
	b, _ := json.Marshal(v)
	return truncate(string(b), 80)
}
