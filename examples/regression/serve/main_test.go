package main

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml"
	"github.com/trustml/trustml/checklist"
	"github.com/trustml/trustml/examples/internal/serving/servingtest"
	"github.com/trustml/trustml/result"
)

// TestEndpointSuite serves the fitted line and runs endpoint.yaml against
// it: the served model, seen only through HTTP, must score exactly what
// the in-process fit scores in suite.yaml on the same held-out rows.
func TestEndpointSuite(t *testing.T) {
	ctx := context.Background()
	m, err := fit(ctx, "../regression_dataset.txt")
	require.NoError(t, err)
	served, fitted, requests := servingtest.Endpoint(t, handler(m))
	assert.Equal(t, fitted.Model.Partition, served.Model.Partition)
	assert.Equal(t, fitted.Model.Evaluation, served.Model.Evaluation)
	assert.Equal(t, "endpoint", served.Model.Source[:8])

	// The behavioural test sends its 100 base rows and 100 variants in one
	// Predict call, which the endpoint cuts into ⌈200/16⌉ = 13 requests;
	// evaluating the 40 held-out rows took ⌈40/16⌉ = 3.
	last := served.Checks[len(served.Checks)-1]
	require.Equal(t, "checklist.one more x adds about three to y", last.Name)
	assert.Equal(t, result.Pass, last.Status)
	assert.Equal(t, 1, last.Details.(checklist.Details).Calls)
	assert.Equal(t, int64(16), requests)
}

func TestEndpointDown(t *testing.T) {
	srv := httptest.NewServer(nil)
	url := srv.URL
	srv.Close()
	s, err := trustml.Load("../endpoint.yaml")
	require.NoError(t, err)
	s.Model.Source.Endpoint.URL = url + "/predict"
	s.Model.Source.Endpoint.Retries = -1
	_, err = s.Run(context.Background(), trustml.RunOptions{})
	require.Error(t, err)
	// The first chunk in row order is the one reported, whatever the
	// scheduling of the concurrent requests: the first 16 evaluated rows,
	// named by their data rows.
	assert.Regexp(t, `^\.\./endpoint\.yaml:9:1: model: endpoint POST `+url+`/predict: data rows 13, 15, 17, 23, 26, … \(16 rows\): .*connection refused$`, err.Error())
}
