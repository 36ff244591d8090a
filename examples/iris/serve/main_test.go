package main

import (
	"context"
	"math"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml"
	"github.com/trustml/trustml/examples/internal/serving/servingtest"
	"github.com/trustml/trustml/model"
	"github.com/trustml/trustml/result"
)

// TestEndpointSuite serves the fitted model on a loopback port and runs
// endpoint.yaml against it: seen only through HTTP, the served model must
// score exactly what the in-process fit scores in suite.yaml on the same
// held-out rows, and pass the same behavioural tests with the same cases.
func TestEndpointSuite(t *testing.T) {
	ctx := context.Background()
	m, err := fit(ctx, "../iris.csv")
	require.NoError(t, err)
	assert.Equal(t, []string{"setosa", "versicolor", "virginica"}, m.Classes)
	served, fitted, requests := servingtest.Endpoint(t, handler(m))
	assert.Equal(t, 0, served.ExitCode())
	assert.True(t, fitted.Passed)
	assert.Equal(t, fitted.Model.Partition, served.Model.Partition)
	assert.Equal(t, fitted.Model.Classification, served.Model.Classification)
	assert.Equal(t, fitted.Model.ClassBalance, served.Model.ClassBalance)

	// The 30 held-out rows: 9 setosa, 14 versicolor, 7 virginica, of
	// which the model gets 27 right.
	c := served.Model.Classification
	assert.Equal(t, [][]int{{9, 0, 0}, {0, 13, 1}, {0, 2, 5}}, c.Model.Confusion)
	assert.Equal(t, 0.9, c.Model.Accuracy.V)

	byName := func(r *trustml.Result) map[string]result.Check {
		out := map[string]result.Check{}
		for _, c := range r.Checks {
			if c.Section == result.Checklist {
				out[c.Name] = c
			}
		}
		return out
	}
	sc, fc := byName(served), byName(fitted)
	require.Len(t, sc, 7)
	assert.Equal(t, fc, sc, "the same cases, outcomes and examples through HTTP")

	// batch_size 32: 1 request for the 30 held-out rows, then per test
	// ⌈rows/32⌉: MFT 4 and 1 rows, four tests of 100 bases and 100
	// variants (7 each), a sweep of 20 × 13 = 260 rows (9).
	assert.Equal(t, int64(1+1+1+4*7+9), requests)
}

// TestBadRequest: the server names what is missing.
func TestBadRequest(t *testing.T) {
	m, err := fit(context.Background(), "../iris.csv")
	require.NoError(t, err)
	srv := httptest.NewServer(handler(m))
	defer srv.Close()
	s, err := trustml.Load("../endpoint.yaml")
	require.NoError(t, err)
	s.Model.Source.Endpoint.URL = srv.URL + "/predict"
	s.Model.Features = []string{"sepal_length", "sepal_width", "petal_length"}
	_, err = s.Run(context.Background(), trustml.RunOptions{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "400 Bad Request")
	assert.Contains(t, err.Error(), "instance 0: petal_width is missing")
}

// TestDriftSuite: drift.yaml's label drift over the species counts
// (50, 50, 50) of the reference and (10, 50, 50) of later.csv, by hand:
// with N = 260 the expected counts are 150·t/260 and 110·t/260 of the
// column totals t = (60, 100, 100). Its prediction drift runs with the
// fitted model and, unchanged, with the served one.
func TestDriftSuite(t *testing.T) {
	ctx := context.Background()
	ref, cur, tot := []float64{50, 50, 50}, []float64{10, 50, 50}, []float64{60, 100, 100}
	var chi float64
	for k := range tot {
		er, ec := 150*tot[k]/260, 110*tot[k]/260
		chi += (ref[k]-er)*(ref[k]-er)/er + (cur[k]-ec)*(cur[k]-ec)/ec
	}
	psi := 0.0
	for k := range ref {
		r, c := ref[k]/150, cur[k]/110
		psi += (c - r) * math.Log(c/r)
	}

	s, err := trustml.Load("../drift.yaml")
	require.NoError(t, err)
	res, err := s.Run(ctx, trustml.RunOptions{})
	require.NoError(t, err)
	assert.Equal(t, 1, res.ExitCode())
	got := map[string]result.Check{}
	for _, c := range res.Checks {
		got[c.Name] = c
	}
	obs := func(name, key string) any { return got[name].Observed.(map[string]any)[key] }
	assert.InDelta(t, chi, obs("drift.label.chi_square", "statistic"), 1e-9)
	assert.InDelta(t, psi, obs("drift.label.psi", "psi"), 1e-12)
	for _, name := range []string{"drift.label.chi_square", "drift.label.psi", "drift.prediction.chi_square", "drift.prediction.psi"} {
		assert.Equal(t, result.Fail, got[name].Status, name)
	}
	// Predictions on the 22 held-out rows of later.csv against all 150
	// reference rows.
	assert.Equal(t, int64(22), obs("drift.prediction.chi_square", "n_current"))
	assert.Equal(t, int64(150), obs("drift.prediction.chi_square", "n_reference"))

	// The served model (fitted on iris.csv) as the source.
	m, err := fit(ctx, "../iris.csv")
	require.NoError(t, err)
	srv := httptest.NewServer(handler(m))
	defer srv.Close()
	s, err = trustml.Load("../drift.yaml")
	require.NoError(t, err)
	s.Model.Source = model.Source{Kind: model.FromEndpoint, Endpoint: &model.Endpoint{URL: srv.URL + "/predict"}}
	res, err = s.Run(ctx, trustml.RunOptions{})
	require.NoError(t, err)
	assert.Equal(t, "endpoint", res.Model.Source[:8])
	n := 0
	for _, c := range res.Checks {
		if c.Name == "drift.prediction.chi_square" {
			n++
			assert.Equal(t, result.Fail, c.Status, c.Message)
		}
	}
	assert.Equal(t, 1, n)
}
