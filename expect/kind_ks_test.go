package expect_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/expect"
	"github.com/trustml/trustml/result"
)

// ksValues are 12 values; ks_test's statistics and exact p-values are
// pinned to R's ks.test(x, cdf, exact = TRUE), computed offline:
//
//	x <- c(0.31, 1.52, -0.47, 2.20, 0.95, 1.13, -1.08, 0.04, 1.77, 0.66, 2.91, -0.25)
//	ks.test(x, "pnorm", 0.5, 1.2, exact = TRUE)
//	ks.test(x, "punif", -1.5, 3, exact = TRUE)
//	y <- x + 1.2
//	ks.test(y, function(q) pexp(q - 0.1, rate = 1/2), exact = TRUE)
//	ks.test(y, function(q) pgamma((q - 0.1)/0.8, shape = 2.5), exact = TRUE)
//	ks.test(y, function(q) pbeta(q/4.5, 1.5, 2), exact = TRUE)
//	ks.test(y, function(q) pt((q - 1.5)/0.9, df = 4), exact = TRUE)
var ksValues = []float64{0.31, 1.52, -0.47, 2.20, 0.95, 1.13, -1.08, 0.04, 1.77, 0.66, 2.91, -0.25}

func TestKSTestAgainstR(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "y", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	var rows []string
	for i, v := range ksValues {
		rows = append(rows, fmt.Sprintf(`{"x": %v, "y": %v}`, v, v+1.2))
		if i == 4 {
			rows = append(rows, `{"x": null, "y": null}`) // nulls are left out
		}
	}
	tbl := table(t, mem, schema, "["+strings.Join(rows, ",")+"]")
	defer tbl.Release()
	for _, tc := range []struct {
		col, spec string
		d, p      float64
	}{
		{"x", "{distribution: normal, params: {mean: 0.5, sd: 1.2}, alpha: 0.05}", 0.146169766672724, 0.927575863234584},
		{"x", "{distribution: uniform, params: {min: -1.5, max: 3}, alpha: 0.05}", 0.145555555555556, 0.929689613420938},
		{"y", "{distribution: exponential, params: {loc: 0.1, scale: 2}, alpha: 0.05}", 0.18687779239761, 0.730548605212973},
		{"y", "{distribution: gamma, params: {shape: 2.5, loc: 0.1, scale: 0.8}, alpha: 0.05}", 0.099183582216031, 0.998787227691566},
		{"y", "{distribution: beta, params: {a: 1.5, b: 2, scale: 4.5}, alpha: 0.05}", 0.0889405349793879, 0.999800145273721},
		{"y", "{distribution: student_t, params: {df: 4, loc: 1.5, scale: 0.9}, alpha: 0.5}", 0.244938140601357, 0.402343495936467},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			s := decode(t, "columns: {"+tc.col+": {ks_test: "+tc.spec+"}}")
			r := evaluate(t, s, tbl, 5, expect.Options{Workers: 2})[0]
			d := r.Details.(map[string]any)
			assert.InDelta(t, tc.d, d["statistic"], 1e-12)
			assert.InDelta(t, tc.p, r.Observed, 1e-9)
			assert.Equal(t, "exact", d["method"])
			assert.Equal(t, 12, d["n"])
			assert.Equal(t, result.StatusOf(tc.p > 0.05 && !strings.Contains(tc.spec, "alpha: 0.5"), result.SeverityError), r.Status, r.Message)
		})
	}
}

func TestKSTestErrors(t *testing.T) {
	for src, want := range map[string]string{
		`columns: {x: {ks_test: {distribution: normal, alpha: 0.05, params: {mean: 0, sd: 0}}}}`: "sd must be positive",
		`columns: {x: {ks_test: {distribution: norm, alpha: 0.05}}}`:                             `"norm"`,
		`columns: {x: {ks_test: {distribution: gamma, alpha: 0.05}}}`:                            "gamma needs params.shape",
		`columns: {x: {ks_test: {distribution: beta, alpha: 0.05, params: {a: 1, c: 2}}}}`:       `unknown key "c"`,
		`columns: {x: {ks_test: {distribution: normal}}}`:                                        "needs alpha",
		`columns: {x: {ks_test: {alpha: 0.05}}}`:                                                 "needs distribution",
		`columns: {x: {ks_test: {distribution: uniform, alpha: 2}}}`:                             "alpha",
		`columns: {x: {ks_test: {distribution: uniform, params: {min: 2, max: 1}, alpha: 0.1}}}`: "max 1 must be above min 2",
	} {
		assert.Contains(t, decodeProblem(t, src), want, src)
	}
	// A column without values: the test is undefined, an error result.
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true}}, nil)
	tbl := table(t, mem, schema, `[{"x": null}]`)
	defer tbl.Release()
	r := evaluate(t, decode(t, "columns: {x: {ks_test: {distribution: normal, alpha: 0.05}}}"), tbl, 5, expect.Options{})[0]
	require.Equal(t, result.Error, r.Status)
	assert.Contains(t, r.Message, "undefined")
}
