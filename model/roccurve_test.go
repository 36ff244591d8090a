package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mannWhitneyAUC is the ROC AUC as the Mann–Whitney statistic: the share
// of (positive, negative) pairs ordered right, a tie counting one half,
// from mid-ranks. It shares nothing with roc().
func mannWhitneyAUC(scores []float64, truth []bool) float64 {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return scores[idx[a]] < scores[idx[b]] })
	var rankSum float64
	pos := 0
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && scores[idx[j]] == scores[idx[i]] {
			j++
		}
		mid := float64(i+j+1) / 2 // ranks i+1..j, averaged
		for _, k := range idx[i:j] {
			if truth[k] {
				rankSum += mid
				pos++
			}
		}
		i = j
	}
	neg := len(scores) - pos
	return (rankSum - float64(pos)*float64(pos+1)/2) / (float64(pos) * float64(neg))
}

// binaryCase evaluates scores as a binary model's positive-class
// probabilities through EvaluateClasses, the public entry point.
func binaryCase(scores []float64, truth []bool) ClassEvaluation {
	y := make([]int, len(scores))
	proba := make([][]float64, len(scores))
	for i, s := range scores {
		proba[i] = []float64{1 - s, s}
		if truth[i] {
			y[i] = 1
		}
	}
	return EvaluateClasses([]string{"0", "1"}, 1, y, nil, proba, []int{0, 1}, nil, 10)
}

// TestROCCurveBounded: on every kind of score distribution (continuous,
// tied, perfectly ordered, reversed, rare and common positives, and long
// alternating blocks that make the curve a coarse staircase) the curve in
// the result has at most MaxCurvePoints points, is a monotone path of the
// full curve's vertices from (0, 0) to (1, 1), and its area is within
// ROCTolerance of the exact AUC, which equals the Mann–Whitney statistic.
func TestROCCurveBounded(t *testing.T) {
	type gen func(r *rand.Rand, n int) ([]float64, []bool)
	logistic := func(shift, share float64, digits int) gen {
		return func(r *rand.Rand, n int) ([]float64, []bool) {
			s, y := make([]float64, n), make([]bool, n)
			for i := range s {
				y[i] = r.Float64() < share
				z := r.NormFloat64()
				if y[i] {
					z += shift
				}
				s[i] = 1 / (1 + math.Exp(-z))
				if digits > 0 {
					p := math.Pow(10, float64(digits))
					s[i] = math.Round(s[i]*p) / p
				}
			}
			return s, y
		}
	}
	blocks := func(size int) gen { // runs of positives and negatives, by descending score
		return func(r *rand.Rand, n int) ([]float64, []bool) {
			s, y := make([]float64, n), make([]bool, n)
			for i := range s {
				s[i] = 1 - float64(i)/float64(n)
				y[i] = (i/size)%2 == 0
				if r.Float64() < 0.1 {
					y[i] = !y[i]
				}
			}
			return s, y
		}
	}
	ordered := func(reverse bool) gen {
		return func(r *rand.Rand, n int) ([]float64, []bool) {
			s, y := make([]float64, n), make([]bool, n)
			for i := range s {
				s[i] = r.Float64()
			}
			slices.Sort(s)
			for i := range y {
				y[i] = (i >= n/2) != reverse
			}
			return s, y
		}
	}
	cases := []struct {
		name string
		gen  gen
	}{
		{"separable-ish", logistic(2, 0.5, 0)},
		{"weak", logistic(0.3, 0.5, 0)},
		{"rare positives", logistic(1.5, 0.01, 0)},
		{"rare negatives", logistic(1.5, 0.99, 0)},
		{"ties, 2 digits", logistic(1, 0.3, 2)},
		{"ties, 4 digits", logistic(1, 0.3, 4)},
		{"blocks of 50", blocks(50)},
		{"blocks of 997", blocks(997)},
		{"perfect", ordered(false)},
		{"reversed", ordered(true)},
	}
	r := rand.New(rand.NewPCG(7, 11))
	worst := 0.0
	for _, tc := range cases {
		for _, n := range []int{50, 399, 401, 5000, 20_000} {
			t.Run(fmt.Sprintf("%s/%d", tc.name, n), func(t *testing.T) {
				scores, truth := tc.gen(r, n)
				if !slices.Contains(truth, true) || !slices.Contains(truth, false) {
					truth[0] = !truth[0] // a few rows of rare positives may hold none
				}
				e := binaryCase(scores, truth)
				require.Len(t, e.ROC, 1)
				c := e.ROC[0]
				require.True(t, c.AUC.Defined, c.AUC.Reason)
				assert.InDelta(t, mannWhitneyAUC(scores, truth), c.AUC.V, 1e-12, "exact AUC")
				assert.Equal(t, e.Model.ROCAUC, c.AUC)
				assert.LessOrEqual(t, len(c.Points), MaxCurvePoints)
				assert.InDelta(t, c.AUC.V, c.Area, ROCTolerance)
				assert.InDelta(t, curveArea(c.Points), c.Area, 0)
				worst = max(worst, math.Abs(c.Area-c.AUC.V))

				full, _, _, _ := roc(scores, truth)
				assert.Equal(t, len(full)-1, c.Thresholds)
				if len(full) <= MaxCurvePoints {
					assert.Len(t, c.Points, len(full), "a short curve keeps every threshold")
					assert.Equal(t, c.AUC.V, c.Area)
				}
				assert.Equal(t, [2]float64{0, 0}, c.Points[0])
				assert.Equal(t, [2]float64{1, 1}, c.Points[len(c.Points)-1])
				j := 0
				for k, p := range c.Points {
					for j < len(full) && (full[j].fpr != p[0] || full[j].tpr != p[1]) {
						j++
					}
					require.Less(t, j, len(full), "point %d %v is not a vertex of the full curve, in order", k, p)
				}
			})
		}
	}
	t.Logf("largest |area of the bounded curve − AUC|: %.3g (tolerance %g)", worst, ROCTolerance)
}

// TestROCCurveStaircase: the curve that stresses the bound most, a
// staircase of equal steps alternating right and up, whose every corner
// is a threshold, still keeps at most MaxCurvePoints points within
// ROCTolerance of its area.
func TestROCCurveStaircase(t *testing.T) {
	for _, steps := range []int{200, 201, 250, 400, 1000, 5000} {
		t.Run(fmt.Sprint(steps), func(t *testing.T) {
			const run = 5 // rows per step
			var scores []float64
			var truth []bool
			for s := range 2 * steps {
				for range run {
					// One score per row: every corner and every point of a step
					// is a threshold.
					scores = append(scores, 1-float64(len(scores))/float64(2*steps*run))
					truth = append(truth, s%2 == 1)
				}
			}
			c := binaryCase(scores, truth).ROC[0]
			assert.LessOrEqual(t, len(c.Points), MaxCurvePoints)
			assert.InDelta(t, mannWhitneyAUC(scores, truth), c.AUC.V, 1e-12)
			assert.InDelta(t, c.AUC.V, c.Area, ROCTolerance)
			t.Logf("%d steps: %d points, |area − AUC| %.3g", steps, len(c.Points), math.Abs(c.Area-c.AUC.V))
		})
	}
}

// TestMulticlassROCOneVsRest: a multiclass model has one curve per class,
// each the class against the rest, whose AUCs average to roc_auc.
func TestMulticlassROCOneVsRest(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	const n, k = 3000, 4
	y := make([]int, n)
	proba := make([][]float64, n)
	for i := range y {
		y[i] = r.IntN(k)
		row := make([]float64, k)
		var sum float64
		for c := range row {
			row[c] = r.Float64()
			if c == y[i] {
				row[c] += 0.7
			}
			sum += row[c]
		}
		for c := range row {
			row[c] /= sum
		}
		proba[i] = row
	}
	e := EvaluateClasses([]string{"a", "b", "c", "d"}, 0, y, nil, proba, []int{0, 1, 2, 3}, nil, 10)
	require.Len(t, e.ROC, k)
	var mean float64
	for c, curve := range e.ROC {
		assert.Equal(t, e.Classes[c], curve.Class)
		assert.InDelta(t, mannWhitneyAUC(probaColumn(proba, c), isClass(y, c)), curve.AUC.V, 1e-12)
		assert.InDelta(t, curve.AUC.V, curve.Area, ROCTolerance)
		assert.LessOrEqual(t, len(curve.Points), MaxCurvePoints)
		mean += curve.AUC.V / k
	}
	assert.InDelta(t, mean, e.Model.ROCAUC.V, 1e-15)
}

// TestReliabilityBinsByHand: binary bins hold the positive class's
// probability; multiclass bins the top-label confidence and whether the
// top label was right. Edges go to the lower bin.
func TestReliabilityBinsByHand(t *testing.T) {
	// Binary, 4 bins of width 0.25, positive class "b" (index 1).
	// P(b) = 0.1 0.25 0.3 0.6 0.7 0.9 1.0, truth a a b a b b b.
	// [0, 0.25]:    0.1 (a), 0.25 (a)  → n 2, confidence 0.175, observed 0
	// (0.25, 0.5]:  0.3 (b)            → n 1, confidence 0.3,   observed 1
	// (0.5, 0.75]:  0.6 (a), 0.7 (b)   → n 2, confidence 0.65,  observed 0.5
	// (0.75, 1]:    0.9 (b), 1.0 (b)   → n 2, confidence 0.95,  observed 1
	pb := []float64{0.1, 0.25, 0.3, 0.6, 0.7, 0.9, 1.0}
	y := []int{0, 0, 1, 0, 1, 1, 1}
	proba := make([][]float64, len(pb))
	for i, p := range pb {
		proba[i] = []float64{1 - p, p}
	}
	e := EvaluateClasses([]string{"a", "b"}, 1, y, nil, proba, []int{0, 1}, nil, 4)
	want := []ReliabilityBin{
		{Edges: [2]float64{0, 0.25}, Count: 2, Confidence: 0.175, Observed: 0},
		{Edges: [2]float64{0.25, 0.5}, Count: 1, Confidence: 0.3, Observed: 1},
		{Edges: [2]float64{0.5, 0.75}, Count: 2, Confidence: 0.65, Observed: 0.5},
		{Edges: [2]float64{0.75, 1}, Count: 2, Confidence: 0.95, Observed: 1},
	}
	require.Len(t, e.Reliability, len(want))
	for b, w := range want {
		g := e.Reliability[b]
		assert.Equal(t, w.Edges, g.Edges, "bin %d", b)
		assert.Equal(t, w.Count, g.Count, "bin %d", b)
		assert.InDelta(t, w.Confidence, g.Confidence, 1e-15, "bin %d", b)
		assert.InDelta(t, w.Observed, g.Observed, 1e-15, "bin %d", b)
	}
	// ECE = (2·0.175 + 1·0.7 + 2·0.15 + 2·0.05)/7.
	assert.InDelta(t, (0.35+0.7+0.3+0.1)/7, e.Model.ECE.V, 1e-15)

	// Multiclass, 2 bins: the top-label confidence.
	// row  probabilities     top  conf  truth right
	// 0    .5  .3  .2        x    .5    x     yes   → [0, 0.5]
	// 1    .2  .7  .1        y    .7    z     no    → (0.5, 1]
	// 2    .1  .1  .8        z    .8    z     yes   → (0.5, 1]
	// 3    .4  .35 .25       x    .4    y     no    → [0, 0.5]
	// [0, 0.5]: n 2, confidence 0.45, observed 0.5; (0.5, 1]: n 2, 0.75, 0.5.
	proba = [][]float64{{0.5, 0.3, 0.2}, {0.2, 0.7, 0.1}, {0.1, 0.1, 0.8}, {0.4, 0.35, 0.25}}
	e = EvaluateClasses([]string{"x", "y", "z"}, 0, []int{0, 2, 2, 1}, nil, proba, []int{0, 1, 2}, nil, 2)
	require.Len(t, e.Reliability, 2)
	assert.Equal(t, 2, e.Reliability[0].Count)
	assert.InDelta(t, 0.45, e.Reliability[0].Confidence, 1e-15)
	assert.InDelta(t, 0.5, e.Reliability[0].Observed, 1e-15)
	assert.Equal(t, 2, e.Reliability[1].Count)
	assert.InDelta(t, 0.75, e.Reliability[1].Confidence, 1e-15)
	assert.InDelta(t, 0.5, e.Reliability[1].Observed, 1e-15)
	// Labels are the argmax: x y z x against x z z y.
	assert.Equal(t, [][]int{{1, 0, 0}, {1, 0, 0}, {0, 1, 1}}, e.Model.Confusion)
}

// TestConfusionByHand: rows are the true class, columns the predicted
// one, a binary model's labels from its threshold.
func TestConfusionByHand(t *testing.T) {
	// truth    n n n p p p p, P(p) .1 .6 .3 .8 .4 .9 .7, threshold 0.5:
	// predicted n p n p n p p  → n→n 2, n→p 1, p→n 1, p→p 3.
	pp := []float64{0.1, 0.6, 0.3, 0.8, 0.4, 0.9, 0.7}
	y := []int{0, 0, 0, 1, 1, 1, 1}
	proba := make([][]float64, len(pp))
	for i, p := range pp {
		proba[i] = []float64{1 - p, p}
	}
	thr := ThresholdChoice{Rule: "fixed", Threshold: 0.5}
	e := EvaluateClasses([]string{"n", "p"}, 1, y, nil, proba, []int{0, 1}, &thr, 10)
	assert.Equal(t, [][]int{{2, 1}, {1, 3}}, e.Model.Confusion)
	// With threshold 0.75: n→n 3, p→n 2 (0.4, 0.7), p→p 2.
	thr.Threshold = 0.75
	e = EvaluateClasses([]string{"n", "p"}, 1, y, nil, proba, []int{0, 1}, &thr, 10)
	assert.Equal(t, [][]int{{3, 0}, {2, 2}}, e.Model.Confusion)
	// The full curve of 7 distinct scores is kept whole: (0,0), then by
	// descending score .9 p, .8 p, .7 p, .6 n, .4 p, .3 n, .1 n.
	want := [][2]float64{{0, 0}, {0, 0.25}, {0, 0.5}, {0, 0.75}, {1.0 / 3, 0.75}, {1.0 / 3, 1}, {2.0 / 3, 1}, {1, 1}}
	c := e.ROC[0]
	require.Len(t, c.Points, len(want))
	for i := range want {
		assert.InDelta(t, want[i][0], c.Points[i][0], 1e-15)
		assert.InDelta(t, want[i][1], c.Points[i][1], 1e-15)
	}
	// AUC: 11 of the 12 (p, n) pairs are ordered right.
	assert.InDelta(t, 11.0/12, c.AUC.V, 1e-15)
	assert.Equal(t, 7, c.Thresholds)
}
