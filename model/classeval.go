package model

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/trustml/trustml/result"
)

// Threshold is a binary model's decision threshold: a row is predicted
// positive when the positive class's probability is ≥ the threshold. Set
// one of the fields: Value fixes it; Precision (Recall) chooses it on the
// training rows as the lowest (highest) threshold whose precision (recall)
// reaches the stated value there, so the other is as high as it can be.
type Threshold struct {
	Value     *float64
	Precision *float64
	Recall    *float64
}

// DefaultThreshold is the threshold of a binary model that gives
// probabilities without labels, when the suite states none.
const DefaultThreshold = 0.5

// ThresholdChoice records the threshold used and how it was chosen.
type ThresholdChoice struct {
	// Rule is "fixed", "default", "precision ≥ 0.9 on the training rows"
	// or "recall ≥ 0.8 on the training rows".
	Rule      string  `json:"rule"`
	Threshold float64 `json:"threshold"`
	// TrainRows, TrainPrecision and TrainRecall describe the training rows
	// a chosen threshold was fitted on (absent for a fixed one).
	TrainRows      int      `json:"train_rows,omitempty"`
	TrainPrecision *float64 `json:"train_precision,omitempty"`
	TrainRecall    *float64 `json:"train_recall,omitempty"`
}

// IsZero reports whether no field is set.
func (t Threshold) IsZero() bool { return t.Value == nil && t.Precision == nil && t.Recall == nil }

func (t Threshold) validate(path string, fs interface {
	Add(path, format string, args ...any)
}) {
	set := 0
	for _, f := range []struct {
		key string
		v   *float64
	}{{"value", t.Value}, {"precision", t.Precision}, {"recall", t.Recall}} {
		if f.v == nil {
			continue
		}
		set++
		if !(*f.v >= 0 && *f.v <= 1) {
			fs.Add(path, "%s must be between 0 and 1, got %s", f.key, result.FormatFloat(*f.v))
		}
	}
	if set > 1 {
		fs.Add(path, "give one of a threshold value, precision or recall")
	}
}

// ChooseThreshold returns the threshold t asks for, choosing it on the
// scores (the positive class's probability) and truth of the training rows
// when t states a precision or a recall. A precision no threshold reaches,
// or training rows without a positive, is an error.
func ChooseThreshold(t Threshold, scores []float64, truth []bool) (ThresholdChoice, error) {
	switch {
	case t.Value != nil:
		return ThresholdChoice{Rule: "fixed", Threshold: *t.Value}, nil
	case t.IsZero():
		return ThresholdChoice{Rule: "default", Threshold: DefaultThreshold}, nil
	}
	pts, prec, pos, _ := roc(scores, truth)
	if pos == 0 {
		return ThresholdChoice{}, errors.New("model: threshold: the training rows hold no positive row")
	}
	choice := ThresholdChoice{TrainRows: len(scores)}
	best := -1
	if t.Precision != nil {
		choice.Rule = fmt.Sprintf("precision ≥ %s on the training rows", result.FormatFloat(*t.Precision))
		for j := 1; j < len(pts); j++ {
			if prec[j] >= *t.Precision {
				best = j // the lowest threshold so far that reaches it
			}
		}
		if best < 0 {
			top := slices.Max(prec[1:])
			return ThresholdChoice{}, fmt.Errorf("model: threshold: no threshold reaches precision %s on the %d training rows (the best is %s)",
				result.FormatFloat(*t.Precision), len(scores), result.FormatFloat(top))
		}
	} else {
		choice.Rule = fmt.Sprintf("recall ≥ %s on the training rows", result.FormatFloat(*t.Recall))
		for j := 1; j < len(pts); j++ {
			if pts[j].tpr >= *t.Recall {
				best = j
				break
			}
		}
	}
	p, r := prec[best], pts[best].tpr
	choice.Threshold, choice.TrainPrecision, choice.TrainRecall = pts[best].threshold, &p, &r
	return choice, nil
}

// ClassEvaluation holds the metrics of a classifier and of the baseline
// that predicts the training prior (its probabilities) and the majority
// class of the training rows (its label), on the same rows, with what a
// report draws: the confusion matrices (in the metrics), the ROC curves and
// the reliability diagram of the model.
type ClassEvaluation struct {
	Classes  []string `json:"classes"`
	Positive string   `json:"positive,omitempty"`
	// LabelsFrom says where the evaluated labels come from: "model",
	// "threshold" (a binary model's probabilities) or "argmax" (the most
	// probable class).
	LabelsFrom string           `json:"labels_from"`
	Threshold  *ThresholdChoice `json:"threshold,omitempty"`
	// TrainPrior is each class's share of the training rows; Majority
	// the most frequent training class (the first in class order on a tie).
	TrainPrior  []float64        `json:"train_prior"`
	Majority    string           `json:"majority"`
	Model       ClassMetrics     `json:"model"`
	Baseline    ClassMetrics     `json:"baseline"`
	ROC         []ROCCurve       `json:"roc,omitempty"`
	Reliability []ReliabilityBin `json:"reliability,omitempty"`
}

// EvaluateClasses measures a classifier's labels pred and probabilities
// proba (either may be nil, not both) against y, and the baseline from
// the training classes trainY, as [MeasureClasses] with bins ECE bins.
// Without labels, labels come from thr (binary) or the most probable class.
// y, pred and trainY hold class indices; trainY must not be empty.
func EvaluateClasses(classes []string, positive int, y, pred []int, proba [][]float64, trainY []int, thr *ThresholdChoice, bins int) ClassEvaluation {
	k := len(classes)
	if bins <= 0 {
		bins = DefaultECEBins
	}
	e := ClassEvaluation{Classes: slices.Clone(classes), LabelsFrom: "model", Threshold: thr}
	if k == 2 {
		e.Positive = classes[positive]
	}
	pred, e.LabelsFrom = DecideLabels(k, positive, pred, proba, thr)
	if e.LabelsFrom == "model" || k != 2 {
		e.Threshold = nil
	}
	counts := make([]int, k)
	for _, c := range trainY {
		counts[c]++
	}
	maj := 0
	e.TrainPrior = make([]float64, k)
	for c, n := range counts {
		e.TrainPrior[c] = float64(n) / float64(len(trainY))
		if n > counts[maj] {
			maj = c
		}
	}
	e.Majority = classes[maj]
	e.Model = MeasureClasses(classes, positive, y, pred, proba, bins)
	base := make([]int, len(y))
	prior := make([][]float64, len(y))
	for i := range y {
		base[i], prior[i] = maj, e.TrainPrior
	}
	e.Baseline = MeasureClasses(classes, positive, y, base, prior, bins)
	if proba == nil {
		return e
	}
	curve := func(c int) ROCCurve {
		pts, prec, pos, neg := roc(probaColumn(proba, c), isClass(y, c))
		auc, _ := rankMetricsOf(pts, prec, pos, neg, classes[c])
		rc := ROCCurve{Class: classes[c], AUC: auc, Thresholds: len(pts) - 1, Points: boundedCurve(pts)}
		rc.Area = curveArea(rc.Points)
		return rc
	}
	if k == 2 {
		e.ROC = []ROCCurve{curve(positive)}
	} else {
		for c := range k {
			e.ROC = append(e.ROC, curve(c))
		}
	}
	e.Reliability = reliabilityOf(classes, positive, y, proba, bins)
	return e
}

// DecideLabels returns the labels a classifier of k classes is evaluated
// on, and where they come from ("model", "threshold" or "argmax", as
// [ClassEvaluation.LabelsFrom]): the model's labels pred, unless there
// are none or a binary model has a threshold stated or chosen (thr not nil
// and not the default), in which case [LabelsOf] the probabilities.
func DecideLabels(k, positive int, pred []int, proba [][]float64, thr *ThresholdChoice) ([]int, string) {
	if proba == nil || (pred != nil && (k != 2 || thr == nil || thr.Rule == "default")) {
		return pred, "model"
	}
	if k == 2 {
		return LabelsOf(proba, positive, thr), "threshold"
	}
	return LabelsOf(proba, positive, thr), "argmax"
}

// LabelsOf turns probabilities into class indices: for two classes, the
// positive one when its probability is ≥ the threshold (thr nil: 0.5), else
// the other; for more, the most probable class (the first on a tie).
func LabelsOf(proba [][]float64, positive int, thr *ThresholdChoice) []int {
	t := DefaultThreshold
	if thr != nil {
		t = thr.Threshold
	}
	out := make([]int, len(proba))
	for i, row := range proba {
		if len(row) == 2 {
			if row[positive] >= t {
				out[i] = positive
			} else {
				out[i] = 1 - positive
			}
			continue
		}
		top := 0
		for c, p := range row {
			if p > row[top] || math.IsNaN(row[top]) {
				top = c
			}
		}
		out[i] = top
	}
	return out
}
