package duckdb_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/expect"
	"github.com/trustml/trustml/internal/sqltest"
	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/result"
	"github.com/trustml/trustml/sqlsource"
	"github.com/trustml/trustml/sqlsource/duckdb"
)

// recorder is a Querier that records the statements it passes on.
type recorder struct {
	q       expect.Querier
	queries []string
}

func (r *recorder) Query(ctx context.Context, q string) ([][]any, error) {
	r.queries = append(r.queries, q)
	return r.q.Query(ctx, q)
}

// pushRecorded loads tbl into DuckDB, pushes the suite yml down to it and
// evaluates it locally: both results and the statements sent.
func pushRecorded(t *testing.T, yml string, tbl arrow.Table) (want, got []result.Check, queries []string) {
	ctx := context.Background()
	keyed := sqltest.WithKey(tbl)
	defer keyed.Release()
	file := load(t, "t", keyed)
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(yml), &n); err != nil {
		t.Fatal(err)
	}
	d := &yamlx.Decoder{File: "suite.yaml"}
	s := expect.Decode(d, n.Content[0], "expectations")
	if err := d.Err(); err != nil {
		t.Fatal(err)
	}
	var err error
	if want, err = s.Evaluate(ctx, array.NewTableReader(keyed, 7), expect.Options{}); err != nil {
		t.Fatal(err)
	}
	src, err := sqlsource.Open(ctx, &sqlsource.Spec{Engine: "duckdb", DSN: "${F}", Table: "t", Key: sqltest.KeyColumn, Timeout: time.Minute},
		func(string) (string, bool) { return file, true })
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	pd, err := s.CompilePushdown(src.Schema(), src.Dialect(), src.Table(), expect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if pd.Local() != nil {
		t.Fatalf("checks computed locally: %v", pd.Local().Names())
	}
	rec := &recorder{q: src}
	if got, _, err = pd.Run(ctx, rec, nil); err != nil {
		t.Fatal(err)
	}
	return want, got, rec.queries
}

// TestMiddleDuckDB: DuckDB's quantile_disc at ½ and ½ + 2⁻⁴⁰ (expect's
// default Middle: the two elements of one quantile_disc over both) are
// the ranks ⌈n/2⌉−1 and ⌊n/2⌋ for n = 1..50 distinct
// shuffled values with NULLs between them: every median, pushed down in
// one query, is the sort's middle value (odd n) or the mean of its two
// middle values (even n; distinct sorted values, so no other pair of
// neighbours has that mean). The middle values are read over the column
// as it is (Dialect.RawMiddle): a column with NaN, or an odd count of
// values with +Inf among them, is settled by the second pass, with NaN as
// NULL, and gives the local engine's median.
func TestMiddleDuckDB(t *testing.T) {
	const maxN = 50
	rng := rand.New(rand.NewPCG(15, 1))
	names := make([]string, maxN)
	cols := make([][]float64, maxN)
	valid := make([][]bool, maxN)
	sorted := make([][]float64, maxN)
	var yml strings.Builder
	yml.WriteString("columns:\n")
	for k := range maxN {
		n := k + 1
		names[k] = fmt.Sprintf("c%d", n)
		fmt.Fprintf(&yml, "  %s: {median: {min: -1000}}\n", names[k])
		vals := make([]float64, n)
		for i, p := range rng.Perm(4 * maxN)[:n] {
			vals[i] = float64(p-2*maxN) / 4
		}
		cols[k], valid[k] = make([]float64, maxN), make([]bool, maxN)
		for i, r := range rng.Perm(maxN)[:n] {
			cols[k][r], valid[k][r] = vals[i], true
		}
		sorted[k] = slices.Sorted(slices.Values(vals))
	}
	tbl := sqltest.Floats(names, cols, valid)
	defer tbl.Release()
	want, got, queries := pushRecorded(t, yml.String(), tbl)
	if len(queries) != 1 {
		t.Errorf("%d queries, want the one scan:\n%s", len(queries), strings.Join(queries, "\n"))
	}
	sameChecks(t, want, got)
	for k, s := range sorted {
		n := len(s)
		median := s[n/2]
		if n%2 == 0 {
			median = (s[n/2-1] + s[n/2]) / 2
		}
		if got[k].Observed != median {
			t.Errorf("n = %d: median %v, the sort's %v (%v)", n, got[k].Observed, median, s)
		}
	}

	// 3, NaN, 1, 2, 5, NaN has the median 2.5 of its four values.
	if !duckdb.Dialect.RawMiddle {
		t.Fatal("Dialect.RawMiddle")
	}
	nan := math.NaN()
	tbl2 := sqltest.Floats([]string{"x", "y"}, [][]float64{{3, nan, 1, 2, 5, nan}, {nan, math.Inf(1), 1, 0, 0, 0}}, nil)
	defer tbl2.Release()
	want, got, queries = pushRecorded(t, "columns:\n  x: {median: {min: 0}}\n  y: {quantiles: {bounds: [{q: 0.5, min: 0}], interpolation: higher}}\n", tbl2)
	sameChecks(t, want, got)
	if got[0].Observed != 2.5 {
		t.Errorf("median %v, want 2.5", got[0].Observed)
	}
	if len(queries) != 2 {
		t.Errorf("%d queries, want the scan and the second pass:\n%s", len(queries), strings.Join(queries, "\n"))
	}
}

// TestStddevSettlesDuckDB: DuckDB's stddev_samp (Welford) is read in the
// first scan; the column whose check's bound lies within the error bound
// of it is settled by the second pass. By hand, for 1, 1, 3 the two-pass
// value in doubles is √(2.666666666666667/2) = 1.1547005383792517 (exact:
// 2/√3 = 1.15470053837925152…): a check {min: 1.1547005383792517} passes,
// as locally; b, the same values under {min: 1, max: 2}, reads the
// one-pass value.
func TestStddevSettlesDuckDB(t *testing.T) {
	xs := []float64{1, 1, 3}
	tbl := sqltest.Floats([]string{"a", "b"}, [][]float64{xs, xs}, nil)
	defer tbl.Release()
	want, got, queries := pushRecorded(t, "columns:\n  a: {stddev: {min: 1.1547005383792517}}\n  b: {stddev: {min: 1, max: 2}}\n", tbl)
	sameChecks(t, want, got)
	if got[0].Status != result.Pass || got[0].Observed != 1.1547005383792517 {
		t.Errorf("a: %s %v, want pass 1.1547005383792517", got[0].Status, got[0].Observed)
	}
	if v, _ := got[1].Observed.(float64); math.Abs(v/(2/math.Sqrt(3))-1) > 1e-15 {
		t.Errorf("b: %v, want 2/√3", got[1].Observed)
	}
	if len(queries) != 2 || !strings.Contains(queries[1], `"a"`) || strings.Contains(queries[1], `"b"`) {
		t.Errorf("want the scan and a second pass for a alone:\n%s", strings.Join(queries, "\n"))
	}
	if !strings.Contains(queries[0], `stddev_samp(CAST(CASE WHEN isnan("a")`) {
		t.Errorf("the one-pass value in the first scan:\n%s", queries[0])
	}
}
