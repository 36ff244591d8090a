package fairness

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/trustml/trustml/bound"
	"github.com/trustml/trustml/internal/bootstrap"
)

// Outcomes holds one binary decision per row. The three slices have one
// entry per row, in the same order.
type Outcomes struct {
	// Actual reports whether the row's actual label is the positive class.
	Actual []bool
	// Selected reports whether the model predicted the positive class.
	Selected []bool
	// Group is the row's value of the sensitive feature.
	Group []string
}

// Name names a group metric as a suite spells it.
type Name string

// The group metrics, defined in the package documentation.
const (
	DemographicParityDifference Name = "demographic_parity_difference"
	DemographicParityRatio      Name = "demographic_parity_ratio"
	EqualOpportunityDifference  Name = "equal_opportunity_difference"
	EqualizedOddsDifference     Name = "equalized_odds_difference"
)

// Names lists every group metric, in the order an [Assessment] reports them.
var Names = []Name{DemographicParityDifference, DemographicParityRatio, EqualOpportunityDifference, EqualizedOddsDifference}

// Options adjust [Assess]. The zero value works.
type Options struct {
	// Resamples is the number of bootstrap resamples; 0 means 1000.
	Resamples int
	// Level is the confidence level of the intervals; 0 means 0.95.
	Level float64
	// Permutations is the number of group-label shuffles of the
	// permutation tests; 0 means 999.
	Permutations int
	// Seed seeds every random draw.
	Seed uint64
}

// MaxResamples and MaxPermutations cap the work an assessment may ask for:
// each resample or shuffle costs one pass over the rows.
const (
	MaxResamples    = 100_000
	MaxPermutations = 100_000
)

func (o Options) withDefaults() (Options, error) {
	if o.Resamples == 0 {
		o.Resamples = 1000
	}
	if o.Level == 0 {
		o.Level = 0.95
	}
	if o.Permutations == 0 {
		o.Permutations = 999
	}
	switch {
	case o.Resamples < 0 || o.Resamples > MaxResamples:
		return o, fmt.Errorf("fairness: resamples %d outside 1..%d", o.Resamples, MaxResamples)
	case o.Permutations < 0 || o.Permutations > MaxPermutations:
		return o, fmt.Errorf("fairness: permutations %d outside 1..%d", o.Permutations, MaxPermutations)
	case !(o.Level > 0 && o.Level < 1):
		return o, fmt.Errorf("fairness: level %v outside (0, 1)", o.Level)
	}
	return o, nil
}

// Estimate is a value with its bootstrap interval [Lo, Hi]. Value, Lo and
// Hi are NaN when undefined; Resamples counts the replicates in which the
// value was defined, the ones the interval is read from.
type Estimate struct {
	Value     float64
	Lo, Hi    float64
	Resamples int
}

// MarshalJSON writes the estimate as {"value", "lower", "upper",
// "resamples"}, an undefined (NaN) number as null.
func (e Estimate) MarshalJSON() ([]byte, error) {
	return json.Marshal(estimateJSON{jsonNumber(e.Value), jsonNumber(e.Lo), jsonNumber(e.Hi), e.Resamples})
}

type estimateJSON struct {
	Value     *float64 `json:"value"`
	Lower     *float64 `json:"lower"`
	Upper     *float64 `json:"upper"`
	Resamples int      `json:"resamples"`
}

// jsonNumber is v, or nil when v is not finite.
func jsonNumber(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// Group is one group's counts and rates.
type Group struct {
	Name string `json:"name"`
	// Rows, Positives and Negatives count the group's rows and its actual
	// positives and negatives; Selected counts the rows the model selected.
	Rows          int      `json:"rows"`
	Positives     int      `json:"positives"`
	Negatives     int      `json:"negatives"`
	Selected      int      `json:"selected"`
	SelectionRate Estimate `json:"selection_rate"`
	TPR           Estimate `json:"tpr"`
	FPR           Estimate `json:"fpr"`
}

// Pair compares two groups: each field is group A's rate minus group B's.
type Pair struct {
	A             string   `json:"a"`
	B             string   `json:"b"`
	SelectionRate Estimate `json:"selection_rate"`
	TPR           Estimate `json:"tpr"`
	FPR           Estimate `json:"fpr"`
}

// Metric is one group metric of an assessment.
type Metric struct {
	Name Name
	Estimate
	// P is the permutation test's p-value of "no disparity", and Q its
	// Benjamini–Hochberg adjustment over the metrics of the assessment.
	// Both are NaN when the metric is undefined.
	P, Q float64
	// Undefined says why the metric has no value; empty when it has one.
	Undefined string
}

// MarshalJSON writes the metric as its name, its estimate's fields, "p",
// "q" and "undefined", an undefined (NaN) number as null.
func (m Metric) MarshalJSON() ([]byte, error) { return json.Marshal(m.jsonForm()) }

type metricJSON struct {
	Name Name `json:"name"`
	estimateJSON
	P         *float64 `json:"p"`
	Q         *float64 `json:"q"`
	Undefined string   `json:"undefined,omitempty"`
}

func (m Metric) jsonForm() metricJSON {
	return metricJSON{m.Name, estimateJSON{jsonNumber(m.Value), jsonNumber(m.Lo), jsonNumber(m.Hi), m.Resamples}, jsonNumber(m.P), jsonNumber(m.Q), m.Undefined}
}

// Assessment is the outcome of [Assess].
type Assessment struct {
	// Groups are sorted by name; Pairs hold every pair of groups (A before
	// B in that order); Metrics follow [Names].
	Groups  []Group  `json:"groups"`
	Pairs   []Pair   `json:"pairs"`
	Metrics []Metric `json:"metrics"`
	// Level, Resamples, Permutations and Seed are the options used.
	Level        float64 `json:"level"`
	Resamples    int     `json:"resamples"`
	Permutations int     `json:"permutations"`
	Seed         uint64  `json:"seed"`
}

// Metric returns the named metric of the assessment.
func (a *Assessment) Metric(n Name) (Metric, bool) {
	for _, m := range a.Metrics {
		if m.Name == n {
			return m, true
		}
	}
	return Metric{}, false
}

// Pass reports whether the metric meets the bound b. Without confidence,
// the metric's value must lie within b. With confidence, it fails only
// when its whole interval lies outside b: the data show the disparity
// beyond doubt at the assessment's level. An undefined metric never
// passes.
func (m Metric) Pass(b bound.Interval, confidence bool) bool {
	if math.IsNaN(m.Value) {
		return false
	}
	if !confidence {
		return b.Contains(m.Value)
	}
	// The interval [Lo, Hi] meets b unless it lies wholly beyond one end.
	if b.Max != nil && (m.Lo > *b.Max || (b.StrictMax && m.Lo >= *b.Max)) {
		return false
	}
	if b.Min != nil && (m.Hi < *b.Min || (b.StrictMin && m.Hi <= *b.Min)) {
		return false
	}
	return true
}

// ErrTooFewGroups is returned when the outcomes hold fewer than two groups:
// there is nothing to compare.
var ErrTooFewGroups = errors.New("fairness: fewer than two groups")

// Assess measures the outcomes: each group's rates, every pair's
// differences and the group metrics, with bootstrap intervals and
// permutation tests. It returns an error when the slices differ in length,
// are empty, or hold fewer than two groups.
func Assess(o Outcomes, opts Options) (*Assessment, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	d, err := index(o)
	if err != nil {
		return nil, err
	}
	a := &Assessment{Level: opts.Level, Resamples: opts.Resamples, Permutations: opts.Permutations, Seed: opts.Seed}
	obs := d.count(d.group)
	obsRates := obs.rates()
	obsMetrics := metrics(obsRates)

	// Bootstrap: resample within each group, so group sizes stay fixed.
	rng := rand.New(rand.NewPCG(opts.Seed, 0x6661697231))
	k := len(d.names)
	type reps struct{ sr, tpr, fpr []float64 }
	groupReps := make([]reps, k)
	pairReps := make([]reps, k*k)
	metricReps := make([][]float64, len(Names))
	sample := make([]int, len(d.group))
	for range opts.Resamples {
		pos := 0
		for _, rows := range d.rows {
			for range rows {
				sample[pos] = rows[rng.IntN(len(rows))]
				pos++
			}
		}
		r := d.countRows(sample).rates()
		for g := range k {
			groupReps[g].sr = appendDefined(groupReps[g].sr, r.sr[g])
			groupReps[g].tpr = appendDefined(groupReps[g].tpr, r.tpr[g])
			groupReps[g].fpr = appendDefined(groupReps[g].fpr, r.fpr[g])
		}
		for i := range k {
			for j := i + 1; j < k; j++ {
				p := &pairReps[i*k+j]
				p.sr = appendDefined(p.sr, r.sr[i]-r.sr[j])
				p.tpr = appendDefined(p.tpr, r.tpr[i]-r.tpr[j])
				p.fpr = appendDefined(p.fpr, r.fpr[i]-r.fpr[j])
			}
		}
		for m, v := range metrics(r) {
			metricReps[m] = appendDefined(metricReps[m], v)
		}
	}
	est := func(v float64, reps []float64) Estimate {
		e := Estimate{Value: v, Lo: math.NaN(), Hi: math.NaN(), Resamples: len(reps)}
		if !math.IsNaN(v) && len(reps) > 0 {
			e.Lo, e.Hi = bootstrap.Interval(reps, opts.Level)
		}
		return e
	}
	for g, name := range d.names {
		a.Groups = append(a.Groups, Group{
			Name: name, Rows: obs.rows[g], Positives: obs.pos[g], Negatives: obs.rows[g] - obs.pos[g], Selected: obs.sel[g],
			SelectionRate: est(obsRates.sr[g], groupReps[g].sr),
			TPR:           est(obsRates.tpr[g], groupReps[g].tpr),
			FPR:           est(obsRates.fpr[g], groupReps[g].fpr),
		})
	}
	for i := range k {
		for j := i + 1; j < k; j++ {
			p := pairReps[i*k+j]
			a.Pairs = append(a.Pairs, Pair{
				A: d.names[i], B: d.names[j],
				SelectionRate: est(obsRates.sr[i]-obsRates.sr[j], p.sr),
				TPR:           est(obsRates.tpr[i]-obsRates.tpr[j], p.tpr),
				FPR:           est(obsRates.fpr[i]-obsRates.fpr[j], p.fpr),
			})
		}
	}

	// Permutation tests of "no disparity".
	pvals := d.permutationP(obsMetrics, opts.Permutations, rng)
	qvals := benjaminiHochberg(pvals)
	for m, name := range Names {
		e := est(obsMetrics[m], metricReps[m])
		a.Metrics = append(a.Metrics, Metric{Name: name, Estimate: e, P: pvals[m], Q: qvals[m], Undefined: undefined(name, obsRates, d.names)})
	}
	return a, nil
}

func appendDefined(s []float64, v float64) []float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return s
	}
	return append(s, v)
}

// data is the outcomes with groups as indices into names, sorted.
type data struct {
	actual, selected []bool
	group            []int
	names            []string
	rows             [][]int // the row indices of each group
}

func index(o Outcomes) (*data, error) {
	n := len(o.Group)
	if len(o.Actual) != n || len(o.Selected) != n {
		return nil, fmt.Errorf("fairness: %d actual labels, %d selections and %d groups: want one of each per row", len(o.Actual), len(o.Selected), n)
	}
	if n == 0 {
		return nil, errors.New("fairness: no rows")
	}
	names := slices.Clone(o.Group)
	slices.Sort(names)
	names = slices.Compact(names)
	if len(names) < 2 {
		return nil, fmt.Errorf("%w: every row is in group %q", ErrTooFewGroups, names[0])
	}
	d := &data{actual: o.Actual, selected: o.Selected, group: make([]int, n), names: names, rows: make([][]int, len(names))}
	for i, g := range o.Group {
		gi, _ := slices.BinarySearch(names, g)
		d.group[i] = gi
		d.rows[gi] = append(d.rows[gi], i)
	}
	return d, nil
}

// counts tallies, per group: rows, actual positives, selected rows,
// selected positives (true positives), selected negatives (false
// positives).
type counts struct {
	rows, pos, sel, tp, fp []int
}

func newCounts(k int) counts {
	return counts{make([]int, k), make([]int, k), make([]int, k), make([]int, k), make([]int, k)}
}

func (c counts) add(g int, actual, selected bool) {
	c.rows[g]++
	if actual {
		c.pos[g]++
	}
	if selected {
		c.sel[g]++
		if actual {
			c.tp[g]++
		} else {
			c.fp[g]++
		}
	}
}

// count tallies every row, with row i in group group[i].
func (d *data) count(group []int) counts {
	c := newCounts(len(d.names))
	for i, g := range group {
		c.add(g, d.actual[i], d.selected[i])
	}
	return c
}

// countRows tallies the rows of a resample, each in its own group.
func (d *data) countRows(rows []int) counts {
	c := newCounts(len(d.names))
	for _, i := range rows {
		c.add(d.group[i], d.actual[i], d.selected[i])
	}
	return c
}

type rates struct{ sr, tpr, fpr []float64 }

func ratio(a, b int) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}

func (c counts) rates() rates {
	k := len(c.rows)
	r := rates{make([]float64, k), make([]float64, k), make([]float64, k)}
	for g := range k {
		r.sr[g] = ratio(c.sel[g], c.rows[g])
		r.tpr[g] = ratio(c.tp[g], c.pos[g])
		r.fpr[g] = ratio(c.fp[g], c.rows[g]-c.pos[g])
	}
	return r
}

// spread returns max − min of v, and the two; NaN when any is NaN.
func spread(v []float64) (d, lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range v {
		if math.IsNaN(x) {
			return math.NaN(), math.NaN(), math.NaN()
		}
		lo, hi = min(lo, x), max(hi, x)
	}
	return hi - lo, lo, hi
}

// metrics computes the group metrics in the order of Names.
func metrics(r rates) []float64 {
	dp, lo, hi := spread(r.sr)
	dpr := math.NaN()
	if hi > 0 {
		dpr = lo / hi
	}
	eo, _, _ := spread(r.tpr)
	fd, _, _ := spread(r.fpr)
	eodds := math.NaN()
	if !math.IsNaN(eo) && !math.IsNaN(fd) {
		eodds = max(eo, fd)
	}
	return []float64{dp, dpr, eo, eodds}
}

// undefined says why a metric has no value, or "" when it has one.
func undefined(n Name, r rates, names []string) string {
	missing := func(v []float64, what string) string {
		for g, x := range v {
			if math.IsNaN(x) {
				return fmt.Sprintf("group %q has no %s", names[g], what)
			}
		}
		return ""
	}
	switch n {
	case DemographicParityRatio:
		if _, _, hi := spread(r.sr); hi == 0 {
			return "no group has a selected row"
		}
	case EqualOpportunityDifference:
		return missing(r.tpr, "actual positives")
	case EqualizedOddsDifference:
		if s := missing(r.tpr, "actual positives"); s != "" {
			return s
		}
		return missing(r.fpr, "actual negatives")
	}
	return ""
}

// disparity turns each metric into a statistic that grows with disparity:
// the differences as they are, the ratio as 1 − ratio.
func disparity(m []float64) []float64 {
	out := slices.Clone(m)
	out[1] = 1 - m[1]
	return out
}

// permutationP returns each metric's permutation p-value: demographic
// parity shuffles groups across all rows; the odds metrics shuffle them
// within the actual positives and within the actual negatives.
func (d *data) permutationP(obs []float64, n int, rng *rand.Rand) []float64 {
	obsStat := disparity(obs)
	// Shuffles at least as extreme as observed, with a tolerance for
	// float rounding of equal counts.
	ge := make([]int, len(Names))
	all := slices.Clone(d.group)
	var posRows, negRows []int
	for i, a := range d.actual {
		if a {
			posRows = append(posRows, i)
		} else {
			negRows = append(negRows, i)
		}
	}
	strat := slices.Clone(d.group)
	posG := make([]int, len(posRows))
	negG := make([]int, len(negRows))
	for i, r := range posRows {
		posG[i] = d.group[r]
	}
	for i, r := range negRows {
		negG[i] = d.group[r]
	}
	const eps = 1e-12
	for range n {
		rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		s := disparity(metrics(d.count(all).rates()))
		for m := 0; m < 2; m++ {
			if s[m] >= obsStat[m]-eps {
				ge[m]++
			}
		}
		rng.Shuffle(len(posG), func(i, j int) { posG[i], posG[j] = posG[j], posG[i] })
		rng.Shuffle(len(negG), func(i, j int) { negG[i], negG[j] = negG[j], negG[i] })
		for i, r := range posRows {
			strat[r] = posG[i]
		}
		for i, r := range negRows {
			strat[r] = negG[i]
		}
		s = disparity(metrics(d.count(strat).rates()))
		for m := 2; m < 4; m++ {
			if s[m] >= obsStat[m]-eps {
				ge[m]++
			}
		}
	}
	p := make([]float64, len(Names))
	for m := range p {
		if math.IsNaN(obsStat[m]) {
			p[m] = math.NaN()
			continue
		}
		p[m] = float64(1+ge[m]) / float64(1+n)
	}
	return p
}

// benjaminiHochberg adjusts p-values by the step-up rule: q_(i) =
// min over j ≥ i of p_(j)·m/j, capped at 1, with m the number of defined
// p-values. NaN stays NaN.
func benjaminiHochberg(p []float64) []float64 {
	q := make([]float64, len(p))
	var idx []int
	for i, v := range p {
		q[i] = math.NaN()
		if !math.IsNaN(v) {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case p[a] < p[b]:
			return -1
		case p[a] > p[b]:
			return 1
		}
		return 0
	})
	m := float64(len(idx))
	run := 1.0
	for r := len(idx) - 1; r >= 0; r-- {
		i := idx[r]
		run = min(run, p[i]*m/float64(r+1))
		q[i] = run
	}
	return q
}
