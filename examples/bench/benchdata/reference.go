package benchdata

import (
	"math"
	"slices"
)

// Values are the benchmark's twelve reference values (E1–E12 of
// examples/bench/README.md) for a table, computed from its rows by
// Reference, independently of trustml's checks.
type Values struct {
	Rows        int64   // E1
	DistinctIDs int64   // E2: the number of distinct ids
	RepeatedIDs int64   // E2: rows whose id occurs more than once
	AgeInRange  int64   // E3: ages in [0, 120] (age is never null)
	AgeNulls    int64   // E4
	IncomeNulls int64   // E5
	IncomeMin   float64 // E6
	ScoreNulls  int64
	ScoreMean   float64 // E7: compensated sum over the count
	ScoreStddev float64 // E8: sample, about the mean, compensated
	ScoreMedian float64 // E9: the middle value, or the mean of the two middle ones
	RegionOut   int64   // E10: regions outside Regions
	LabelCounts [2]int64
	XMin, XMax  float64 // E12
	YNulls      int64   // E12
}

// MinorityFraction is E11: the share of the rarer label among all rows.
func (v Values) MinorityFraction() float64 {
	return float64(min(v.LabelCounts[0], v.LabelCounts[1])) / float64(v.Rows)
}

// Reference generates the first rows rows for seed and computes their
// reference values directly: counts by counting, the median by sorting,
// the mean and standard deviation by compensated (Kahan) sums in two
// passes. It keeps the scores in memory: 8 bytes per row.
func Reference(rows int64, seed uint64) Values {
	g := NewGenerator(seed)
	var row Row
	v := Values{Rows: max(rows, 0), IncomeMin: math.Inf(1), XMin: math.Inf(1), XMax: math.Inf(-1)}
	scores := make([]float64, 0, max(rows, 0))
	last := int64(-1)
	for range v.Rows {
		g.Next(&row)
		// Ids are distinct exactly when they increase strictly.
		if row.ID > last {
			v.DistinctIDs++
		} else {
			v.RepeatedIDs++
		}
		last = max(last, row.ID)
		if row.Age >= 0 && row.Age <= 120 {
			v.AgeInRange++
		}
		if !row.IncomeValid {
			v.IncomeNulls++
		} else {
			v.IncomeMin = min(v.IncomeMin, row.Income)
		}
		if !row.ScoreValid {
			v.ScoreNulls++
		} else {
			scores = append(scores, row.Score)
		}
		if row.Region < 0 || row.Region >= len(Regions) {
			v.RegionOut++
		}
		v.LabelCounts[row.Label]++
		v.XMin, v.XMax = min(v.XMin, row.X), max(v.XMax, row.X)
	}
	v.ScoreMean, v.ScoreStddev, v.ScoreMedian = math.NaN(), math.NaN(), math.NaN()
	if n := len(scores); n > 0 {
		v.ScoreMean = kahanSum(scores) / float64(n)
		dev := make([]float64, n)
		for i, s := range scores {
			dev[i] = (s - v.ScoreMean) * (s - v.ScoreMean)
		}
		if n > 1 {
			v.ScoreStddev = math.Sqrt(kahanSum(dev) / float64(n-1))
		}
		slices.Sort(scores)
		v.ScoreMedian = scores[n/2]
		if n%2 == 0 {
			v.ScoreMedian = (scores[n/2-1] + scores[n/2]) / 2
		}
	}
	return v
}

func kahanSum(xs []float64) float64 {
	var sum, c float64
	for _, x := range xs {
		y := x - c
		t := sum + y
		c = (t - sum) - y
		sum = t
	}
	return sum
}
