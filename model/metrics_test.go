package model

import (
	"encoding/json"
	"github.com/trustml/trustml/bound"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEvaluateByHand(t *testing.T) {
	// y = 1,2,3,4; ŷ = 1.5,2,2,5; residuals ŷ-y = 0.5,0,-1,1.
	// Baseline ŷ = 2: residuals 1,0,-1,-2. ȳ = 2.5, SS_tot = 5.
	e := Evaluate([]float64{1, 2, 3, 4}, []float64{1.5, 2, 2, 5}, 2)
	want := map[string]float64{
		"mse":       (0.25 + 0 + 1 + 1) / 4,
		"rmse":      0.75,
		"mae":       (0.5 + 0 + 1 + 1) / 4,
		"r2":        1 - 2.25/5,
		"mape":      (0.5/1 + 0 + 1.0/3 + 1.0/4) / 4,
		"median_ae": (0.5 + 1) / 2, // sorted 0, 0.5, 1, 1
		"max_error": 1,
		"bias":      0.5 / 4,
	}
	wantBase := map[string]float64{
		"mse": 6.0 / 4, "rmse": math.Sqrt(1.5), "mae": 1, "r2": 1 - 6.0/5,
		"mape": (1 + 0 + 1.0/3 + 0.5) / 4, "median_ae": 1, "max_error": 2, "bias": -0.5,
	}
	assert.Equal(t, 4, e.Model.N)
	assert.Equal(t, 2.0, e.TrainMean)
	for _, name := range MetricNames() {
		v, err := e.Model.Get(name)
		require.NoError(t, err)
		assert.True(t, v.Defined, name)
		assert.InDelta(t, want[name], v.V, 1e-15, name)
		b, err := e.Baseline.Get(name)
		require.NoError(t, err)
		assert.InDelta(t, wantBase[name], b.V, 1e-15, "baseline "+name)
	}
	// Odd count: the median is the middle value.
	m := Measure([]float64{0, 0, 0}, []float64{3, -1, 2})
	assert.Equal(t, 2.0, m.MedianAE.V)
	assert.Equal(t, 3.0, m.MaxError.V)
}

func TestMeasureUndefined(t *testing.T) {
	m := Measure([]float64{3, 3, 3}, []float64{2, 3, 5})
	assert.Equal(t, Value{Reason: "target is constant"}, m.R2)
	assert.True(t, m.MSE.Defined)
	assert.Equal(t, Undefined, Judge(bound.AtLeast(0.5), m.R2))
	assert.Equal(t, "undefined (target is constant)", m.R2.String())

	// Zero targets are left out of MAPE and counted.
	m = Measure([]float64{0, 2, 0, 4}, []float64{1, 1, 1, 5})
	assert.Equal(t, 2, m.ZeroTargets)
	assert.InDelta(t, (0.5+0.25)/2, m.MAPE.V, 1e-15)
	m = Measure([]float64{0, 0}, []float64{1, 2})
	assert.Equal(t, Value{Reason: "every target is 0"}, m.MAPE)
	assert.Equal(t, 2, m.ZeroTargets)

	for _, tc := range []struct {
		name    string
		y, yhat []float64
		reason  string
	}{
		{"empty", nil, nil, "no rows"},
		{"NaN prediction", []float64{1, 2}, []float64{1, nan}, "prediction of row 1 is NaN"},
		{"Inf target", []float64{math.Inf(1), 2}, []float64{1, 2}, "target of row 0 is +Inf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := Measure(tc.y, tc.yhat)
			for _, name := range MetricNames() {
				v, _ := m.Get(name)
				assert.Equal(t, Value{Reason: tc.reason}, v, name)
			}
		})
	}
	e := Evaluate([]float64{1, 2}, []float64{1, 2}, nan)
	assert.True(t, e.Model.R2.Defined)
	assert.Equal(t, "prediction of row 0 is NaN", e.Baseline.RMSE.Reason)
	assert.Panics(t, func() { Evaluate([]float64{1}, nil, 0) })
}

func TestMetricsLookupAndJSON(t *testing.T) {
	_, err := Metrics{}.Get("rsme")
	assert.EqualError(t, err, `model: unknown metric "rsme" (known: mse, rmse, mae, r2, mape, median_ae, max_error, bias)`)
	names := MetricNames()
	names[0] = "changed"
	assert.Equal(t, "mse", MetricNames()[0], "MetricNames returns a copy")

	data, err := json.Marshal(Measure([]float64{1, 1}, []float64{1, 2}))
	require.NoError(t, err)
	assert.JSONEq(t, `{"n":2,"zero_targets":0,
		"mse":{"value":0.5,"defined":true},"rmse":{"value":0.7071067811865476,"defined":true},
		"mae":{"value":0.5,"defined":true},"r2":{"value":0,"defined":false,"reason":"target is constant"},
		"mape":{"value":0.5,"defined":true},"median_ae":{"value":0.5,"defined":true},
		"max_error":{"value":1,"defined":true},"bias":{"value":0.5,"defined":true}}`, string(data))
}

func TestJudge(t *testing.T) {
	v := func(x float64) Value { return Value{V: x, Defined: true} }
	for _, tc := range []struct {
		b    bound.Interval
		v    Value
		want Verdict
	}{
		{bound.AtLeast(0.5), v(0.5), Pass},
		{bound.AtLeast(0.5), v(0.49), Fail},
		{bound.AtMost(25), v(25), Pass},
		{bound.AtMost(25), v(25.1), Fail},
		{bound.Between(0, 1), v(-0.1), Fail},
		{bound.Between(0, 1), v(1), Pass},
		{bound.Interval{Max: ptr(1), StrictMax: true}, v(1), Fail},
		{bound.Interval{}, v(-1e300), Pass},
		{bound.AtLeast(0), Value{Reason: "no rows"}, Undefined},
	} {
		assert.Equal(t, tc.want, Judge(tc.b, tc.v), "%s on %v", tc.b, tc.v)
	}
}
