// Package servingtest runs an example's suites against its model server
// (see package serving) in a test.
package servingtest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml"
)

// Endpoint serves h on a loopback port and runs the example's
// ../endpoint.yaml against it, which must pass, and its ../suite.yaml,
// which fits the same model in process: the two results, and how many
// requests the server answered.
func Endpoint(t testing.TB, h http.Handler) (served, fitted *trustml.Result, requests int64) {
	t.Helper()
	ctx := context.Background()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()

	s, err := trustml.Load("../endpoint.yaml")
	require.NoError(t, err)
	s.Model.Source.Endpoint.URL = srv.URL + "/predict"
	served, err = s.Run(ctx, trustml.RunOptions{})
	require.NoError(t, err)
	assert.True(t, served.Passed)

	local, err := trustml.Load("../suite.yaml")
	require.NoError(t, err)
	fitted, err = local.Run(ctx, trustml.RunOptions{})
	require.NoError(t, err)
	return served, fitted, n.Load()
}
