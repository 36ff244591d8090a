package model

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/require"
)

// The oracles of testdata/sklearn were computed offline by scikit-learn
// (generate.py there); these tests never run Python.

type sklearnOracle struct {
	Dataset  string   `json:"dataset"`
	Version  string   `json:"sklearn_version"`
	Classes  []string `json:"classes"`
	Positive *string  `json:"positive"`
	Features []string `json:"features"`
	ECEBins  int      `json:"ece_bins"`
	Fits     []struct {
		Alpha        float64        `json:"alpha"`
		Gradient     float64        `json:"gradient"`
		Intercepts   []float64      `json:"intercepts"`
		Coefficients [][]float64    `json:"coefficients"`
		Proba        [][]float64    `json:"proba"`
		Metrics      map[string]any `json:"metrics"`
	} `json:"fits"`
	// Tied are the last fit's probabilities rounded to one decimal.
	Tied struct {
		Proba   [][]float64    `json:"proba"`
		Metrics map[string]any `json:"metrics"`
	} `json:"tied"`
}

// sklearnData reads testdata/sklearn/NAME.csv (float features, then the
// target: an integer column for wine, else a string column) and its oracle.
func sklearnData(t *testing.T, name string) (arrow.RecordBatch, []string, sklearnOracle) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "sklearn", name+".csv"))
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	header, rows := recs[0], recs[1:]
	var cols []column
	for j, h := range header[:len(header)-1] {
		vals := make([]float64, len(rows))
		for i, r := range rows {
			vals[i], err = strconv.ParseFloat(r[j], 64)
			require.NoError(t, err)
		}
		cols = append(cols, floats64(h, vals))
	}
	labels := make([]string, len(rows))
	for i, r := range rows {
		labels[i] = r[len(r)-1]
	}
	if name == "wine" {
		ints := make([]int64, len(rows))
		for i, l := range labels {
			v, err := strconv.ParseInt(l, 10, 64)
			require.NoError(t, err)
			ints[i] = v
		}
		cols = append(cols, i64("target", ints...))
	} else {
		anys := make([]any, len(labels))
		for i, l := range labels {
			anys[i] = l
		}
		cols = append(cols, str("target", anys...))
	}
	b, err := os.ReadFile(filepath.Join("testdata", "sklearn", name+".oracle.json"))
	require.NoError(t, err)
	var o sklearnOracle
	require.NoError(t, json.Unmarshal(b, &o))
	return newBatch(t, newMem(t), cols...), labels, o
}

func relDiff(got, want float64) float64 {
	if got == want {
		return 0
	}
	return math.Abs(got-want) / math.Max(math.Abs(want), 1e-300)
}

var sklearnSets = []string{"breast_cancer", "iris", "wine"}

// TestLogisticMatchesSklearn compares FitLogistic's coefficients with
// scikit-learn's LogisticRegression(C=1/alpha, tol=1e-12) on standardised
// features, to 1e-6 relative (intercepts of a multinomial model centred).
func TestLogisticMatchesSklearn(t *testing.T) {
	for _, name := range sklearnSets {
		batch, _, o := sklearnData(t, name)
		for _, fit := range o.Fits {
			t.Run(fmt.Sprintf("%s/alpha=%g", name, fit.Alpha), func(t *testing.T) {
				opts := FitOptions{Target: "target", Features: o.Features, Algorithm: AlgorithmLogistic, Alpha: fit.Alpha, Standardize: true}
				if o.Positive != nil {
					opts.Positive = *o.Positive
				}
				m, err := FitLogistic(context.Background(), []arrow.RecordBatch{batch}, opts)
				require.NoError(t, err)
				require.Equal(t, o.Classes, m.Classes)
				require.Len(t, m.Intercepts, len(fit.Intercepts))
				worst := 0.0
				for k := range fit.Intercepts {
					worst = max(worst, relDiff(m.Intercepts[k], fit.Intercepts[k]))
					for j, c := range m.Coefficients[k] {
						require.Equal(t, o.Features[j], c.Name)
						d := relDiff(c.Value, fit.Coefficients[k][j])
						if d > 1e-6 {
							t.Errorf("class row %d, %s: trustml %.15g, sklearn %.15g, rel. diff %.2g", k, c.Name, c.Value, fit.Coefficients[k][j], d)
						}
						worst = max(worst, d)
					}
				}
				require.LessOrEqual(t, worst, 1e-6)
				t.Logf("| %s | %g | %d | %.1e | %d | %.1e | %.1e |", name, fit.Alpha, len(fit.Intercepts)*(len(o.Features)+1), fit.Gradient, m.Iterations, m.Gradient, worst)
			})
		}
	}
}

// TestClassMetricsMatchSklearn computes every metric from scikit-learn's
// own probabilities and compares with scikit-learn's values to 1e-12
// relative; labels are the most probable class, as its predict.
func TestClassMetricsMatchSklearn(t *testing.T) {
	for _, name := range sklearnSets {
		_, labels, o := sklearnData(t, name)
		y := make([]int, len(labels))
		for i, l := range labels {
			y[i] = slices.Index(o.Classes, l)
		}
		pos := 1
		if o.Positive != nil {
			pos = slices.Index(o.Classes, *o.Positive)
		}
		type set struct {
			name    string
			proba   [][]float64
			metrics map[string]any
		}
		var sets []set
		for _, fit := range o.Fits {
			sets = append(sets, set{fmt.Sprintf("alpha=%g", fit.Alpha), fit.Proba, fit.Metrics})
		}
		sets = append(sets, set{"tied", o.Tied.Proba, o.Tied.Metrics})
		for _, fit := range sets {
			t.Run(name+"/"+fit.name, func(t *testing.T) {
				require.NoError(t, CheckOutput(ClassOutput{Proba: fit.proba}, o.Classes, "oracle"))
				// scikit-learn's predict: the most probable class, the
				// first on a tie (so p = 0.5 is not positive, unlike a
				// threshold of 0.5).
				pred := make([]int, len(fit.proba))
				for i, row := range fit.proba {
					for c, p := range row {
						if p > row[pred[i]] {
							pred[i] = c
						}
					}
				}
				m := MeasureClasses(o.Classes, pos, y, pred, fit.proba, o.ECEBins)
				for _, metric := range ClassMetricNames() {
					want, ok := fit.metrics[metric].(float64)
					got, err := m.Get(metric)
					require.NoError(t, err)
					if !ok {
						require.Len(t, o.Classes, 3, "%s: no oracle", metric)
						require.False(t, got.Defined, metric)
						continue
					}
					require.True(t, got.Defined, "%s: %s", metric, got.Reason)
					d := relDiff(got.V, want)
					t.Logf("| %s | %s | %s | %.17g | %.17g | %.1e |", name, fit.name, metric, want, got.V, d)
					if d > 1e-12 {
						t.Errorf("%s: trustml %.17g, sklearn %.17g, rel. diff %.2g", metric, got.V, want, d)
					}
				}
				conf := fit.metrics["confusion"].([]any)
				for r, row := range conf {
					for c, v := range row.([]any) {
						require.Equal(t, int(v.(float64)), m.Confusion[r][c], "confusion[%d][%d]", r, c)
					}
				}
				per := fit.metrics["per_class"].(map[string]any)
				for _, s := range m.PerClass {
					w := per[s.Class].(map[string]any)
					require.Equal(t, int(w["support"].(float64)), s.Support)
					for key, got := range map[string]float64{"precision": s.Precision, "recall": s.Recall, "f1": s.F1} {
						require.LessOrEqual(t, relDiff(got, w[key].(float64)), 1e-12, "%s %s", s.Class, key)
					}
				}
			})
		}
	}
}
