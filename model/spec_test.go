package model

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/bound"
	"github.com/trustml/trustml/internal/section"
	"github.com/trustml/trustml/internal/yamlx"
)

// decodeModel decodes src, the value of a suite's model key.
func decodeModel(t *testing.T, src string) (*Spec, error) {
	t.Helper()
	root, err := yamlx.Parse("s.yaml", []byte(src))
	require.NoError(t, err)
	d := &yamlx.Decoder{File: "s.yaml"}
	fields, ok := d.Mapping(root, "", []string{"model"})
	require.True(t, ok)
	spec := section.Decode("model", d, fields[0].KeyN, fields[0].Value, fields[0].Path, section.Env{Dir: "/suites"}).(*Spec)
	return spec, d.Err()
}

func TestDecodeSources(t *testing.T) {
	for _, c := range []struct {
		src  string
		want Source
		desc string
	}{
		{"model: {target: y, features: [x], train: {algorithm: ridge, alpha: 2}}",
			Source{Kind: FromTrain, Train: &FitOptions{Algorithm: AlgorithmRidge, Alpha: 2}}, "fitted ridge"},
		{"model: {target: y, predictions: yhat}", Source{Kind: FromPredictions, Column: "yhat"}, `predictions column "yhat"`},
		{"model: {target: y, features: [x], command: [bin/m, --fast]}",
			Source{Kind: FromCommand, Command: []string{"/suites/bin/m", "--fast"}}, `command ["/suites/bin/m" "--fast"]`},
		{"model: {target: y, features: [x], endpoint: {url: 'http://127.0.0.1:1/p'}}",
			Source{Kind: FromEndpoint, Endpoint: &Endpoint{URL: "http://127.0.0.1:1/p"}}, "endpoint endpoint POST http://127.0.0.1:1/p"},
	} {
		spec, err := decodeModel(t, c.src)
		require.NoError(t, err, c.src)
		assert.Equal(t, c.want, spec.Source, c.src)
		assert.Contains(t, spec.Source.String(), c.desc)
		assert.NoError(t, spec.Validate(), "a decoded spec passes the same Validate")
	}
}

// The same rules hold for a spec built in Go, with key paths instead of
// positions.
func TestSpecValidate(t *testing.T) {
	bad := &Spec{
		Features: []string{"y", "x"},
		Target:   "y",
		Source:   Source{Kind: FromTrain, Train: &FitOptions{Algorithm: "lasso"}},
		Split:    Split{Method: SplitRandom, By: "t"},
		Objectives: []Objective{
			{Metric: "rmse", Bounds: bound.Between(3, 2)},
			{Metric: "mae"},
			{Metric: "r3", Bounds: bound.AtLeast(0)},
		},
		CompareTo: &Compare{Source: Source{Kind: "grpc"}, NBoot: 5},
	}
	assert.EqualError(t, bad.Validate(), `model.train.algorithm: unknown algorithm "lasso"; algorithms are linear (ordinary least squares), ridge and logistic (a classifier)
model.features: lists the target "y" among the features
model.split.test_fraction: missing: a random split needs the fraction of rows held out, e.g. 0.2
model.split.by: applies to time splits; set method: time or remove by
model.metrics.rmse: min 3 > max 2: no value can pass
model.metrics.mae: needs at least one of min or max
model.metrics.r3: unknown metric "r3" (did you mean "r2"?); metrics are mse, rmse, mae, r2, mape, median_ae, max_error, bias
model.compare_to: unknown model source kind "grpc"; kinds are train, predictions, endpoint or command
model.compare_to.n_boot: must be between 100 and 100000, got 5`)

	assert.EqualError(t, (&Spec{}).Validate(), `model.target: missing: the column the model predicts
model: needs one model source: train, predictions, endpoint or command`)
	good := &Spec{Target: "y", Features: []string{"x"}, Source: Source{Kind: FromCommand, Command: []string{"m"}},
		Objectives: []Objective{{Metric: "r2", Bounds: bound.AtLeast(0.5)}},
		CompareTo:  &Compare{Source: Source{Kind: FromPredictions, Column: "old"}, MaxWorse: []Objective{{Metric: "rmse", Bounds: bound.AtMost(1)}}}}
	assert.NoError(t, good.Validate())
	assert.Equal(t, []string{"y", "x", "old"}, good.Columns())
}

// A source kind the code does not know is an error, never a subprocess.
func TestOpenUnknownKind(t *testing.T) {
	for _, k := range []SourceKind{"", "grpc", "Command"} {
		_, err := Source{Kind: k, Command: []string{"true"}}.Open(context.Background(), nil, OpenOptions{Features: []string{"x"}})
		assert.EqualError(t, err, `model: unknown model source kind "`+string(k)+`"; kinds are train, predictions, endpoint or command`)
	}
	o, err := Source{Kind: FromPredictions, Column: "p"}.Open(context.Background(), nil, OpenOptions{})
	require.NoError(t, err)
	assert.Equal(t, PredictionsColumn("p"), o.Regressor)
	assert.Nil(t, o.Closer)
	o, err = Source{Kind: FromCommand, Command: []string{"m"}}.Open(context.Background(), nil, OpenOptions{Features: []string{"a"}})
	require.NoError(t, err)
	assert.Equal(t, &Command{Argv: []string{"m"}, Features: []string{"a"}}, o.Regressor)
	assert.NotNil(t, o.Closer)
}

// Every kind is declared once, in the adapters table, with all it needs.
func TestAdaptersTable(t *testing.T) {
	assert.Equal(t, []SourceKind{FromTrain, FromPredictions, FromEndpoint, FromCommand}, SourceKinds())
	for _, a := range adapters {
		assert.NotNil(t, a.decode, a.kind)
		assert.NotNil(t, a.describe, a.kind)
		assert.NotNil(t, a.validate, a.kind)
		assert.NotNil(t, a.open, a.kind)
	}
}
