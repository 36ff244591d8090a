package model

import (
	"fmt"
	"slices"
	"strings"

	"github.com/trustml/trustml/bound"
	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/result"
)

// Spec is a suite's `model` section: which model, on which rows, and the
// objectives it must meet. Build one in Go or let a suite file declare it;
// either way [Spec.Validate] is the one check of its rules.
type Spec struct {
	// Task is TaskRegression (the default when empty) or
	// TaskClassification.
	Task     string
	Target   string
	Features []string
	// Positive is a binary classifier's positive class; empty means the
	// second class in class order (as scikit-learn's pos_label for 0/1).
	Positive string
	// Threshold is a binary classifier's decision threshold; the zero
	// value keeps the labels a model gives, else uses DefaultThreshold.
	Threshold Threshold
	// ECEBins is the number of bins of the expected calibration error,
	// between 1 and MaxECEBins; 0 means DefaultECEBins.
	ECEBins int
	// Source is where predictions come from.
	Source Source
	// Split chooses the rows a fitted model trains on and every model is
	// evaluated on. The zero value evaluates on every row.
	Split Split
	// Objectives bound metrics of the model, in suite order.
	Objectives []Objective
	// CompareTo, when set, is a second model (the champion) evaluated on
	// the same rows, which this one (the challenger) is compared with.
	CompareTo *Compare
	// Balance, when set, bounds a classifier's class imbalance in each
	// split (the check model.class_balance).
	Balance *Balance
	// Line and Col locate the `model` key in a suite (0 when built in Go).
	Line, Col int
}

// Objective bounds one metric (one of [MetricNames]).
type Objective struct {
	Metric   string
	Bounds   bound.Interval
	Severity result.Severity // "" means error
}

// Compare is the model section's compare_to: a champion model and how
// much worse than it the challenger may be.
type Compare struct {
	// Name labels the champion in results ("champion" when empty).
	Name string
	// Source is the champion's: predictions, endpoint or command (a
	// champion is not fitted here).
	Source Source
	// MaxWorse bounds, per metric, how much worse the challenger may be
	// than the champion, as Bounds.Max (in the metric's units; for r2 and
	// every classification metric where higher is better a drop, for bias
	// a growth of |bias|). Each becomes a check model.compare.<metric>.
	MaxWorse []Objective
	// NBoot is the number of paired bootstrap resamples behind each
	// interval on a difference, between MinCompareBoot and MaxCompareBoot;
	// 0 means DefaultCompareBoot.
	NBoot int
	// Seed seeds the resamples; nil means the suite's seed.
	Seed *uint64
}

// Bounds on Compare.NBoot.
const (
	DefaultCompareBoot = 1000
	MinCompareBoot     = 100
	MaxCompareBoot     = 100_000
)

// Columns lists the data columns the spec reads: the target, the
// features, the sources' columns and the split's time column.
func (s *Spec) Columns() []string {
	cols := append([]string{s.Target}, s.Features...)
	cols = append(cols, s.Source.Columns()...)
	if s.Split.By != "" {
		cols = append(cols, s.Split.By)
	}
	if t := s.Source.Train; t != nil && t.Tune != nil && t.Tune.By != "" {
		cols = append(cols, t.Tune.By)
	}
	if s.CompareTo != nil {
		cols = append(cols, s.CompareTo.Source.Columns()...)
	}
	return cols
}

// Validate reports every problem of the spec at once, each line naming the
// key path a suite spells it with ("model.metrics.rmse: ..."). A decoded
// suite reports the same problems positioned in its file.
func (s *Spec) Validate() error {
	var fs yamlx.Findings
	s.validate("model", &fs)
	return fs.Err()
}

// IsClassification reports whether the spec declares a classifier.
func (s *Spec) IsClassification() bool { return s.Task == TaskClassification }

// MaxECEBins bounds Spec.ECEBins.
const MaxECEBins = 1000

func (s *Spec) validate(path string, fs *yamlx.Findings) {
	s.validateTask(path, fs)
	if s.Target == "" {
		fs.AddAt(path, yamlx.Join(path, "target"), "missing: the column the model predicts")
	}
	if s.Source.Kind == "" {
		fs.AddAt(path, path, "needs one model source: %s", joinOr(kindNames(false)))
	} else {
		s.Source.validate(path, false, fs)
		if s.Source.Kind != FromPredictions && len(s.Features) == 0 {
			fs.AddAt(path, yamlx.Join(path, "features"), "missing: the columns the model predicts from")
		}
	}
	if s.Target != "" && slices.Contains(s.Features, s.Target) {
		fs.AddAt(path, yamlx.Join(path, "features"), "lists the target %q among the features", s.Target)
	}
	validateSplit(s.Split, yamlx.Join(path, "split"), fs)
	for _, o := range s.Objectives {
		p := yamlx.Join(yamlx.Join(path, "metrics"), o.Metric)
		if msg := metricProblem(o.Metric, s.Task); msg != "" {
			fs.Add(p, "%s", msg)
			continue
		}
		if o.Bounds.IsZero() {
			fs.Add(p, "needs at least one of min or max")
		} else if err := o.Bounds.Validate(); err != nil {
			fs.Add(p, "%s", err.Error())
		}
		fs.Severity(yamlx.Join(p, "severity"), o.Severity)
	}
	if c := s.CompareTo; c != nil {
		c.validate(yamlx.Join(path, "compare_to"), s.Task, fs)
	}
	if b := s.Balance; b != nil {
		b.validate(yamlx.Join(path, "class_balance"), s.IsClassification(), fs)
	}
}

func (c *Compare) validate(path, task string, fs *yamlx.Findings) {
	if task != TaskClassification {
		task = TaskRegression // an unknown task is reported at task:
	}
	if c.Source.Kind == "" {
		fs.AddAt(path, path, "needs the champion's source: %s", joinOr(kindNames(true)))
	} else {
		c.Source.validate(path, true, fs)
		if task == TaskRegression && (len(c.Source.Proba) > 0 || c.Source.PositiveProba != "") {
			fs.Add(yamlx.Join(path, "predictions"), "a regressor's champion is a regressor: give its predictions column alone")
		}
	}
	for _, w := range c.MaxWorse {
		p := yamlx.Join(yamlx.Join(path, "max_worse"), w.Metric)
		if msg := metricProblem(w.Metric, task); msg != "" {
			fs.Add(p, "%s", msg)
			continue
		}
		switch {
		case w.Bounds.Max == nil || w.Bounds.Min != nil:
			fs.Add(p, "bounds how much worse the challenger may be: set Bounds.Max only")
		case !(*w.Bounds.Max >= 0):
			fs.Add(p, "must be ≥ 0 (how much worse the challenger may be), got %s", result.FormatFloat(*w.Bounds.Max))
		}
		fs.Severity(yamlx.Join(p, "severity"), w.Severity)
	}
	if c.NBoot != 0 && (c.NBoot < MinCompareBoot || c.NBoot > MaxCompareBoot) {
		fs.Add(yamlx.Join(path, "n_boot"), "must be between %d and %d, got %d", MinCompareBoot, MaxCompareBoot, c.NBoot)
	}
}

// validateTask checks what depends on the task: the source's form, the
// keys of the other task, compare_to.
func (s *Spec) validateTask(path string, fs *yamlx.Findings) {
	classify := s.Task == TaskClassification
	switch s.Task {
	case "", TaskRegression, TaskClassification:
	default:
		fs.Add(yamlx.Join(path, "task"), "unknown task %q; tasks are regression and classification", s.Task)
		return
	}
	src := s.Source
	if src.Kind == FromTrain && src.Train != nil {
		logistic := src.Train.Algorithm == AlgorithmLogistic
		switch {
		case classify && !logistic:
			fs.Add(yamlx.Join(path, "train.algorithm"), "a classifier is fitted with algorithm: logistic, got %q", src.Train.Algorithm)
		case !classify && logistic:
			fs.Add(yamlx.Join(path, "train.algorithm"), "logistic fits a classifier: add task: classification to the model section")
		}
	}
	if src.Kind == FromPredictions && !classify && (len(src.Proba) > 0 || src.PositiveProba != "") {
		fs.Add(yamlx.Join(path, "predictions"), "probability columns apply to classification: add task: classification, or give the predictions column alone")
	}
	if classify {
		if src.Kind == FromPredictions && src.Column == "" && len(src.Proba) == 0 && src.PositiveProba == "" {
			fs.Add(yamlx.Join(path, "predictions"), "needs a label column, probability columns, or both: {label: COLUMN, proba: {CLASS: COLUMN, ...}}")
		}
		s.Threshold.validate(yamlx.Join(path, "threshold"), fs)
		if s.ECEBins < 0 || s.ECEBins > MaxECEBins {
			fs.Add(yamlx.Join(path, "ece_bins"), "must be between 1 and %d, got %d", MaxECEBins, s.ECEBins)
		}
		return
	}
	for _, k := range []struct {
		key string
		set bool
	}{{"positive", s.Positive != ""}, {"threshold", !s.Threshold.IsZero()}, {"ece_bins", s.ECEBins != 0}} {
		if k.set {
			fs.Add(yamlx.Join(path, k.key), "applies to classification: add task: classification to the model section")
		}
	}
}

// metricProblem says why name is not a metric of the task, with a hint,
// or "".
func metricProblem(name, task string) string {
	names := MetricNames()
	other := ClassMetricNames()
	if task == TaskClassification {
		names, other = other, names
	}
	if slices.Contains(names, name) {
		return ""
	}
	if slices.Contains(other, name) {
		if task == TaskClassification {
			return fmt.Sprintf("%s is a regression metric; classification metrics are %s", name, strings.Join(names, ", "))
		}
		return fmt.Sprintf("%s is a classification metric: add task: classification to the model section", name)
	}
	msg := fmt.Sprintf("unknown metric %q", name)
	if h := yamlx.Suggest(name, names); h != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", h)
	}
	return msg + "; metrics are " + strings.Join(names, ", ")
}

func validateTrain(o FitOptions, path string, fs *yamlx.Findings) {
	switch o.Algorithm {
	case "", AlgorithmLinear:
		if o.Alpha != 0 {
			fs.AddAt(path, yamlx.Join(path, "alpha"), "applies to ridge only; set algorithm: ridge or remove alpha")
		}
		if o.Tune != nil {
			fs.AddAt(path, yamlx.Join(path, "tune"), "tunes the penalty of ridge or logistic; set algorithm: ridge")
		}
	case AlgorithmRidge, AlgorithmLogistic:
		switch {
		case o.Tune != nil:
			if o.Alpha != 0 {
				fs.AddAt(path, yamlx.Join(path, "alpha"), "tune chooses alpha among its candidates: remove alpha")
			}
			if err := o.Tune.Validate(); err != nil {
				for _, e := range strings.Split(err.Error(), "\n") {
					key, msg, _ := strings.Cut(e, ": ")
					fs.AddAt(path, yamlx.Join(yamlx.Join(path, "tune"), key), "%s", msg)
				}
			}
		case o.Alpha == 0:
			fs.AddAt(path, yamlx.Join(path, "alpha"), "missing: %s needs a penalty alpha > 0", o.Algorithm)
		case !(o.Alpha > 0):
			fs.Add(yamlx.Join(path, "alpha"), "must be > 0, got %s", result.FormatFloat(o.Alpha))
		}
	default:
		fs.Add(yamlx.Join(path, "algorithm"), "unknown algorithm %q; algorithms are linear (ordinary least squares), ridge and logistic (a classifier)", o.Algorithm)
	}
}

func validateEndpoint(e Endpoint, path string, fs *yamlx.Findings) {
	switch {
	case e.URL == "":
		fs.AddAt(path, yamlx.Join(path, "url"), "missing: the model server's URL")
	case !strings.HasPrefix(e.URL, "http://") && !strings.HasPrefix(e.URL, "https://"):
		fs.Add(yamlx.Join(path, "url"), "must be an http:// or https:// URL, got %q", e.URL)
	}
	for _, c := range []struct {
		key string
		v   int
	}{{"batch_size", e.BatchSize}, {"concurrency", e.Concurrency}} {
		if c.v < 0 {
			fs.Add(yamlx.Join(path, c.key), "must be ≥ 1, got %d", c.v)
		}
	}
	if e.Timeout < 0 || e.Backoff < 0 {
		fs.Add(path, "timeout and backoff must be positive durations")
	}
}

func validateSplit(s Split, path string, fs *yamlx.Findings) {
	hasFraction := s.TestFraction != 0
	if hasFraction && !(s.TestFraction > 0 && s.TestFraction < 1) {
		fs.Add(yamlx.Join(path, "test_fraction"), "must be between 0 and 1 (exclusive), got %s", result.FormatFloat(s.TestFraction))
	}
	switch s.method() {
	case SplitRandom, SplitTime:
		if !hasFraction {
			fs.AddAt(path, yamlx.Join(path, "test_fraction"), "missing: a %s split needs the fraction of rows held out, e.g. 0.2", s.method())
		}
		if s.method() == SplitTime && s.By == "" {
			fs.AddAt(path, yamlx.Join(path, "by"), "missing: a time split needs the time column")
		}
		if s.method() == SplitRandom && s.By != "" {
			fs.AddAt(path, yamlx.Join(path, "by"), "applies to time splits; set method: time or remove by")
		}
	case SplitNone:
		if hasFraction || s.By != "" {
			fs.AddAt(path, path, "method none evaluates on every row; remove test_fraction and by")
		}
	default:
		fs.Add(yamlx.Join(path, "method"), "unknown split method %q; methods are random, time and none", s.Method)
	}
}
