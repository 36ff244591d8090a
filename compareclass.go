package trustml

import (
	"math"

	"github.com/trustml/trustml/model"
)

// compareClasses measures a classifier (mine) and its champion on the same
// evaluated rows, and bootstraps model − champion of every metric and of
// the mean per-row loss (the log loss when both give probabilities, else
// the 0/1 error) on the same resamples, which it records in cmp.Loss.
func compareClasses(cmp *Comparison, bins int, mine, champ *classRun, nBoot int, seed uint64) (a, b metricSet, lo, hi map[string]float64) {
	measure := func(c *classRun, rows []int) model.ClassMetrics {
		y, pred := make([]int, len(rows)), make([]int, len(rows))
		var proba [][]float64
		if c.proba != nil {
			proba = make([][]float64, len(rows))
		}
		for i, r := range rows {
			y[i], pred[i] = c.y[r], c.pred[r]
			if proba != nil {
				proba[i] = c.proba[r]
			}
		}
		return model.MeasureClasses(c.classes, c.positive, y, pred, proba, bins)
	}
	loss := &LossComparison{Loss: "zero_one"}
	lossA, lossB := zeroOne(mine), zeroOne(champ)
	if mine.proba != nil && champ.proba != nil {
		loss.Loss = "log_loss"
		lossA, lossB = model.LogLossRows(mine.y, mine.proba), model.LogLossRows(champ.y, champ.proba)
	}
	all := make([]int, len(mine.y))
	for i := range all {
		all[i] = i
	}
	names := model.ClassMetricNames()
	lo, hi = pairedBootstrap(len(all), nBoot, seed, func(rows []int, emit func(string, float64)) {
		emitDiffs(names, measure(mine, rows), measure(champ, rows), emit)
		emit(lossKey, mean(lossA, rows)-mean(lossB, rows))
	})
	loss.Model, loss.Champion = mean(lossA, all), mean(lossB, all)
	loss.Difference, loss.Better = loss.Model-loss.Champion, loss.Model < loss.Champion
	if l, ok := lo[lossKey]; ok {
		h := hi[lossKey]
		loss.Lower, loss.Upper = &l, &h
	}
	cmp.Loss = loss
	return measure(mine, all), measure(champ, all), lo, hi
}

// lossKey names the mean per-row loss among the bootstrapped differences;
// no metric is called so.
const lossKey = "(mean loss)"

// zeroOne is each row's 0/1 error: 1 when the label is wrong.
func zeroOne(c *classRun) []float64 {
	out := make([]float64, len(c.y))
	for i := range c.y {
		if c.pred[i] != c.y[i] {
			out[i] = 1
		}
	}
	return out
}

// mean is the mean of v over rows (NaN without rows).
func mean(v []float64, rows []int) float64 {
	if len(rows) == 0 {
		return math.NaN()
	}
	var s float64
	for _, r := range rows {
		s += v[r]
	}
	return s / float64(len(rows))
}
