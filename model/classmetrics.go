package model

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// DefaultECEBins is the number of equal-width bins of the expected
// calibration error when a suite states none.
const DefaultECEBins = 10

// ClassStats are one class's precision, recall and F1, that class being
// the positive one. A ratio whose denominator is 0 (no row predicted, or
// none of the class) is 0, as scikit-learn's zero_division=0.
type ClassStats struct {
	Class string `json:"class"`
	// Support is the number of rows of the class; Predicted the number
	// predicted as it.
	Support   int     `json:"support"`
	Predicted int     `json:"predicted"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

// ClassMetrics are classification metrics of predicted labels and class
// probabilities against true labels over N rows, the classes in Classes
// order.
//
// Label metrics (accuracy to Matthews) use the predicted labels;
// probability metrics (ROC AUC to ECE) use the probabilities and are
// undefined when the model gives labels only.
type ClassMetrics struct {
	N       int      `json:"n"`
	Classes []string `json:"classes"`
	// Positive is the positive class of a binary model, "" otherwise.
	Positive string `json:"positive,omitempty"`
	// Confusion counts rows by true class (row) and predicted class
	// (column).
	Confusion [][]int      `json:"confusion"`
	PerClass  []ClassStats `json:"per_class"`
	// Accuracy is the share of rows predicted right.
	Accuracy Value `json:"accuracy"`
	// BalancedAccuracy is the mean recall over the classes present among
	// the true labels.
	BalancedAccuracy Value `json:"balanced_accuracy"`
	// Precision, Recall and F1 are the positive class's; undefined for a
	// multiclass model (use the macro or weighted averages).
	Precision Value `json:"precision"`
	Recall    Value `json:"recall"`
	F1        Value `json:"f1"`
	// The macro averages are the plain means over the classes, the
	// weighted ones the means weighted by Support.
	PrecisionMacro    Value `json:"precision_macro"`
	RecallMacro       Value `json:"recall_macro"`
	F1Macro           Value `json:"f1_macro"`
	PrecisionWeighted Value `json:"precision_weighted"`
	RecallWeighted    Value `json:"recall_weighted"`
	F1Weighted        Value `json:"f1_weighted"`
	// MCC is the Matthews correlation coefficient (its multiclass form
	// R_K); undefined when the true or the predicted labels hold a single
	// class.
	MCC Value `json:"mcc"`
	// ROCAUC is the area under the ROC curve of the positive class's
	// probability (binary), or the mean of each class's one-vs-rest area
	// (multiclass, "ovr macro"); undefined when a class has no row or
	// every row is of it.
	ROCAUC Value `json:"roc_auc"`
	// AveragePrecision is Σ (R_k − R_{k−1})·P_k over the distinct
	// thresholds in decreasing order (binary, the positive class), or its
	// mean over the classes one-vs-rest (multiclass).
	AveragePrecision Value `json:"average_precision"`
	// LogLoss is −mean log p(true class), each probability clipped to
	// [ε, 1−ε] (ε = 2⁻⁵²) and each row renormalised, as scikit-learn 1.2.
	LogLoss Value `json:"log_loss"`
	// Brier is mean (p − 1[positive])² of the positive class's probability
	// (binary), or mean Σ_k (p_k − 1[class k])² (multiclass).
	Brier Value `json:"brier"`
	// ECE is the expected calibration error Σ_b (n_b/N)·|observed_b −
	// mean confidence_b| over ECEBins equal-width bins of [0, 1], a value on
	// an edge going to the lower bin. The confidence is the positive
	// class's probability and observed the share of positives (binary), or
	// the largest probability and the share of rows whose most probable
	// class is right (multiclass).
	ECE     Value `json:"ece"`
	ECEBins int   `json:"ece_bins"`
}

var classMetricNames = []string{
	"accuracy", "balanced_accuracy", "precision", "recall", "f1",
	"precision_macro", "recall_macro", "f1_macro", "precision_weighted", "recall_weighted", "f1_weighted",
	"mcc", "roc_auc", "average_precision", "log_loss", "brier", "ece",
}

// ClassMetricNames returns the names accepted by [ClassMetrics.Get], in a
// stable order. The caller owns the slice.
func ClassMetricNames() []string { return slices.Clone(classMetricNames) }

// Get returns the metric called name (one of [ClassMetricNames]), or an
// error listing the known names.
func (m ClassMetrics) Get(name string) (Value, error) {
	for _, e := range []struct {
		name string
		v    Value
	}{
		{"accuracy", m.Accuracy}, {"balanced_accuracy", m.BalancedAccuracy},
		{"precision", m.Precision}, {"recall", m.Recall}, {"f1", m.F1},
		{"precision_macro", m.PrecisionMacro}, {"recall_macro", m.RecallMacro}, {"f1_macro", m.F1Macro},
		{"precision_weighted", m.PrecisionWeighted}, {"recall_weighted", m.RecallWeighted}, {"f1_weighted", m.F1Weighted},
		{"mcc", m.MCC}, {"roc_auc", m.ROCAUC}, {"average_precision", m.AveragePrecision},
		{"log_loss", m.LogLoss}, {"brier", m.Brier}, {"ece", m.ECE},
	} {
		if e.name == name {
			return e.v, nil
		}
	}
	return Value{}, fmt.Errorf("model: unknown classification metric %q (known: %s)", name, strings.Join(classMetricNames, ", "))
}

// HigherIsBetter reports whether a larger value of the classification
// metric name is better (every metric but log_loss, brier and ece).
func HigherIsBetter(name string) bool {
	return name != "log_loss" && name != "brier" && name != "ece"
}

// MeasureClasses computes [ClassMetrics]. y and pred hold class indices
// into classes (pred may be nil when there are no labels); proba, when not
// nil, one row of len(classes) probabilities per row; positive is the
// positive class's index of a binary model. bins ≤ 0 means
// [DefaultECEBins]. The slices are only read. MeasureClasses panics on
// lengths that disagree or an index out of range.
func MeasureClasses(classes []string, positive int, y, pred []int, proba [][]float64, bins int) ClassMetrics {
	k, n := len(classes), len(y)
	if bins <= 0 {
		bins = DefaultECEBins
	}
	if len(pred) != n || (proba != nil && len(proba) != n) {
		panic(fmt.Sprintf("model: MeasureClasses: %d targets, %d labels, %d probability rows", n, len(pred), len(proba)))
	}
	binary := k == 2
	m := ClassMetrics{N: n, Classes: slices.Clone(classes), ECEBins: bins}
	if binary {
		m.Positive = classes[positive]
	}
	m.Confusion = make([][]int, k)
	for c := range m.Confusion {
		m.Confusion[c] = make([]int, k)
	}
	for i := range y {
		m.Confusion[y[i]][pred[i]]++
	}
	if n == 0 {
		u := undefined("no rows")
		m.Accuracy, m.BalancedAccuracy, m.Precision, m.Recall, m.F1 = u, u, u, u, u
		m.PrecisionMacro, m.RecallMacro, m.F1Macro, m.PrecisionWeighted, m.RecallWeighted, m.F1Weighted = u, u, u, u, u, u
		m.MCC, m.ROCAUC, m.AveragePrecision, m.LogLoss, m.Brier, m.ECE = u, u, u, u, u, u
		return m
	}
	correct := 0
	for c := range k {
		correct += m.Confusion[c][c]
	}
	m.Accuracy = defined(float64(correct) / float64(n))
	var recallSum float64
	present := 0
	var pm, rm, fm, pw, rw, fw float64
	for c := range k {
		s := ClassStats{Class: classes[c]}
		for j := range k {
			s.Support += m.Confusion[c][j]
			s.Predicted += m.Confusion[j][c]
		}
		tp := float64(m.Confusion[c][c])
		if s.Predicted > 0 {
			s.Precision = tp / float64(s.Predicted)
		}
		if s.Support > 0 {
			s.Recall = tp / float64(s.Support)
			recallSum += s.Recall
			present++
		}
		if d := s.Precision + s.Recall; d > 0 {
			s.F1 = 2 * s.Precision * s.Recall / d
		}
		m.PerClass = append(m.PerClass, s)
		pm, rm, fm = pm+s.Precision, rm+s.Recall, fm+s.F1
		w := float64(s.Support)
		pw, rw, fw = pw+s.Precision*w, rw+s.Recall*w, fw+s.F1*w
	}
	m.BalancedAccuracy = defined(recallSum / float64(present))
	m.PrecisionMacro, m.RecallMacro, m.F1Macro = defined(pm/float64(k)), defined(rm/float64(k)), defined(fm/float64(k))
	m.PrecisionWeighted, m.RecallWeighted, m.F1Weighted = defined(pw/float64(n)), defined(rw/float64(n)), defined(fw/float64(n))
	if binary {
		s := m.PerClass[positive]
		m.Precision, m.Recall, m.F1 = defined(s.Precision), defined(s.Recall), defined(s.F1)
	} else {
		u := undefined("defined for a binary model; use the _macro or _weighted average")
		m.Precision, m.Recall, m.F1 = u, u, u
	}
	m.MCC = mcc(m.PerClass, correct, n)
	if proba == nil {
		u := undefined("the model gives labels, not probabilities")
		m.ROCAUC, m.AveragePrecision, m.LogLoss, m.Brier, m.ECE = u, u, u, u, u
		return m
	}
	m.LogLoss = defined(logLoss(y, proba))
	m.ECE = defined(reliabilityOf(classes, positive, y, proba, bins).ece(n))
	if binary {
		scores, truth := probaColumn(proba, positive), isClass(y, positive)
		m.ROCAUC, m.AveragePrecision = rankMetrics(scores, truth, classes[positive])
		var sq float64
		for i, p := range scores {
			d := p - b2f(truth[i])
			sq += d * d
		}
		m.Brier = defined(sq / float64(n))
		return m
	}
	var auc, ap float64
	for c := range k {
		a, p := rankMetrics(probaColumn(proba, c), isClass(y, c), classes[c])
		if !a.Defined {
			m.ROCAUC, m.AveragePrecision = a, p
			break
		}
		auc, ap = auc+a.V, ap+p.V
		if c == k-1 {
			m.ROCAUC, m.AveragePrecision = defined(auc/float64(k)), defined(ap/float64(k))
		}
	}
	var sq float64
	for i, row := range proba {
		for c, p := range row {
			d := p - b2f(y[i] == c)
			sq += d * d
		}
	}
	m.Brier = defined(sq / float64(n))
	return m
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func probaColumn(proba [][]float64, c int) []float64 {
	out := make([]float64, len(proba))
	for i, row := range proba {
		out[i] = row[c]
	}
	return out
}

func isClass(y []int, c int) []bool {
	out := make([]bool, len(y))
	for i, v := range y {
		out[i] = v == c
	}
	return out
}

// mcc is the multiclass Matthews correlation from the confusion's
// margins: (c·s − Σ p_k t_k) / √((s² − Σ p_k²)(s² − Σ t_k²)).
func mcc(stats []ClassStats, correct, n int) Value {
	var tp, pp, tt float64
	for _, s := range stats {
		tp += float64(s.Support) * float64(s.Predicted)
		pp += float64(s.Predicted) * float64(s.Predicted)
		tt += float64(s.Support) * float64(s.Support)
	}
	s := float64(n)
	cov := float64(correct)*s - tp
	covP, covT := s*s-pp, s*s-tt
	switch {
	case covT == 0:
		return undefined("the true labels hold a single class")
	case covP == 0:
		return undefined("the predictions hold a single class")
	}
	return defined(cov / math.Sqrt(covT*covP))
}

// logLoss averages [LogLossRows].
func logLoss(y []int, proba [][]float64) float64 {
	var total float64
	for _, l := range LogLossRows(y, proba) {
		total += l
	}
	return total / float64(len(y))
}

// LogLossRows returns each row's log loss, −log p(true class), with each
// probability clipped to [ε, 1−ε] (ε = 2⁻⁵²) and the row renormalised, as
// [ClassMetrics.LogLoss] averages it. y holds class indices into the rows
// of proba.
func LogLossRows(y []int, proba [][]float64) []float64 {
	const eps = 0x1p-52
	out := make([]float64, len(proba))
	for i, row := range proba {
		var sum, pt float64
		for c, p := range row {
			p = min(max(p, eps), 1-eps)
			sum += p
			if c == y[i] {
				pt = p
			}
		}
		out[i] = -math.Log(pt / sum)
	}
	return out
}

// rocPoint is a point of a ROC curve: false and true positive rates at
// a threshold (rows with a score ≥ Threshold predicted positive).
type rocPoint struct{ fpr, tpr, threshold float64 }

// roc returns the ROC curve of scores for truth, one point per distinct
// score in decreasing order after (0, 0), and the precision at each.
func roc(scores []float64, truth []bool) (pts []rocPoint, precision []float64, pos, neg int) {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	// Descending score, ties in row order: the order a stable sort gives,
	// at the speed of an unstable one.
	slices.SortFunc(idx, func(a, b int) int {
		if c := cmp.Compare(scores[b], scores[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	for _, t := range truth {
		if t {
			pos++
		} else {
			neg++
		}
	}
	pts = append(make([]rocPoint, 0, len(scores)+1), rocPoint{threshold: math.Inf(1)})
	precision = append(make([]float64, 0, len(scores)+1), 1)
	tp, fp := 0, 0
	for j, i := range idx {
		if truth[i] {
			tp++
		} else {
			fp++
		}
		if j+1 < len(idx) && scores[idx[j+1]] == scores[i] {
			continue
		}
		pts = append(pts, rocPoint{fpr: float64(fp) / float64(max(neg, 1)), tpr: float64(tp) / float64(max(pos, 1)), threshold: scores[i]})
		precision = append(precision, float64(tp)/float64(tp+fp))
	}
	return pts, precision, pos, neg
}

// rankMetrics returns the ROC AUC (trapezoids) and the average precision
// of scores for truth, undefined when truth is all one way.
func rankMetrics(scores []float64, truth []bool, class string) (auc, ap Value) {
	pts, prec, pos, neg := roc(scores, truth)
	return rankMetricsOf(pts, prec, pos, neg, class)
}

// rankMetricsOf is rankMetrics from the curve roc returned.
func rankMetricsOf(pts []rocPoint, prec []float64, pos, neg int, class string) (auc, ap Value) {
	if pos == 0 {
		u := undefined(fmt.Sprintf("no row of class %q", class))
		return u, u
	}
	var a, p float64
	for j := 1; j < len(pts); j++ {
		a += (pts[j].fpr - pts[j-1].fpr) * (pts[j].tpr + pts[j-1].tpr) / 2
		p += (pts[j].tpr - pts[j-1].tpr) * prec[j]
	}
	if neg == 0 {
		return undefined(fmt.Sprintf("every row is of class %q", class)), defined(p)
	}
	return defined(a), defined(p)
}

// ReliabilityBin is one bin of a reliability (calibration) diagram.
type ReliabilityBin struct {
	// Edges are the bin's lower and upper edges; a confidence equal to an
	// edge belongs to the lower bin.
	Edges [2]float64 `json:"edges"`
	Count int        `json:"count"`
	// Confidence is the mean predicted probability of the bin's rows and
	// Observed the share of them that were positive (binary) or right
	// (multiclass); both 0 for an empty bin.
	Confidence float64 `json:"confidence"`
	Observed   float64 `json:"observed"`
}

type reliability []ReliabilityBin

func (r reliability) ece(n int) float64 {
	var e float64
	for _, b := range r {
		if b.Count > 0 {
			e += float64(b.Count) / float64(n) * math.Abs(b.Observed-b.Confidence)
		}
	}
	return e
}

// reliabilityOf bins the confidence as ClassMetrics.ECE describes.
func reliabilityOf(classes []string, positive int, y []int, proba [][]float64, bins int) reliability {
	step := 1 / float64(bins)
	edges := make([]float64, bins+1)
	for i := range edges {
		edges[i] = float64(i) * step
	}
	edges[bins] = 1
	r := make(reliability, bins)
	sums := make([]float64, bins)
	hits := make([]int, bins)
	for i, row := range proba {
		var conf float64
		var hit bool
		if len(classes) == 2 {
			conf, hit = row[positive], y[i] == positive
		} else {
			top := 0
			for c, p := range row {
				if p > row[top] {
					top = c
				}
			}
			conf, hit = row[top], y[i] == top
		}
		// The bin is the number of inner edges below conf.
		b, _ := slices.BinarySearch(edges[1:bins], conf)
		r[b].Count++
		sums[b] += conf
		if hit {
			hits[b]++
		}
	}
	for b := range r {
		r[b].Edges = [2]float64{edges[b], edges[b+1]}
		if r[b].Count > 0 {
			r[b].Confidence = sums[b] / float64(r[b].Count)
			r[b].Observed = float64(hits[b]) / float64(r[b].Count)
		}
	}
	return r
}
