package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml"
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
	var requests atomic.Int64
	h := handler(m)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()

	s, err := trustml.Load("../endpoint.yaml")
	require.NoError(t, err)
	s.Model.Source.Endpoint.URL = srv.URL + "/predict"
	served, err := s.Run(ctx, trustml.RunOptions{})
	require.NoError(t, err)
	assert.True(t, served.Passed)
	assert.Equal(t, 0, served.ExitCode())

	local, err := trustml.Load("../suite.yaml")
	require.NoError(t, err)
	fitted, err := local.Run(ctx, trustml.RunOptions{})
	require.NoError(t, err)
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
	assert.Equal(t, int64(1+1+1+4*7+9), requests.Load())
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
