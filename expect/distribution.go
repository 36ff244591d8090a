package expect

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/trustml/trustml/result"
)

// keyOf converts a suite value to the key type of a frequency table; ok is
// false when no value of the column can equal it.
func keyOf[K comparable](v Value) (k K, ok bool) {
	var out any
	switch any(k).(type) {
	case int64:
		if !v.IsNum || v.Num != math.Trunc(v.Num) || math.Abs(v.Num) > 1<<63 {
			return k, false
		}
		out = int64(v.Num)
	case float64:
		if !v.IsNum {
			return k, false
		}
		out = v.Num + 0 // -0 and +0 are one value
	case string:
		out = v.Text
	case bool:
		if !v.IsBool {
			return k, false
		}
		out = v.Bool
	}
	return out.(K), true
}

// match returns the count of each of vals in the table (0 when absent) and
// the classes that are not among vals.
func (f *freq[K]) match(vals []Value) (counts []int64, others []classCount) {
	counts = make([]int64, len(vals))
	listed := map[K]bool{}
	for i, v := range vals {
		k, ok := keyOf[K](v)
		if !ok {
			continue
		}
		listed[k] = true
		if j, ok := f.index[k]; ok {
			counts[i] = f.counts[j]
		}
	}
	for i, k := range f.keys {
		if !listed[k] {
			others = append(others, classCount{value: f.display(k), count: f.counts[i]})
		}
	}
	sortClasses(others)
	return counts, others
}

// sortClasses orders classes by value: numbers numerically, then strings,
// then booleans (false first).
func sortClasses(cs []classCount) {
	sort.Slice(cs, func(i, j int) bool { return lessValue(cs[i].value, cs[j].value) })
}

func lessValue(a, b any) bool {
	rank := func(v any) (int, float64, string) {
		switch x := v.(type) {
		case int64:
			return 0, float64(x), ""
		case uint64:
			return 0, float64(x), ""
		case float64:
			return 0, x, ""
		case string:
			return 1, 0, x
		case bool:
			if x {
				return 2, 1, ""
			}
			return 2, 0, ""
		}
		return 3, 0, fmt.Sprint(v)
	}
	ra, fa, sa := rank(a)
	rb, fb, sb := rank(b)
	if ra != rb {
		return ra < rb
	}
	if fa != fb {
		return fa < fb
	}
	return sa < sb
}

// listedValues is how many distinct values a result lists.
const listedValues = 100

func distinctValues(c *Check, cs *colState, r *result.Check) bool {
	all := cs.freq.classes()
	sortClasses(all)
	vals := make([]any, 0, min(len(all), listedValues))
	counts := make([]int64, 0, cap(vals))
	for i, cc := range all {
		if i == listedValues {
			break
		}
		vals = append(vals, cc.value)
		counts = append(counts, cc.count)
	}
	obs := map[string]any{"distinct": len(all), "values": vals, "counts": counts}
	exp := map[string]any{}
	var want, bad []string
	ok := true
	equals := c.Set != nil && slices.Equal(c.Set, c.Contains)
	if c.Set != nil {
		_, extra := cs.freq.match(c.Set)
		key := "in_set"
		if equals {
			key = "equals"
		}
		exp[key] = valuesJSON(c.Set)
		want = append(want, "within "+setText(c.Set))
		if len(extra) > 0 {
			ok = false
			shown := make([]string, 0, 8)
			for i, e := range extra {
				if i == 8 {
					shown = append(shown, fmt.Sprintf("… %d more", len(extra)-8))
					break
				}
				shown = append(shown, show(e.value))
			}
			obs["unexpected"] = len(extra)
			bad = append(bad, fmt.Sprintf("%d values not in the set: %s", len(extra), strings.Join(shown, ", ")))
		}
	}
	if c.Contains != nil {
		counts, _ := cs.freq.match(c.Contains)
		if !equals {
			exp["contains"] = valuesJSON(c.Contains)
			want = append(want, "including "+setText(c.Contains))
		}
		var absent []Value
		for i, n := range counts {
			if n == 0 {
				absent = append(absent, c.Contains[i])
			}
		}
		if len(absent) > 0 {
			ok = false
			obs["absent"] = len(absent)
			bad = append(bad, fmt.Sprintf("%d expected values never occur: %s", len(absent), strings.Join(strings.Split(strings.Trim(setText(absent), "{}"), ", "), ", ")))
		}
	}
	if equals {
		want = []string{"exactly " + setText(c.Set)}
	}
	r.Observed, r.Expected = obs, exp
	r.ElementCount = result.Ptr(cs.Count)
	r.ObservedText = fmt.Sprintf("%d distinct values", len(all))
	r.ExpectedText = "distinct values " + strings.Join(want, ", ")
	if ok {
		r.Message = r.ObservedText
	} else {
		r.Message = strings.Join(bad, "; ")
	}
	return ok
}

func valuesJSON(vals []Value) []any {
	out := make([]any, len(vals))
	for i, v := range vals {
		out[i] = v.json()
	}
	return out
}

// entropy is the Kullback-Leibler divergence of p from q, Σ p log(p/q)
// after normalising both to sum 1 (as scipy.stats.entropy): +Inf when p
// has weight where q has none, NaN when p or q has no weight at all.
func entropy(p, q []float64) float64 {
	var sp, sq float64
	for i := range p {
		sp += p[i]
		sq += q[i]
	}
	if sp == 0 || sq == 0 {
		return math.NaN()
	}
	d := 0.0
	for i := range p {
		x, y := p[i]/sp, q[i]/sq
		switch {
		case x == 0:
		case y == 0:
			return math.Inf(1)
		default:
			d += x * math.Log(x/y)
		}
	}
	return d
}

// categorical lays the column's counts against a categorical partition:
// the partition's values first, then the values it does not list. The
// expected weights of unlisted values share TailHoldout equally, and the
// listed weights are scaled by 1 − TailHoldout (only when some value is
// unlisted, as Great Expectations does).
func categorical(c *Check, cs *colState) (labels []any, observed []int64, expected []float64) {
	p := c.Partition
	counts, others := cs.freq.match(p.Values)
	labels = valuesJSON(p.Values)
	observed = counts
	expected = slices.Clone(p.Weights)
	if len(others) > 0 {
		for i := range expected {
			expected[i] *= 1 - c.TailHoldout
		}
	}
	for _, o := range others {
		labels = append(labels, o.value)
		observed = append(observed, o.count)
		expected = append(expected, c.TailHoldout/float64(len(others)))
	}
	return labels, observed, expected
}

// binnedPartition lays the column's bin counts against a partition with
// bins, following Great Expectations' rules for the tails: an infinite end
// edge makes its end bin the tail; otherwise the tails are the partition's
// TailWeights, or TailHoldout split equally. TailHoldout and
// InternalHoldout scale the bins' weights by 1 − both; InternalHoldout is
// shared equally by the bins of weight 0.
func binnedPartition(c *Check, counts []int64, n int64) (obsDetail, expDetail map[string]any, obs, exp []float64) {
	p := c.Partition
	k := len(p.Weights)
	nf := float64(n)
	below, above := float64(counts[0])/nf, float64(counts[k+1])/nf
	ow := make([]float64, k)
	for i := range ow {
		ow[i] = float64(counts[i+1]) / nf
	}
	ew := make([]float64, k)
	zeros := 0
	for i, w := range p.Weights {
		ew[i] = w * (1 - c.TailHoldout - c.InternalHoldout)
		if ew[i] == 0 {
			zeros++
		}
	}
	if c.InternalHoldout > 0 && zeros > 0 {
		for i := range ew {
			if ew[i] == 0 {
				ew[i] = c.InternalHoldout / float64(zeros)
			}
		}
	}
	edges := p.Bins
	lowerInf, upperInf := math.IsInf(edges[0], -1), math.IsInf(edges[k], 1)
	var obsTail, expTail []float64
	switch {
	case lowerInf && upperInf:
		edges = edges[1:k]
		obs, exp = ow, ew
		obsTail, expTail = []float64{ow[0], ow[k-1]}, []float64{ew[0], ew[k-1]}
		ow, ew = ow[1:k-1], ew[1:k-1]
	case lowerInf:
		// The holdout all goes to the upper tail: the lower one is a bin.
		edges = edges[1:]
		obs, exp = append(slices.Clone(ow), above), append(slices.Clone(ew), c.TailHoldout)
		obsTail, expTail = []float64{ow[0], above}, []float64{ew[0], c.TailHoldout}
		ow, ew = ow[1:], ew[1:]
	case upperInf:
		edges = edges[:k]
		obs, exp = append([]float64{below}, ow...), append([]float64{c.TailHoldout}, ew...)
		obsTail, expTail = []float64{below, ow[k-1]}, []float64{c.TailHoldout, ew[k-1]}
		ow, ew = ow[:k-1], ew[:k-1]
	default:
		expTail = []float64{c.TailHoldout / 2, c.TailHoldout / 2}
		if p.TailWeights != nil {
			expTail = p.TailWeights
		}
		obsTail = []float64{below, above}
		obs = append(append([]float64{below}, ow...), above)
		exp = append(append([]float64{expTail[0]}, ew...), expTail[1])
	}
	obsDetail = map[string]any{"bins": edges, "weights": numbers(ow), "tail_weights": numbers(obsTail)}
	expDetail = map[string]any{"bins": edges, "weights": numbers(ew), "tail_weights": numbers(expTail)}
	return obsDetail, expDetail, obs, exp
}

func numbers(v []float64) []any {
	out := make([]any, len(v))
	for i, x := range v {
		out[i] = result.Number(x)
	}
	return out
}

func klDivergence(c *Check, cp *colPlan, cs *colState, r *result.Check) bool {
	n := cs.Count
	var d float64
	var obsDetail, expDetail map[string]any
	if c.Partition.Categorical() {
		labels, counts, exp := categorical(c, cs)
		obs := make([]float64, len(counts))
		for i, k := range counts {
			obs[i] = float64(k) / float64(n)
		}
		d = entropy(obs, exp)
		obsDetail = map[string]any{"values": labels, "weights": numbers(obs)}
		expDetail = map[string]any{"values": labels, "weights": numbers(exp)}
	} else {
		b := slices.Index(cp.binned, c)
		var obs, exp []float64
		obsDetail, expDetail, obs, exp = binnedPartition(c, cs.bins[b], n)
		d = entropy(obs, exp)
	}
	r.Expected = map[string]any{"max": *c.Max}
	r.ExpectedText = "KL divergence ≤ " + result.FormatFloat(*c.Max)
	r.ElementCount = result.Ptr(n)
	r.Observed = result.Number(d)
	if n > 0 {
		r.Details = map[string]any{"observed_partition": obsDetail, "expected_partition": expDetail}
	}
	switch {
	case n == 0:
		r.ObservedText = "undefined"
		r.Message = "KL divergence undefined (no non-null values), expected ≤ " + result.FormatFloat(*c.Max)
		return false
	case math.IsInf(d, 1):
		r.ObservedText = "KL divergence +Inf"
		r.Message = "KL divergence +Inf: values occur where the partition expects none (add tail_holdout or internal_holdout to allow some)"
		return false
	}
	r.ObservedText = "KL divergence " + result.Human(d)
	r.Message = r.ObservedText + ", expected ≤ " + result.FormatFloat(*c.Max)
	return d <= *c.Max
}

// chiSquare runs Pearson's goodness-of-fit test of the column's value
// counts against n × the partition's weights. A category expected and
// observed 0 times adds nothing to the statistic nor to the degrees of
// freedom; one observed but expected 0 times makes the statistic +Inf.
func chiSquare(c *Check, cs *colState, r *result.Check) bool {
	n := float64(cs.Count)
	labels, counts, weights := categorical(c, cs)
	stat, cats := 0.0, 0
	expected := make([]float64, len(weights))
	for i, w := range weights {
		e, o := w*n, float64(counts[i])
		expected[i] = e
		switch {
		case e == 0 && o == 0:
			continue
		case e == 0:
			stat = math.Inf(1)
		default:
			stat += (o - e) * (o - e) / e
		}
		cats++
	}
	r.Expected = map[string]any{"alpha": *c.Alpha}
	r.ExpectedText = "p-value > " + result.FormatFloat(*c.Alpha)
	r.ElementCount = result.Ptr(cs.Count)
	if cs.Count == 0 {
		r.ObservedText = "undefined"
		r.Message = "chi-square test undefined (no non-null values)"
		return false
	}
	pv := 1.0
	switch {
	case math.IsInf(stat, 1):
		pv = 0
	case cats > 1:
		pv = distuv.ChiSquared{K: float64(cats - 1)}.Survival(stat)
	}
	r.Observed = pv
	obsW := make([]float64, len(counts))
	for i, k := range counts {
		obsW[i] = float64(k) / n
	}
	r.Details = map[string]any{
		"statistic":          result.Number(stat),
		"degrees_of_freedom": cats - 1,
		"observed_partition": map[string]any{"values": labels, "weights": numbers(obsW), "counts": counts},
		"expected_partition": map[string]any{"values": labels, "weights": numbers(weights), "counts": numbers(expected)},
	}
	r.ObservedText = fmt.Sprintf("chi-square %s, p-value %s", result.Human(stat), result.Human(pv))
	r.Message = r.ObservedText + ", expected > " + result.FormatFloat(*c.Alpha)
	return pv > *c.Alpha
}
