package trusttest

import (
	"context"
	"github.com/trustml/trustml/bound"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/trustml/trustml/model"
	"github.com/trustml/trustml/result"
)

// ModelCheck asserts objectives of a regressor on a table. Create it with
// Model.
type ModelCheck struct {
	t       TestingT
	metrics *model.Metrics // nil when the model could not be evaluated
	n       int
}

// Model predicts every row of tbl with m and measures the predictions
// against the target column; rows with a null, NaN or infinite target are
// left out. The assertions that follow (Metric(...).AtLeast ...) read the
// measured metrics. A model that fails to predict, or a missing target,
// is reported with t.Errorf.
func Model(t TestingT, m model.Regressor, tbl arrow.Table, target string) *ModelCheck {
	t.Helper()
	mc := &ModelCheck{t: t}
	rr := array.NewTableReader(tbl, 0)
	defer rr.Release()
	var y, yhat []float64
	for rr.Next() {
		b := rr.RecordBatch()
		ys, err := model.Float64s([]arrow.RecordBatch{b}, target)
		if err != nil {
			t.Errorf("model: target: %v", err)
			return mc
		}
		p, err := model.PredictAll(context.Background(), m, []arrow.RecordBatch{b})
		if err != nil {
			t.Errorf("model: %v", err)
			return mc
		}
		for i, v := range ys {
			if !math.IsNaN(v) && !math.IsInf(v, 0) { // Float64s reads a null as NaN
				y = append(y, v)
				yhat = append(yhat, p[i])
			}
		}
	}
	if err := rr.Err(); err != nil {
		t.Errorf("model: %v", err)
		return mc
	}
	ms := model.Measure(y, yhat)
	mc.metrics, mc.n = &ms, len(y)
	return mc
}

// Metric selects one metric (one of model.MetricNames: "r2", "rmse", ...)
// for an assertion.
func (mc *ModelCheck) Metric(name string) *MetricCheck {
	return &MetricCheck{mc: mc, name: name}
}

// MetricCheck is one metric of a ModelCheck awaiting its bound.
type MetricCheck struct {
	mc   *ModelCheck
	name string
}

// AtLeast asserts metric ≥ lo.
func (m *MetricCheck) AtLeast(lo float64) *ModelCheck {
	m.mc.t.Helper()
	return m.assert(bound.AtLeast(lo))
}

// AtMost asserts metric ≤ hi.
func (m *MetricCheck) AtMost(hi float64) *ModelCheck {
	m.mc.t.Helper()
	return m.assert(bound.AtMost(hi))
}

// Between asserts lo ≤ metric ≤ hi.
func (m *MetricCheck) Between(lo, hi float64) *ModelCheck {
	m.mc.t.Helper()
	return m.assert(bound.Between(lo, hi))
}

func (m *MetricCheck) assert(th bound.Interval) *ModelCheck {
	t := m.mc.t
	t.Helper()
	if m.mc.metrics == nil {
		return m.mc // the model could not be evaluated: already reported
	}
	v, err := m.mc.metrics.Get(m.name)
	if err != nil {
		t.Errorf("model.%s: %v", m.name, err)
		return m.mc
	}
	want := th.String()
	switch model.Judge(th, v) {
	case model.Undefined:
		t.Errorf("model.%s: undefined on %d rows: %s", m.name, m.mc.n, v.Reason)
	case model.Fail:
		t.Errorf("model.%s: %s %s on %d rows, expected %s", m.name, m.name, result.Human(v.V), m.mc.n, want)
	}
	return m.mc
}
