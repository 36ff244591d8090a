package checklist_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/trustml/trustml/bound"
	"math"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/checklist"
	"github.com/trustml/trustml/model"
	"github.com/trustml/trustml/result"
)

// The fixture has 100 rows, i = 0..99, in two batches (rows 0..59 and
// 60..99):
//
//	x = i            float64
//	z = i mod 7      int64    (no model below reads it, except zModel)
//	g = A, B, C      string   by i mod 3: 34 A (i ≡ 0), 33 B (i ≡ 1), 33 C (i ≡ 2)
//	y = i            float64  the target; its sample standard deviation is
//	                          √(100·101/12) = 29.0115
func fixture(t testing.TB, mem memory.Allocator) []arrow.RecordBatch {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "z", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "g", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "y", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	var out []arrow.RecordBatch
	for _, span := range [][2]int{{0, 60}, {60, 100}} {
		b := array.NewRecordBuilder(mem, schema)
		for i := span[0]; i < span[1]; i++ {
			b.Field(0).(*array.Float64Builder).Append(float64(i))
			b.Field(1).(*array.Int64Builder).Append(int64(i % 7))
			b.Field(2).(*array.StringBuilder).Append([]string{"A", "B", "C"}[i%3])
			b.Field(3).(*array.Float64Builder).Append(float64(i))
		}
		rec := b.NewRecordBatch()
		b.Release()
		t.Cleanup(rec.Release)
		out = append(out, rec)
	}
	return out
}

// newMem returns an allocator that must be back to zero when the test ends.
func newMem(t *testing.T) *memory.CheckedAllocator {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

// fn is a model known exactly, as a function of one row.
type fn func(x, z float64, g string) float64

func isB(g string) float64 {
	if g == "B" {
		return 1
	}
	return 0
}

var (
	// linear is 2x + 10·[g = B]; it ignores z.
	linear fn = func(x, _ float64, g string) float64 { return 2*x + 10*isB(g) }
	// negated is −linear: the same magnitudes, all predictions ≤ 0.
	negated fn = func(x, z float64, g string) float64 { return -linear(x, z, g) }
	// bumpy is x, except for g = B with 40 ≤ x < 60, where it is 80 − x:
	// it decreases there.
	bumpy fn = func(x, _ float64, g string) float64 {
		if g == "B" && x >= 40 && x < 60 {
			return 80 - x
		}
		return x
	}
	// zModel is z: it reads only the column the others ignore.
	zModel fn = func(_, z float64, _ string) float64 { return z }
)

// local is an in-process Regressor that counts its calls.
type local struct {
	f     fn
	calls atomic.Int32
}

func (m *local) Predict(ctx context.Context, b arrow.RecordBatch) ([]float64, error) {
	m.calls.Add(1)
	col := func(name string) arrow.Array {
		for i := range int(b.NumCols()) {
			if b.ColumnName(i) == name {
				return b.Column(i)
			}
		}
		return nil
	}
	x, okX := col("x").(*array.Float64)
	z, okZ := col("z").(*array.Int64)
	g, okG := col("g").(*array.String)
	if !okX || !okZ || !okG {
		return nil, fmt.Errorf("unexpected schema %s", b.Schema())
	}
	out := make([]float64, b.NumRows())
	for i := range out {
		if x.IsNull(i) || z.IsNull(i) || g.IsNull(i) {
			return nil, fmt.Errorf("row %d has a null", i)
		}
		out[i] = m.f(x.Value(i), float64(z.Value(i)), g.Value(i))
	}
	return out, nil
}

// serve starts an HTTP model server computing f, counting requests.
func serve(t *testing.T, f fn) (*httptest.Server, *atomic.Int32) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		var req struct {
			Instances []struct {
				X *float64 `json:"x"`
				Z *float64 `json:"z"`
				G *string  `json:"g"`
			} `json:"instances"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		preds := make([]float64, len(req.Instances))
		for i, in := range req.Instances {
			if in.X == nil || in.Z == nil || in.G == nil {
				http.Error(w, fmt.Sprintf("instance %d has a null", i), http.StatusBadRequest)
				return
			}
			preds[i] = f(*in.X, *in.Z, *in.G)
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"predictions": preds})
	}))
	t.Cleanup(srv.Close)
	return srv, &requests
}

func ptr(v float64) *float64 { return &v }

func details(t *testing.T, c result.Check) checklist.Details {
	t.Helper()
	d, ok := c.Details.(checklist.Details)
	require.True(t, ok, "details are %T", c.Details)
	return d
}

// want is what a test must find.
type want struct {
	cases, applicable, failed int
	rows, calls               int
}

// The counts below follow from the models' formulas; every test draws
// all 100 rows (n defaults to 100), so no count depends on the seed.
var known = []struct {
	name  string
	f     fn
	test  checklist.Test
	batch int
	want  want
}{
	{
		// Δ = 2·5 = 10 for every row.
		name: "linear rises with x", f: linear,
		test: checklist.Test{Type: checklist.DIR, Perturb: []checklist.Perturbation{checklist.Add("x", 5)},
			Change: checklist.Change{Direction: checklist.Increase}},
		want: want{cases: 100, applicable: 100, failed: 0, rows: 200, calls: 1},
	},
	{
		name: "linear does not fall with x", f: linear,
		test: checklist.Test{Type: checklist.DIR, Perturb: []checklist.Perturbation{checklist.Add("x", 5)},
			Change: checklist.Change{Direction: checklist.Decrease}},
		want: want{cases: 100, applicable: 100, failed: 100, rows: 200, calls: 1},
	},
	{
		// Δ is exactly 10: the bounds include their boundary.
		name: "linear moves by exactly 10", f: linear,
		test: checklist.Test{Type: checklist.DIR, Perturb: []checklist.Perturbation{checklist.Add("x", 5)},
			Change: checklist.Change{Interval: bound.Interval{Min: ptr(10), Max: ptr(10)}}},
		want: want{cases: 100, applicable: 100, failed: 0, rows: 200, calls: 1},
	},
	{
		// 64 rows per call: 200 rows make 4 calls (64, 64, 64, 8).
		name: "small batches", f: linear, batch: 64,
		test: checklist.Test{Type: checklist.DIR, Perturb: []checklist.Perturbation{checklist.Add("x", 5)},
			Change: checklist.Change{Direction: checklist.Increase}},
		want: want{cases: 100, applicable: 100, failed: 0, rows: 200, calls: 4},
	},
	{
		// The model ignores z, so z + 1 moves nothing: every case fails a
		// test that demands a move.
		name: "ignored column must move", f: linear,
		test: checklist.Test{Type: checklist.DIR, Perturb: []checklist.Perturbation{checklist.Add("z", 1)},
			Change: checklist.Change{Interval: bound.Interval{Min: ptr(0.5)}}},
		want: want{cases: 100, applicable: 100, failed: 100, rows: 200, calls: 1},
	},
	{
		// z = 3 already in the 14 rows with i ≡ 3 (mod 7): those variants
		// equal their base, are not applicable and are not predicted.
		name: "ignored column is irrelevant", f: linear,
		test: checklist.Test{Type: checklist.INV, Perturb: []checklist.Perturbation{checklist.Set("z", 3)}},
		want: want{cases: 100, applicable: 86, failed: 0, rows: 172, calls: 1},
	},
	{
		// Δ = 2 > 1.5 everywhere.
		name: "inv abs below the move", f: linear,
		test: checklist.Test{Type: checklist.INV, Perturb: []checklist.Perturbation{checklist.Add("x", 1)},
			Tolerance: checklist.Tolerance{Abs: 1.5}},
		want: want{cases: 100, applicable: 100, failed: 100, rows: 200, calls: 1},
	},
	{
		// Δ = 2 = tolerance: the boundary passes.
		name: "inv abs at the move", f: linear,
		test: checklist.Test{Type: checklist.INV, Perturb: []checklist.Perturbation{checklist.Add("x", 1)},
			Tolerance: checklist.Tolerance{Abs: 2}},
		want: want{cases: 100, applicable: 100, failed: 0, rows: 200, calls: 1},
	},
	{
		// tolerance = 0.1·|ŷ| < 2 = Δ exactly when |ŷ| < 20: x = 0..9
		// except x = 7 (a B row, ŷ = 24) — 9 rows.
		name: "inv relative to the prediction", f: linear,
		test: checklist.Test{Type: checklist.INV, Perturb: []checklist.Perturbation{checklist.Add("x", 1)},
			Tolerance: checklist.Tolerance{Rel: 0.1, Scale: checklist.ScalePrediction}},
		want: want{cases: 100, applicable: 100, failed: 9, rows: 200, calls: 1},
	},
	{
		// The same magnitudes with negative predictions: |ŷ| scales the
		// tolerance, so the same 9 rows fail, no more, no fewer.
		name: "inv relative to a negative prediction", f: negated,
		test: checklist.Test{Type: checklist.INV, Perturb: []checklist.Perturbation{checklist.Add("x", 1)},
			Tolerance: checklist.Tolerance{Rel: 0.1, Scale: checklist.ScalePrediction}},
		want: want{cases: 100, applicable: 100, failed: 9, rows: 200, calls: 1},
	},
	{
		// 0.05 × sd(y) = 0.05 × 29.0115 = 1.45 < 2.
		name: "inv relative to the target below", f: linear,
		test: checklist.Test{Type: checklist.INV, Perturb: []checklist.Perturbation{checklist.Add("x", 1)},
			Tolerance: checklist.Tolerance{Rel: 0.05}},
		want: want{cases: 100, applicable: 100, failed: 100, rows: 200, calls: 1},
	},
	{
		// 0.07 × 29.0115 = 2.03 ≥ 2.
		name: "inv relative to the target above", f: linear,
		test: checklist.Test{Type: checklist.INV, Perturb: []checklist.Perturbation{checklist.Add("x", 1)},
			Tolerance: checklist.Tolerance{Rel: 0.07}},
		want: want{cases: 100, applicable: 100, failed: 0, rows: 200, calls: 1},
	},
	{
		// g matters to bumpy only for 40 ≤ x < 60, and at x = 40 both
		// branches give 40: x = 41..59 fail, 19 rows. Two variants each.
		name: "inv swap each level", f: bumpy,
		test: checklist.Test{Type: checklist.INV, Perturb: []checklist.Perturbation{checklist.SwapEach("g")}},
		want: want{cases: 100, applicable: 100, failed: 19, rows: 300, calls: 1},
	},
	{
		// f(x+5) < f(x) only for B rows with x in 38..54; the B rows there
		// (i ≡ 1 mod 3) are 40, 43, 46, 49, 52.
		name: "dir in the non-monotone region", f: bumpy,
		test: checklist.Test{Type: checklist.DIR, Perturb: []checklist.Perturbation{checklist.Add("x", 5)},
			Change: checklist.Change{Direction: checklist.Increase}},
		want: want{cases: 100, applicable: 100, failed: 5, rows: 200, calls: 1},
	},
	{
		// The grid 0, 10, ..., 100 steps from f(40) = 40 to f(50) = 30 for
		// every B row: 33 cases fail. 100 × 11 rows make 2 calls of at
		// most 1024.
		name: "sweep", f: bumpy,
		test: checklist.Test{Type: checklist.DIR, Sweep: &checklist.Sweep{Column: "x", From: ptr(0), To: ptr(100)},
			Change: checklist.Change{Direction: checklist.Increase}},
		want: want{cases: 100, applicable: 100, failed: 33, rows: 1100, calls: 2},
	},
	{
		// Variants x + 5 with each other g. Δ = 10 + 10·([g′ = B] − [g = B]):
		// 0 for both variants of a B row, 10 or 20 otherwise. Each B row
		// fails min_change 10: 33 cases.
		name: "composition", f: linear,
		test: checklist.Test{Type: checklist.DIR,
			Perturb: []checklist.Perturbation{checklist.Add("x", 5), checklist.SwapEach("g")},
			Change:  checklist.Change{Interval: bound.Interval{Min: ptr(10)}}},
		want: want{cases: 100, applicable: 100, failed: 33, rows: 300, calls: 1},
	},
	{
		// Cases: ŷ(30, B) = 70 passes = 70; ŷ(30, A) = 60 fails ≥ 61.
		// Template: ŷ for x in {0, 10, 50} × g in {A, B, C} is
		// 0 10 0 / 20 30 20 / 100 110 100: only 110 leaves [0, 100].
		name: "mft", f: linear,
		test: checklist.Test{Type: checklist.MFT,
			Cases: []checklist.Case{
				{Input: checklist.Input{"x": 30, "g": "B"}, Expect: &checklist.Bounds{Value: ptr(70)}},
				{Input: checklist.Input{"x": 30, "g": "A"}, Expect: &checklist.Bounds{Interval: bound.Interval{Min: ptr(61)}}},
			},
			Templates: []checklist.Template{{Vary: []checklist.Values{
				{Column: "x", Values: []any{0, 10, 50}},
				{Column: "g", Values: []any{"A", "B", "C"}},
			}}},
			Expect: &checklist.Bounds{Interval: bound.Interval{Min: ptr(0), Max: ptr(100)}}},
		want: want{cases: 11, applicable: 11, failed: 2, rows: 11, calls: 1},
	},
}

func TestKnownModels(t *testing.T) {
	for _, tc := range known {
		check := func(t *testing.T, m model.Regressor) checklist.Details {
			mem := newMem(t)
			test := tc.test
			test.Name = tc.name
			checks, err := checklist.Run(context.Background(), m, fixture(t, mem), []checklist.Test{test},
				checklist.Options{Target: "y", BatchSize: tc.batch, Mem: mem})
			require.NoError(t, err)
			require.Len(t, checks, 1)
			c := checks[0]
			d := details(t, c)
			got := want{cases: d.Cases, applicable: d.Applicable, failed: d.Failed, rows: d.Rows, calls: d.Calls}
			assert.Equal(t, tc.want, got)
			assert.Equal(t, result.Checklist, c.Section)
			assert.Equal(t, "checklist."+tc.name, c.Name)
			assert.Equal(t, string(tc.test.Type), c.Kind)
			assert.Equal(t, result.StatusOf(tc.want.failed == 0, result.SeverityError), c.Status)
			assert.InDelta(t, float64(tc.want.failed)/float64(tc.want.applicable), c.Observed, 1e-12)
			assert.Len(t, d.Examples, min(tc.want.failed, checklist.DefaultMaxExamples))
			return d
		}
		t.Run(tc.name, func(t *testing.T) {
			m := &local{f: tc.f}
			d := check(t, m)
			assert.Equal(t, int32(d.Calls), m.calls.Load(), "Predict calls")
		})
		t.Run(tc.name+"/endpoint", func(t *testing.T) {
			srv, requests := serve(t, tc.f)
			check(t, model.Endpoint{URL: srv.URL})
			// The endpoint cuts each call into requests of at most
			// model.DefaultBatchSize (256) rows.
			batch := tc.batch
			if batch == 0 {
				batch = checklist.DefaultBatchSize
			}
			wantRequests := 0
			for lo := 0; lo < tc.want.rows; lo += batch {
				n := min(batch, tc.want.rows-lo)
				wantRequests += (n + model.DefaultBatchSize - 1) / model.DefaultBatchSize
			}
			assert.Equal(t, int32(wantRequests), requests.Load(), "HTTP requests")
		})
	}
}

func TestSweepRequests(t *testing.T) {
	// The sweep of 1100 rows: 2 Predict calls (1024 + 76 rows); an
	// endpoint taking 1024 rows per request sees exactly 2 requests.
	srv, requests := serve(t, bumpy)
	mem := newMem(t)
	test := checklist.Test{Name: "sweep", Type: checklist.DIR,
		Sweep:  &checklist.Sweep{Column: "x", From: ptr(0), To: ptr(100)},
		Change: checklist.Change{Direction: checklist.Increase}}
	checks, err := checklist.Run(context.Background(), model.Endpoint{URL: srv.URL, BatchSize: 1024},
		fixture(t, mem), []checklist.Test{test}, checklist.Options{Target: "y", Mem: mem})
	require.NoError(t, err)
	d := details(t, checks[0])
	assert.Equal(t, 2, d.Calls)
	assert.Equal(t, int32(2), requests.Load())
	assert.Equal(t, 33, d.Failed)
	// The worst steps fall by 10 (f(40) = 40 → f(50) = 30); the first B
	// row is row 1.
	assert.Equal(t, "33 of 100 cases failed (33.0%, 95% CI 24.6–42.7%): e.g. base row 1: x 40→50 moved ŷ 40→30 (expected increasing)", checks[0].Message)
}

func TestMessageAndExamples(t *testing.T) {
	mem := newMem(t)
	test := checklist.Test{Name: "hotter", Type: checklist.DIR, Capability: "Monotonicity",
		Perturb: []checklist.Perturbation{checklist.Add("x", 5)},
		Change:  checklist.Change{Direction: checklist.Increase}}
	checks, err := checklist.Run(context.Background(), &local{f: bumpy}, fixture(t, mem), []checklist.Test{test},
		checklist.Options{Target: "y", Mem: mem})
	require.NoError(t, err)
	c := checks[0]
	// Five cases fail with the same margin −5; ties keep row order.
	assert.Equal(t, "5 of 100 cases failed (5.0%, 95% CI 2.2–11.2%): e.g. base row 40: x 40→45 moved ŷ 40→35 (expected increase)", c.Message)
	assert.Equal(t, "5 of 100 cases failed (5.0%, 95% CI 2.2–11.2%)", c.ObservedText)
	assert.Equal(t, "at most 0% of cases fail", c.ExpectedText)
	assert.Equal(t, 0.0, c.Expected)
	assert.Equal(t, result.SeverityError, c.Severity)
	d := details(t, c)
	assert.Equal(t, "Monotonicity", d.Capability)
	var rows []int
	for _, e := range d.Examples {
		rows = append(rows, *e.Row)
		assert.Equal(t, -5.0, e.Margin)
	}
	assert.Equal(t, []int{40, 43, 46, 49, 52}, rows)

	js, err := json.Marshal(d.Examples[0])
	require.NoError(t, err)
	assert.JSONEq(t, `{"case": 40, "base": "base row 40", "row": 40,
		"input": {"x": 40, "z": 5, "g": "B"}, "variant": {"x": 45},
		"prediction": 40, "variant_prediction": 35, "margin": -5,
		"text": "base row 40: x 40→45 moved ŷ 40→35 (expected increase)"}`, string(js))
	_, err = json.Marshal(c)
	require.NoError(t, err)
}

func TestFailureRateThresholdAndSeverity(t *testing.T) {
	base := checklist.Test{Type: checklist.DIR, Perturb: []checklist.Perturbation{checklist.Add("x", 5)},
		Change: checklist.Change{Direction: checklist.Increase}} // 5 of 100 fail with bumpy
	for _, tc := range []struct {
		name     string
		max      float64
		severity result.Severity
		want     result.Status
	}{
		{"rate at the threshold", 0.05, "", result.Pass},
		{"rate above the threshold", 0.04, "", result.Fail},
		{"warn", 0.04, result.SeverityWarn, result.Warn},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := newMem(t)
			test := base
			test.Name, test.MaxFailureRate, test.Severity = tc.name, tc.max, tc.severity
			checks, err := checklist.Run(context.Background(), &local{f: bumpy}, fixture(t, mem), []checklist.Test{test},
				checklist.Options{Target: "y", Mem: mem})
			require.NoError(t, err)
			assert.Equal(t, tc.want, checks[0].Status)
			assert.Equal(t, tc.max, checks[0].Expected)
		})
	}
}

func TestShuffle(t *testing.T) {
	// Whatever the permutation, a model that ignores z passes every
	// applicable case, and a model of z alone fails every one of them.
	for _, tc := range []struct {
		f          fn
		allFailing bool
	}{{linear, false}, {zModel, true}} {
		mem := newMem(t)
		test := checklist.Test{Name: "shuffle z", Type: checklist.INV,
			Perturb: []checklist.Perturbation{checklist.Shuffle("z")}}
		checks, err := checklist.Run(context.Background(), &local{f: tc.f}, fixture(t, mem), []checklist.Test{test},
			checklist.Options{Seed: 3, Target: "y", Mem: mem})
		require.NoError(t, err)
		d := details(t, checks[0])
		assert.Equal(t, 100, d.Cases)
		assert.Greater(t, d.Applicable, 50) // a permutation of 100 rows with 7 values of z moves most of them
		assert.Equal(t, 2*d.Applicable, d.Rows)
		if tc.allFailing {
			assert.Equal(t, d.Applicable, d.Failed)
		} else {
			assert.Equal(t, 0, d.Failed)
		}
	}
}

func TestSampleAndDeterminism(t *testing.T) {
	tests := []checklist.Test{
		{Name: "sampled", Type: checklist.INV, N: 20,
			Perturb:   []checklist.Perturbation{checklist.RelativeNoise("x", 0.5), checklist.SwapRandom("g"), checklist.Shuffle("z")},
			Tolerance: checklist.Tolerance{Abs: 5}},
		{Name: "sampled sweep", Type: checklist.DIR, N: 10, Sweep: &checklist.Sweep{Column: "x", Steps: 5},
			Change: checklist.Change{Direction: checklist.Increase}},
	}
	run := func(seed uint64) []result.Check {
		mem := newMem(t)
		checks, err := checklist.Run(context.Background(), &local{f: bumpy}, fixture(t, mem), tests,
			checklist.Options{Seed: seed, Target: "y", Mem: mem})
		require.NoError(t, err)
		return checks
	}
	a, b, c := run(1), run(1), run(2)
	assert.Equal(t, a, b, "the same seed gives the same results")
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	assert.Equal(t, string(ja), string(jb))
	assert.NotEqual(t, a, c, "another seed draws other rows")

	d := details(t, a[0])
	assert.Equal(t, 20, d.Cases)
	assert.Equal(t, uint64(1), d.Seed)
	assert.Equal(t, 10, details(t, a[1]).Cases)
	assert.Equal(t, 50, details(t, a[1]).Rows) // 10 bases × 5 grid points, 0 to 99 by 24.75

	// A test's own seed overrides the run's.
	seeded := tests[0]
	seeded.Seed = new(uint64)
	*seeded.Seed = 1
	mem := newMem(t)
	checks, err := checklist.Run(context.Background(), &local{f: bumpy}, fixture(t, mem), []checklist.Test{seeded},
		checklist.Options{Seed: 2, Target: "y", Mem: mem})
	require.NoError(t, err)
	assert.Equal(t, a[0].Details, checks[0].Details)
}

func TestListedRowsAndDefaults(t *testing.T) {
	mem := newMem(t)
	// Listed rows name x; z takes its median (3) and g its mode (A, 34
	// rows). Row 1 is x = 45 with g = B: 45 → 50 lowers bumpy from 35 to 30.
	test := checklist.Test{Name: "listed", Type: checklist.DIR,
		Rows:    []checklist.Input{{"x": 10}, {"x": 45, "g": "B"}},
		Perturb: []checklist.Perturbation{checklist.Add("x", 5)},
		Change:  checklist.Change{Direction: checklist.Increase}}
	checks, err := checklist.Run(context.Background(), &local{f: bumpy}, fixture(t, mem), []checklist.Test{test},
		checklist.Options{Target: "y", Mem: mem})
	require.NoError(t, err)
	d := details(t, checks[0])
	assert.Equal(t, 2, d.Cases)
	assert.Equal(t, 1, d.Failed)
	e := d.Examples[0]
	assert.Nil(t, e.Row)
	assert.Equal(t, "listed row 1", e.Base)
	assert.Equal(t, map[string]any{"x": 45.0, "z": 3.0, "g": "B"}, e.Input)
	assert.Equal(t, "1 of 2 cases failed (50.0%, 95% CI 9.5–90.5%): e.g. listed row 1: x 45→50 moved ŷ 35→30 (expected increase)", checks[0].Message)
}

func TestNoApplicableCase(t *testing.T) {
	mem := newMem(t)
	// Every variant equals its base: the test tested nothing, and fails.
	test := checklist.Test{Name: "nothing", Type: checklist.INV, Rows: []checklist.Input{{"z": 2}},
		Perturb: []checklist.Perturbation{checklist.Set("z", 2)}}
	checks, err := checklist.Run(context.Background(), &local{f: linear}, fixture(t, mem), []checklist.Test{test},
		checklist.Options{Target: "y", Mem: mem})
	require.NoError(t, err)
	c := checks[0]
	assert.Equal(t, result.Fail, c.Status)
	assert.Nil(t, c.Observed)
	assert.Equal(t, "no applicable case (1 cases): every variant equals its base row, so the perturbation changed nothing", c.Message)
	assert.Equal(t, 0, details(t, c).Calls)
}

// nanModel predicts NaN for x ≥ 50.
type nanModel struct{}

func (nanModel) Predict(_ context.Context, b arrow.RecordBatch) ([]float64, error) {
	x := b.Column(0).(*array.Float64)
	out := make([]float64, b.NumRows())
	for i := range out {
		out[i] = x.Value(i)
		if out[i] >= 50 {
			out[i] = math.NaN()
		}
	}
	return out, nil
}

func TestNonFinitePredictionsFail(t *testing.T) {
	mem := newMem(t)
	test := checklist.Test{Name: "finite", Type: checklist.MFT,
		Templates: []checklist.Template{{Vary: []checklist.Values{{Column: "x", Values: []any{10, 60}}}}},
		Expect:    &checklist.Bounds{Interval: bound.Interval{Min: ptr(-1e9)}}}
	checks, err := checklist.Run(context.Background(), nanModel{}, fixture(t, mem), []checklist.Test{test},
		checklist.Options{Target: "y", Mem: mem})
	require.NoError(t, err)
	d := details(t, checks[0])
	assert.Equal(t, 1, d.Failed)
	assert.Nil(t, d.Examples[0].Margin)
	assert.Equal(t, "template 0 (x 60): ŷ NaN, expected ≥ -1e+09", d.Examples[0].Text)
}

// failing errors on every call.
type failing struct{}

func (failing) Predict(context.Context, arrow.RecordBatch) ([]float64, error) {
	return nil, errors.New("model is down")
}

// short returns one prediction too few.
type short struct{}

func (short) Predict(_ context.Context, b arrow.RecordBatch) ([]float64, error) {
	return make([]float64, b.NumRows()-1), nil
}

func TestErrors(t *testing.T) {
	dir := func(p checklist.Perturbation) checklist.Test {
		return checklist.Test{Name: "t", Type: checklist.DIR, Perturb: []checklist.Perturbation{p},
			Change: checklist.Change{Direction: checklist.Increase}}
	}
	for _, tc := range []struct {
		name string
		m    model.Regressor
		test checklist.Test
		opts checklist.Options
		want string
	}{
		{"missing column", &local{f: linear}, dir(checklist.Add("nope", 1)), checklist.Options{},
			`checklist: test "t": perturb[0]: column "nope" is not a feature (features: x, z, g)`},
		{"add on text", &local{f: linear}, dir(checklist.Add("g", 1)), checklist.Options{},
			`checklist: test "t": perturb[0]: add on column "g" (utf8): needs a numeric column`},
		{"fraction on an integer column", &local{f: linear}, dir(checklist.Add("z", 0.5)), checklist.Options{},
			`checklist: test "t": perturb[0]: add: column "z" is int64: 0.5 is not an integer`},
		{"swap a continuous column", &local{f: linear}, dir(checklist.SwapEach("x")), checklist.Options{},
			`checklist: test "t": perturb[0]: swap on column "x" (float64): the column has 100 distinct values, more than 50; a swap suits categories`},
		{"set a string on a number", &local{f: linear}, dir(checklist.Set("x", "hot")), checklist.Options{},
			`checklist: test "t": perturb[0]: set: column "x" is float64: hot (string) is not a number`},
		{"model error", failing{}, dir(checklist.Add("x", 1)), checklist.Options{},
			`checklist: test "t": model: inputs made from data rows 0..99: model is down`},
		{"null sent to the model", &local{f: linear}, dir(checklist.SetNull("x")), checklist.Options{},
			`checklist: test "t": model: inputs made from data rows 0..99: row 1 has a null`},
		{"row error at data rows", rowFailing{}, dir(checklist.Add("x", 1)), checklist.Options{DataRows: evens(100)},
			`checklist: test "t": model: m: data row 2: level "c" unseen`},
		{"data rows of the wrong length", rowFailing{}, dir(checklist.Add("x", 1)), checklist.Options{DataRows: evens(99)},
			`checklist: Options.DataRows has 99 entries for 100 rows of data`},
		{"wrong count", short{}, dir(checklist.Add("x", 1)), checklist.Options{},
			`checklist: test "t": model: test inputs 0..199 of 200: got 199 predictions for 200 rows`},
		{"relative tolerance without a target", &local{f: linear},
			checklist.Test{Name: "t", Type: checklist.INV, Perturb: []checklist.Perturbation{checklist.Add("x", 1)},
				Tolerance: checklist.Tolerance{Rel: 0.1}}, checklist.Options{},
			`checklist: test "t": tolerance rel with scale target needs the target column (Options.Target)`},
		{"fields of another type", &local{f: linear},
			checklist.Test{Name: "t", Type: checklist.INV, Perturb: []checklist.Perturbation{checklist.Add("x", 1)},
				Change: checklist.Change{Direction: checklist.Increase}}, checklist.Options{},
			`checklist: test "t": expect: INV tests take tolerance: {abs: ..., rel: ...}, not expect`},
		{"feature not in the data", &local{f: linear}, dir(checklist.Add("x", 1)), checklist.Options{Features: []string{"x", "w"}, Target: "y"},
			`checklist: data batch 0: column "w" not found (columns: x, z, g, y)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := newMem(t)
			tc.opts.Mem = mem
			if tc.opts.Features == nil {
				tc.opts.Features = []string{"x", "z", "g"}
			}
			_, err := checklist.Run(context.Background(), tc.m, fixture(t, mem), []checklist.Test{tc.test}, tc.opts)
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
		})
	}
}

// rowFailing fails on the row at position 3 of each batch, as the model
// package's adapters do.
type rowFailing struct{}

func (rowFailing) Predict(_ context.Context, b arrow.RecordBatch) ([]float64, error) {
	return nil, &model.RowError{Source: "m", First: 3, Last: 3, N: int(b.NumRows()), Err: errors.New(`level "c" unseen`)}
}

// evens returns 0, 2, 4, ...: data rows of which every other one was given.
func evens(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = 2 * i
	}
	return out
}

func TestRunEvaluatesEveryTest(t *testing.T) {
	mem := newMem(t)
	good := checklist.Test{Name: "good", Type: checklist.DIR, Perturb: []checklist.Perturbation{checklist.Add("x", 1)},
		Change: checklist.Change{Direction: checklist.Increase}}
	bad := good
	bad.Name, bad.Perturb = "bad", []checklist.Perturbation{checklist.Add("w", 1)}
	checks, err := checklist.Run(context.Background(), &local{f: linear}, fixture(t, mem),
		[]checklist.Test{bad, good}, checklist.Options{Target: "y", Mem: mem})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `test "bad"`)
	require.Len(t, checks, 1)
	assert.Equal(t, "checklist.good", checks[0].Name)
}

func TestCancelledContext(t *testing.T) {
	mem := newMem(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	test := checklist.Test{Name: "t", Type: checklist.DIR, Perturb: []checklist.Perturbation{checklist.Add("x", 1)},
		Change: checklist.Change{Direction: checklist.Increase}}
	_, err := checklist.Run(ctx, &local{f: linear}, fixture(t, mem), []checklist.Test{test, test}, checklist.Options{Target: "y", Mem: mem})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestWilson(t *testing.T) {
	// Hand-computed with z = 1.95996: the centre (p + z²/2n)/(1 + z²/n)
	// ± z/(1 + z²/n)·√(p(1−p)/n + z²/4n²). For 0 of 10 the upper bound is
	// z²/(n + z²) = 3.8415/13.8415 = 0.27753, the textbook value.
	for _, tc := range []struct {
		k, n   int
		lo, hi float64
	}{
		{0, 10, 0, 0.27753},
		{10, 10, 0.72247, 1},
		{3, 100, 0.010255, 0.084519},
		{5, 100, 0.021544, 0.111750},
		{1, 2, 0.094531, 0.905469},
		{0, 0, 0, 1},
	} {
		lo, hi := checklist.Wilson(tc.k, tc.n)
		assert.InDelta(t, tc.lo, lo, 5e-6, "%d of %d: low", tc.k, tc.n)
		assert.InDelta(t, tc.hi, hi, 5e-6, "%d of %d: high", tc.k, tc.n)
	}
	assert.Panics(t, func() { checklist.Wilson(3, 2) })
}

// typed predicts x + 100·b + 10·[d = q] from a float32 x, a boolean b and
// a dictionary-encoded d; it ignores the int8 n, and refuses n > 3.
type typed struct{}

func (typed) Predict(_ context.Context, rec arrow.RecordBatch) ([]float64, error) {
	x := rec.Column(0).(*array.Float32)
	n := rec.Column(1).(*array.Int8)
	b := rec.Column(2).(*array.Boolean)
	d := rec.Column(3).(*array.Dictionary)
	levels := d.Dictionary().(*array.String)
	out := make([]float64, rec.NumRows())
	for i := range out {
		if n.Value(i) > 3 {
			return nil, fmt.Errorf("row %d: n = %d", i, n.Value(i))
		}
		out[i] = float64(x.Value(i))
		if b.Value(i) {
			out[i] += 100
		}
		if levels.Value(d.GetValueIndex(i)) == "q" {
			out[i] += 10
		}
	}
	return out, nil
}

func TestColumnTypes(t *testing.T) {
	mem := newMem(t)
	dictType := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int16, ValueType: arrow.BinaryTypes.String}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "x", Type: arrow.PrimitiveTypes.Float32},
		{Name: "n", Type: arrow.PrimitiveTypes.Int8},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean},
		{Name: "d", Type: dictType},
	}, nil)
	// Six rows: b is true in rows 0 and 3, d is q in rows 1 and 4.
	rb := array.NewRecordBuilder(mem, schema)
	for i := range 6 {
		rb.Field(0).(*array.Float32Builder).Append(float32(i))
		rb.Field(1).(*array.Int8Builder).Append(int8(i % 2))
		rb.Field(2).(*array.BooleanBuilder).Append(i%3 == 0)
		require.NoError(t, rb.Field(3).(*array.BinaryDictionaryBuilder).AppendString([]string{"p", "q", "r"}[i%3]))
	}
	rec := rb.NewRecordBatch()
	rb.Release()
	defer rec.Release()
	tests := []checklist.Test{
		// b = true changes ŷ by 100 in the four rows where b is false.
		{Name: "b", Type: checklist.INV, Perturb: []checklist.Perturbation{checklist.Set("b", true)}},
		// d swapped for each other level: every row has a variant with q
		// or leaves q, moving ŷ by 10.
		{Name: "d", Type: checklist.INV, Perturb: []checklist.Perturbation{checklist.SwapEach("d")}, Tolerance: checklist.Tolerance{Abs: 9}},
		// n × 3 on an int8 column: 0 stays 0 (not applicable), 1 becomes 3,
		// which the model ignores.
		{Name: "n", Type: checklist.INV, Perturb: []checklist.Perturbation{checklist.Multiply("n", 3)}},
		// n × 4.4 = 4.4 rounds to 4, which the model refuses.
		{Name: "n4", Type: checklist.INV, Perturb: []checklist.Perturbation{checklist.Multiply("n", 4.4)}},
	}
	checks, err := checklist.Run(context.Background(), typed{}, []arrow.RecordBatch{rec}, tests[:3], checklist.Options{Mem: mem})
	require.NoError(t, err)
	got := func(i int) [3]int {
		d := details(t, checks[i])
		return [3]int{d.Cases, d.Applicable, d.Failed}
	}
	assert.Equal(t, [3]int{6, 4, 4}, got(0))
	assert.Equal(t, [3]int{6, 6, 6}, got(1))
	assert.Equal(t, [3]int{6, 3, 0}, got(2))
	assert.Equal(t, 6, details(t, checks[2]).Rows)
	_, err = checklist.Run(context.Background(), typed{}, []arrow.RecordBatch{rec}, tests[3:], checklist.Options{Mem: mem})
	require.Error(t, err)
	assert.Equal(t, `checklist: test "n4": model: inputs made from data rows 1..5: row 1: n = 4`, err.Error())
}
