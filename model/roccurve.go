package model

import "math"

// ROCTolerance bounds how far the area under a result's ROC curve (the
// trapezoids through [ROCCurve.Points]) may be from the exact ROC AUC,
// whatever the number of rows. [MaxCurvePoints] bounds the curve's
// vertices; together they fix how a long curve is thinned (see
// [ROCCurve]).
//
// Why the bound holds: between two kept vertices the full curve is a
// monotone path inside the box the two span, so replacing it by the chord
// changes the area by at most Δx·Δy/2 ≤ L²/8, L = Δx + Δy its L1 length.
// Vertices are kept greedily: a run of the curve is replaced by its chord
// while that changes the area (computed exactly) by at most ε = h²/8,
// h = 4·ROCTolerance (or a smaller ε when its vertices still fit). A run that stopped growing, together with the next
// step, is longer than h; the whole curve is 2 long (from (0, 0) to
// (1, 1)), so there are fewer than 2/h pairs of runs, hence at most
// MaxCurvePoints − 1 runs; and the changes sum to at most
// Σ min(h², L_i²)/8 ≤ h·Σ L_i/8 = h/4 = ROCTolerance.
const ROCTolerance = 0.0025

// MaxCurvePoints bounds the points of each ROC curve in a result (it
// follows from ROCTolerance: 2·⌈1/(2·ROCTolerance)⌉), so that results and
// reports stay small whatever the number of rows.
const MaxCurvePoints = 400

// ROCCurve is the ROC curve of one class against the rest (of the
// positive class for a binary model), as (false positive rate, true
// positive rate) points from (0, 0) to (1, 1), a row with a score ≥ the
// threshold predicted positive. A curve of at most MaxCurvePoints distinct
// thresholds keeps every one; a longer one keeps at most MaxCurvePoints
// vertices of it, chosen so that the area under the kept points is within
// ROCTolerance of AUC.
type ROCCurve struct {
	Class string `json:"class"`
	// AUC is the exact area under the full curve (the metric roc_auc of a
	// binary model; the class's one-vs-rest area of a multiclass one).
	AUC Value `json:"auc"`
	// Thresholds is the number of distinct scores: the full curve has one
	// more point, (0, 0).
	Thresholds int `json:"thresholds"`
	// Area is the area under Points (trapezoids); |Area − AUC| ≤
	// ROCTolerance when AUC is defined.
	Area   float64      `json:"area"`
	Points [][2]float64 `json:"points"`
}

// boundedCurve keeps the vertices of pts as ROCCurve describes: all of
// them when there are at most MaxCurvePoints, else the greedy runs of
// keepRuns with the smallest ε = (4·ROCTolerance)²/8 / 4^i (i = 0, 1, …, 8)
// whose vertices still fit MaxCurvePoints. ε = (4·ROCTolerance)²/8 always
// fits, and a smaller ε only tightens the bound on the area (see
// ROCTolerance), so the spare vertices go to accuracy.
func boundedCurve(pts []rocPoint) [][2]float64 {
	if len(pts) <= MaxCurvePoints {
		out := make([][2]float64, len(pts))
		for i, p := range pts {
			out[i] = [2]float64{p.fpr, p.tpr}
		}
		return out
	}
	// area[j] is the area under the full curve from pts[0] to pts[j].
	area := make([]float64, len(pts))
	for j := 1; j < len(pts); j++ {
		area[j] = area[j-1] + trapezoid(pts[j-1], pts[j])
	}
	h := 4 * ROCTolerance
	eps := h * h / 8
	best := keepRuns(pts, area, eps)
	for range 8 {
		eps /= 4
		finer := keepRuns(pts, area, eps)
		if len(finer) > MaxCurvePoints {
			break
		}
		best = finer
	}
	return best
}

// keepRuns walks the curve, replacing each run by its chord while that
// changes the area under the run by at most eps, and returns the kept
// vertices, the first and last included.
func keepRuns(pts []rocPoint, area []float64, eps float64) [][2]float64 {
	out := [][2]float64{{pts[0].fpr, pts[0].tpr}}
	s := 0
	for e := 1; e < len(pts)-1; e++ {
		// Would the run s → e+1 still be within eps of the curve?
		if math.Abs(trapezoid(pts[s], pts[e+1])-(area[e+1]-area[s])) <= eps {
			continue
		}
		out = append(out, [2]float64{pts[e].fpr, pts[e].tpr})
		s = e
	}
	last := pts[len(pts)-1]
	return append(out, [2]float64{last.fpr, last.tpr})
}

func trapezoid(a, b rocPoint) float64 { return (b.fpr - a.fpr) * (a.tpr + b.tpr) / 2 }

// curveArea is the area under points (trapezoids).
func curveArea(points [][2]float64) float64 {
	var a float64
	for j := 1; j < len(points); j++ {
		a += (points[j][0] - points[j-1][0]) * (points[j][1] + points[j-1][1]) / 2
	}
	return a
}
