package steps

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/trusttest"
)

const data = "../regression_dataset.txt"

func TestLoad(t *testing.T) {
	tbl, err := Load(t.Context(), data)
	require.NoError(t, err)
	defer tbl.Release()
	trusttest.Expect(t, tbl).RowCountBetween(100, 100000).HasColumns("x", "y")
	trusttest.Expect(t, tbl).Column("x").HasType("float64").NotNull().InRange(0, 10)
	trusttest.Expect(t, tbl).Column("y").NotNull().MeanBetween(10, 30)
}

// split loads the data and splits it, releasing everything when the test
// ends.
func split(t *testing.T) (train, test arrow.Table) {
	t.Helper()
	tbl, err := Load(t.Context(), data)
	require.NoError(t, err)
	t.Cleanup(tbl.Release)
	train, test, err = Split(tbl)
	require.NoError(t, err)
	t.Cleanup(train.Release)
	t.Cleanup(test.Release)
	return train, test
}

func TestSplit(t *testing.T) {
	train, test := split(t)
	trusttest.Expect(t, train).RowCountBetween(160, 160)
	trusttest.Expect(t, test).RowCountBetween(40, 40)
}

func TestTrain(t *testing.T) {
	train, test := split(t)
	m, err := Train(t.Context(), train)
	require.NoError(t, err)
	// The generator draws y = 3x + 4 + N(0, 2²).
	require.InDelta(t, 3, m.Coefficients[0].Value, 0.2)
	require.InDelta(t, 4, m.Intercept, 1)
	// Held out, the line explains the data; on the training rows too.
	trusttest.Model(t, m, test, "y").Metric("r2").AtLeast(0.9).Metric("rmse").AtMost(2.5)
	trusttest.Model(t, m, train, "y").Metric("bias").Between(-1e-9, 1e-9)
}

func TestEvaluate(t *testing.T) {
	train, test := split(t)
	m, err := Train(t.Context(), train)
	require.NoError(t, err)
	ev, err := Evaluate(t.Context(), m, train, test)
	require.NoError(t, err)
	require.Equal(t, 40, ev.Model.N)
	require.Less(t, ev.Model.RMSE.V, ev.Baseline.RMSE.V/3, "the line beats predicting the mean by far")
}
