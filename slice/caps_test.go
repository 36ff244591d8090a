package slice

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestCaps: every count that sizes the slices' work is capped, with its
// position when decoded and by Validate for specs built in Go.
func TestCaps(t *testing.T) {
	cols := make([]string, MaxSearchFeatures+1)
	for i := range cols {
		cols[i] = fmt.Sprintf("c%d", i)
	}
	edges := make([]string, MaxBinEdges+1)
	for i := range edges {
		edges[i] = fmt.Sprint(i)
	}
	for _, c := range []struct{ src, want string }{
		{"slices: {by: [Month], n_boot: 100001}", "suite.yaml:1:31: slices.n_boot: must be between 0 and 100000, got 100001"},
		{"slices: {by: [{column: T, quantiles: 101}]}", "suite.yaml:1:38: slices.by[0].quantiles: must be between 2 and 100, got 101"},
		{"slices: {by: [{column: T, bins: [" + strings.Join(edges, ", ") + "]}]}", "suite.yaml:1:33: slices.by[0].bins: needs between 2 and 1000 edges, got 1001"},
		{"slices: {search: {top_k: 1001, features: [a]}}", "suite.yaml:1:26: slices.search.top_k: must be between 1 and 1000, got 1001"},
		{"slices: {search: {pairs: true, features: [" + strings.Join(cols, ", ") + "]}}", "suite.yaml:1:42: slices.search.features: lists 101 columns; the search takes at most 100"},
	} {
		_, err := decodeSrc(t, c.src)
		assert.EqualError(t, err, c.want, c.src)
	}

	var feats []Dim
	for _, c := range cols {
		feats = append(feats, Dim{Column: c})
	}
	bins := make([]float64, MaxBinEdges+1)
	for i := range bins {
		bins[i] = float64(i)
	}
	for _, c := range []struct {
		spec Spec
		want string
	}{
		{Spec{NBoot: MaxNBoot + 1}, "slice: n_boot: must be between 0 and 100000, got 100001"},
		{Spec{By: []Slicing{{{Column: "T", Quantiles: 101}}}}, `slice: by[0].quantiles: must be between 2 and 100, got 101`},
		{Spec{By: []Slicing{{{Column: "T", Bins: bins}}}}, `slice: by[0].bins: needs between 2 and 1000 edges, got 1001`},
		{Spec{Search: &Search{Features: []Dim{{Column: "a"}}, TopK: 1001}}, "slice: search.top_k: must be between 1 and 1000, got 1001"},
		{Spec{Search: &Search{Features: feats, Pairs: true}}, "slice: search.features: lists 101 columns; the search takes at most 100"},
	} {
		assert.EqualError(t, c.spec.Validate(), c.want)
	}
}
