package drift

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/profile"
)

func profileOf(t *testing.T, xs []float64, maxDistinct int) *profile.Profile {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	sc := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Float64}}, nil)
	b := array.NewFloat64Builder(mem)
	defer b.Release()
	b.AppendValues(xs, nil)
	arr := b.NewArray()
	defer arr.Release()
	rec := array.NewRecordBatch(sc, []arrow.Array{arr}, int64(len(xs)))
	defer rec.Release()
	p, err := profile.New(sc, nil, profile.Options{MaxDistinct: maxDistinct})
	require.NoError(t, err)
	p.Update(rec)
	return p.Finish()
}

// TestSketchKSBound checks the bound the package documents: from sketches
// the KS statistic is at most the exact one, and short of it by at most
// the largest bucket mass, which it reports as max_error.
func TestSketchKSBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	spec := &Spec{Columns: []Column{{Name: "x", Tests: []Test{{Kind: KSTest}, {Kind: WassersteinTest}}}}}
	for trial := range 12 {
		shift := float64(trial) * 0.05
		a, b := make([]float64, 2000), make([]float64, 1500)
		for i := range a {
			a[i] = rng.NormFloat64()*10 + 50
		}
		for i := range b {
			b[i] = rng.NormFloat64()*10 + 50 + shift*10
		}
		exact := KS(sample(a...), sample(b...))
		checks, err := Compare(spec, profileOf(t, a, 10), profileOf(t, b, 10))
		require.NoError(t, err)
		obs := checks[0].Observed.(map[string]any)
		require.Equal(t, false, obs["exact"])
		d, bound := obs["statistic"].(float64), obs["max_error"].(float64)
		assert.LessOrEqual(t, d, exact+1e-12, "trial %d", trial)
		assert.LessOrEqual(t, exact-d, bound, "trial %d", trial)
		assert.Less(t, bound, 0.05)
		// W1 within α·(E|X_a| + E|X_b|) of the exact distance.
		w := checks[1].Observed.(map[string]any)["distance"].(float64)
		wexact := Wasserstein(sample(a...), sample(b...))
		assert.LessOrEqual(t, math.Abs(w-wexact), profile.DefaultRelativeAccuracy*(meanAbs(a)+meanAbs(b)), "trial %d", trial)
	}
}

func meanAbs(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += math.Abs(x)
	}
	return s / float64(len(xs))
}

// TestExactWhenFewValues checks that columns with exact counts are
// compared exactly, PSI bins included.
func TestExactWhenFewValues(t *testing.T) {
	ref := []float64{1, 1, 2, 2, 3, 3, 4, 4, 5, 5}
	cur := []float64{3, 3, 4, 4, 5, 5, 5, 5, 6, 6}
	spec := &Spec{Columns: []Column{{Name: "x", Tests: []Test{{Kind: KSTest}, {Kind: PSITest}, {Kind: ChiSquareTest}}}}}
	checks, err := Compare(spec, profileOf(t, ref, 100), profileOf(t, cur, 100))
	require.NoError(t, err)
	ks := checks[0].Observed.(map[string]any)
	assert.Equal(t, true, ks["exact"])
	assert.InDelta(t, 0.4, ks["statistic"], 1e-12) // F_ref(2) = 0.4, F_cur(2) = 0
	// Reference deciles (rank ⌊q·9⌋): 1, 2, 2, 3, 3, 4, 4, 5(max, dropped)
	// → edges 1, 2, 3, 4: bins ≤1, (1,2], (2,3], (3,4], >4 with reference
	// fractions .2 each and current 0, 0, .2, .2, .6.
	psi := checks[1].Observed.(map[string]any)["psi"].(float64)
	e := Epsilon
	want := 2*(e-0.2)*math.Log(e/0.2) + (0.6-0.2)*math.Log(0.6/0.2)
	assert.InDelta(t, want, psi, 1e-12)
	assert.Equal(t, "pass", string(checks[2].Status)) // no bound: observed only
}

func TestSpecNames(t *testing.T) {
	var s *Spec
	assert.Nil(t, s.Names())
	assert.Equal(t, 0, s.Len())
	s = &Spec{Columns: []Column{{Name: "b", Tests: make([]Test, 2)}, {Name: "a", Tests: make([]Test, 1)}}}
	assert.Equal(t, []string{"b", "a"}, s.Names())
	assert.Equal(t, 3, s.Len())
}
