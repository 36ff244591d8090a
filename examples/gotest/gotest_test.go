// Package gotest shows trustml inside go test: a table-driven test over
// several data files, a testify suite, in-code assertions, and a
// deliberately failing test that shows the message format (run it with
// TRUSTML_SHOW_FAILURE=1; CI does not).
package gotest

import (
	"os"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
	"github.com/stretchr/testify/suite"

	"github.com/trustml/trustml/model"
	"github.com/trustml/trustml/trusttest"
)

// A table-driven test: the same suite gates several files.
func TestSuitesTableDriven(t *testing.T) {
	for _, tc := range []struct {
		name, suite, data string
	}{
		{"airquality as shipped", "../airquality/suite.yaml", ""},
		{"regression as shipped", "../regression/suite.yaml", ""},
		{"regression on the same file via --data", "../regression/suite.yaml", "../regression/regression_dataset.txt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var opts []trusttest.Option
			if tc.data != "" {
				opts = append(opts, trusttest.WithData(tc.data))
			}
			res := trusttest.Check(t, tc.suite, opts...)
			require.True(t, res.Passed)
		})
	}
}

// A testify suite: trusttest takes s.T().
type DataSuite struct {
	suite.Suite
	tbl arrow.Table
}

func (s *DataSuite) SetupTest() {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "sqft", Type: arrow.PrimitiveTypes.Float64},
		{Name: "price", Type: arrow.PrimitiveTypes.Float64},
		{Name: "price_hat", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	tbl, err := array.TableFromJSON(memory.DefaultAllocator, schema, []string{`[
		{"sqft": 50, "price": 150, "price_hat": 152},
		{"sqft": 80, "price": 240, "price_hat": 236},
		{"sqft": 120, "price": 355, "price_hat": 361},
		{"sqft": 65, "price": 200, "price_hat": 197}
	]`})
	s.Require().NoError(err)
	s.tbl = tbl
}

func (s *DataSuite) TearDownTest() { s.tbl.Release() }

func (s *DataSuite) TestColumns() {
	trusttest.Expect(s.T(), s.tbl).RowCountBetween(1, 1_000_000)
	trusttest.Expect(s.T(), s.tbl).Column("sqft").NotNull().InRange(10, 1000)
	trusttest.Expect(s.T(), s.tbl).Column("price").NotNull().AtLeast(0).MeanBetween(100, 500)
}

func (s *DataSuite) TestPredictions() {
	trusttest.Model(s.T(), model.PredictionsColumn("price_hat"), s.tbl, "price").
		Metric("r2").AtLeast(0.99).
		Metric("mae").AtMost(5)
}

func TestDataSuite(t *testing.T) { suite.Run(t, new(DataSuite)) }

// TestShowFailure fails on purpose to show what trustml failures look like
// in go test output. It runs only with TRUSTML_SHOW_FAILURE=1.
func TestShowFailure(t *testing.T) {
	if os.Getenv("TRUSTML_SHOW_FAILURE") == "" {
		t.Skip("set TRUSTML_SHOW_FAILURE=1 to see a failing trustml test")
	}
	trusttest.Check(t, "../airquality/failing.yaml")
}
