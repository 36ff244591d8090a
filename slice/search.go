package slice

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/trustml/trustml/result"
)

// Finding is a candidate slice whose mean per-row loss is above the
// rest's. Effect is Cohen's d: the difference of the mean losses divided
// by the pooled standard deviation
// √(((n−1)s² + (m−1)s'²) / (n+m−2)) of the slice (n rows, variance s²)
// and the rest (m rows, s'²). T, DF and P are Welch's one-sided t-test
// (Welch–Satterthwaite degrees of freedom); Q is the Benjamini–Hochberg
// adjusted p-value over every candidate tested.
type Finding struct {
	Name         string  `json:"name"`
	Values       []Value `json:"values"`
	N            int     `json:"n"`
	MeanLoss     float64 `json:"mean_loss"`
	RestMeanLoss float64 `json:"rest_mean_loss"`
	Effect       float64 `json:"effect"`
	T            float64 `json:"t"`
	DF           float64 `json:"df"`
	P            float64 `json:"p"`
	Q            float64 `json:"q"`
}

// SearchResult is the Details of the "slices.search" check.
type SearchResult struct {
	Loss Loss `json:"loss"`
	// Effect names the effect size: "cohen_d".
	Effect     string  `json:"effect"`
	Features   []Cut   `json:"features"`
	Pairs      bool    `json:"pairs"`
	MinSupport int     `json:"min_support"`
	FDR        float64 `json:"fdr"`
	// Candidates counts the slices tested: those with at least MinSupport
	// rows, at least 2 rows outside, and a loss that varies on one side.
	Candidates int `json:"candidates"`
	// Significant counts the candidates with Q ≤ FDR; Found lists the
	// TopK of them with the largest effect (then smallest Q).
	Significant int       `json:"significant"`
	TopK        int       `json:"top_k"`
	Found       []Finding `json:"found"`
}

// searchFeatures resolves the dimensions to search (see [Search.Features]).
func searchFeatures(spec *Spec, s Search, read func(string) (*column, error)) ([]Dim, error) {
	if s.Features == nil {
		var out []Dim
		for _, sl := range spec.By {
			for _, d := range sl {
				if !slices.ContainsFunc(out, func(o Dim) bool { return o.Column == d.Column }) {
					out = append(out, d)
				}
			}
		}
		return out, nil
	}
	out := make([]Dim, 0, len(s.Features))
	for _, d := range s.Features {
		if d.byValue() {
			i := slices.IndexFunc(spec.By, func(sl Slicing) bool { return len(sl) == 1 && sl[0].Column == d.Column })
			if i >= 0 {
				d = spec.By[i][0]
			} else {
				c, err := read(d.Column)
				if err != nil {
					return nil, err
				}
				if c.numeric {
					d.Quantiles = s.Quantiles
				}
			}
		}
		out = append(out, d)
	}
	return out, nil
}

type candidate struct {
	Finding
	index int // order of definition, for stable ties
}

// search runs weak-slice discovery (see [Search]) and returns its check.
func search(ctx context.Context, spec *Spec, read func(string) (*column, error), m measurer) (result.Check, error) {
	s := spec.Search.withDefaults()
	feats, err := searchFeatures(spec, s, read)
	if err != nil {
		return result.Check{}, err
	}
	n := m.n
	loss, used, err := m.loss(s.Metric)
	if err != nil {
		return result.Check{}, err
	}
	s.Metric = used
	mean := stat.Mean(loss, nil)
	var ss float64
	for _, l := range loss {
		ss += (l - mean) * (l - mean)
	}

	cuts := make([]*levels, len(feats))
	res := SearchResult{Loss: s.Metric, Effect: "cohen_d", Pairs: s.Pairs, MinSupport: s.MinSupport, FDR: s.FDR, TopK: s.TopK}
	for i, d := range feats {
		c, err := read(d.Column)
		if err != nil {
			return result.Check{}, err
		}
		if cuts[i], err = cut(c, d, 0); err != nil {
			return result.Check{}, err
		}
		res.Features = append(res.Features, cutOf(cuts[i]))
	}
	sets := make([][]*levels, 0, len(cuts))
	for _, l := range cuts {
		sets = append(sets, []*levels{l})
	}
	if s.Pairs {
		for i := range cuts {
			for j := i + 1; j < len(cuts); j++ {
				sets = append(sets, []*levels{cuts[i], cuts[j]})
			}
		}
	}

	var cands []candidate
	for _, set := range sets {
		if err := ctx.Err(); err != nil {
			return result.Check{}, err
		}
		groups, err := cross(set, n)
		if err != nil {
			return result.Check{}, err
		}
		for _, g := range groups {
			f, ok := welch(g, loss, n, mean, ss, s.MinSupport)
			if ok {
				cands = append(cands, candidate{Finding: f, index: len(cands)})
			}
		}
	}
	res.Candidates = len(cands)
	benjaminiHochberg(cands)

	var found []candidate
	for _, c := range cands {
		if c.Q <= s.FDR {
			found = append(found, c)
		}
	}
	res.Significant = len(found)
	slices.SortFunc(found, func(a, b candidate) int {
		return cmp.Or(cmp.Compare(b.Effect, a.Effect), cmp.Compare(a.Q, b.Q), cmp.Compare(a.index, b.index))
	})
	res.Found = []Finding{}
	for _, c := range found[:min(len(found), s.TopK)] {
		res.Found = append(res.Found, c.Finding)
	}
	return searchCheck(s, res), nil
}

// welch compares the loss of the rows of g with the rest's; ok is false
// when g is too small, covers nearly every row, or the loss is constant
// on both sides. The rest's moments come from the totals (mean and sum of
// squared deviations ss over all n rows) by the decomposition
// ss = ss_g + ss_rest + n_g(m_g − mean)² + n_rest(m_rest − mean)².
func welch(g group, loss []float64, n int, mean, ss float64, minSupport int) (Finding, bool) {
	n1 := len(g.rows)
	n2 := n - n1
	if n1 < minSupport || n2 < 2 {
		return Finding{}, false
	}
	m1, v1 := stat.MeanVariance(pick(loss, g.rows), nil)
	m2 := (mean*float64(n) - m1*float64(n1)) / float64(n2)
	ss2 := ss - v1*float64(n1-1) - float64(n1)*(m1-mean)*(m1-mean) - float64(n2)*(m2-mean)*(m2-mean)
	v2 := math.Max(ss2, 0) / float64(n2-1)
	a, b := v1/float64(n1), v2/float64(n2)
	if a+b == 0 {
		return Finding{}, false
	}
	t := (m1 - m2) / math.Sqrt(a+b)
	df := (a + b) * (a + b) / (a*a/float64(n1-1) + b*b/float64(n2-1))
	pooled := math.Sqrt((float64(n1-1)*v1 + float64(n2-1)*v2) / float64(n1+n2-2))
	return Finding{
		Name: g.name, Values: g.values, N: n1,
		MeanLoss: m1, RestMeanLoss: m2,
		Effect: (m1 - m2) / pooled,
		T:      t, DF: df,
		P: distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Survival(t),
	}, true
}

// benjaminiHochberg sets Q of every candidate: the smallest FDR at which
// the step-up procedure rejects it, min over j ≥ rank of p_(j)·m/j.
func benjaminiHochberg(cands []candidate) {
	m := len(cands)
	order := make([]int, m)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(cands[a].P, cands[b].P) })
	q := 1.0
	for r := m - 1; r >= 0; r-- {
		c := &cands[order[r]]
		q = math.Min(q, c.P*float64(m)/float64(r+1))
		c.Q = q
	}
}

func searchCheck(s Search, res SearchResult) result.Check {
	lossName := lossNames[s.Metric]
	c := result.Check{
		Section:  result.Slices,
		Name:     "slices.search",
		Kind:     "slice_search",
		Severity: s.Severity,
		Observed: res.Significant,
		Expected: 0,
		ExpectedText: fmt.Sprintf("no slice of at least %d rows whose mean %s is above the rest's (one-sided Welch t-test, Benjamini–Hochberg q ≤ %s)",
			s.MinSupport, lossName, result.Human(s.FDR)),
		Status:  result.StatusOf(res.Significant == 0, s.Severity),
		Details: res,
	}
	if res.Significant == 0 {
		c.ObservedText = fmt.Sprintf("none of %d candidate slices is significantly worse", res.Candidates)
		c.Message = "no weak slice: " + c.ObservedText
		return c
	}
	c.ObservedText = fmt.Sprintf("%d of %d candidate slices significantly worse", res.Significant, res.Candidates)
	var top []string
	for i, f := range res.Found {
		if i == 3 {
			break
		}
		top = append(top, findingText(f))
	}
	c.Message = fmt.Sprintf("%s; worst: %s", c.ObservedText, strings.Join(top, "; "))
	return c
}

func findingText(f Finding) string {
	return fmt.Sprintf("%s (n=%d, mean loss %s vs %s, d=%s, q=%s)", f.Name, f.N,
		result.Human(f.MeanLoss), result.Human(f.RestMeanLoss), result.Human(f.Effect), result.Human(f.Q))
}
