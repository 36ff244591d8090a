// Package bench checks that the benchmark suite's observed values equal
// the reference values of examples/bench/README.md. It needs the generated
// 10-million-row data, so it runs only when TRUSTML_BENCH_DATA names the
// directory holding bench.parquet, bench.csv and bench.arrow (and, if
// written by ./layouts, the many-file layouts parts/ and csv100/):
//
//	TRUSTML_BENCH_DATA=/tmp/benchdata go test ./examples/bench -v
package bench

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml"
	"github.com/trustml/trustml/result"
)

func TestReferenceValues(t *testing.T) {
	dir := os.Getenv("TRUSTML_BENCH_DATA")
	if dir == "" {
		t.Skip("set TRUSTML_BENCH_DATA to the directory of the generated benchmark data")
	}
	s, err := trustml.Load("suite.yaml")
	require.NoError(t, err)
	data := map[string]string{}
	for _, format := range []string{"parquet", "csv", "arrow"} {
		data[format] = filepath.Join(dir, "bench."+format)
	}
	// The many-file layouts, when go run ./examples/bench/layouts wrote
	// them: 8 Hive partitions by region of 4 Parquet files each (region
	// only in the path), and 100 CSV files under a glob.
	if _, err := os.Stat(filepath.Join(dir, "parts")); err == nil {
		data["parts"] = filepath.Join(dir, "parts")
	}
	if _, err := os.Stat(filepath.Join(dir, "csv100")); err == nil {
		data["csv100"] = filepath.Join(dir, "csv100", "*.csv")
	}
	for name, path := range data {
		t.Run(name, func(t *testing.T) {
			res, err := s.Run(context.Background(), trustml.RunOptions{DataPath: path})
			require.NoError(t, err)
			c := map[string]result.Check{}
			for _, k := range res.Checks {
				c[k.Name] = k
			}
			exact := func(name string, want any, got any) { assert.Equal(t, want, got, name) }
			rel := func(name string, want, got float64) {
				assert.LessOrEqual(t, math.Abs(got-want)/want, 1e-12, "%s: got %v, want %v", name, got, want)
			}
			count := func(name string) int64 { return c[name].Observed.(map[string]any)["count"].(int64) }
			exact("E1 rows", int64(10000000), c["table.row_count"].Observed)
			exact("E2 id distinct", int64(10000000), c["columns.id.distinct"].Observed)
			exact("E2 id repeated", int64(0), *c["columns.id.unique"].UnexpectedCount)
			exact("E3 age outside [0,120]", [2]int64{10058, 10000000}, [2]int64{*c["columns.age.range"].UnexpectedCount, *c["columns.age.range"].ElementCount})
			exact("E4 age nulls", int64(0), count("columns.age.missing"))
			exact("E5 income nulls", int64(99584), count("columns.income.missing"))
			exact("E6 income min", 924.899624852209, c["columns.income.min"].Observed)
			rel("E7 score mean", 99.9989515134729, c["columns.score.mean"].Observed.(float64))
			rel("E8 score stddev", 15.003237450031722, c["columns.score.stddev"].Observed.(float64))
			exact("E9 score median", 99.99723905659627, c["columns.score.median"].Observed)
			exact("E10 region outside the set", int64(0), *c["columns.region.in_set"].UnexpectedCount)
			exact("E11 label minority fraction", 0.0999941, c["columns.label.imbalance"].Observed.(map[string]any)["minority_fraction"])
			exact("E12 x min", 1.4891359145785543e-05, c["columns.x.min"].Observed)
			exact("E12 x max", 99.99999887457051, c["columns.x.max"].Observed)
			exact("E12 y nulls", int64(0), count("columns.y.missing"))
			exact("score nulls", int64(50149), *c["columns.score.mean"].NullCount)
		})
	}
}
