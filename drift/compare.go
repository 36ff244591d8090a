package drift

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/trustml/trustml/bound"
	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/profile"
	"github.com/trustml/trustml/result"
)

// deciles are the reference quantiles whose distinct values bound the
// numeric PSI's bins.
var deciles = []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9}

// Compare runs every test of s on the reference and current profiles, and
// returns one check per test, named "drift.<column>.<test>", in suite
// order. A column absent from either profile, of different kinds in the
// two (numeric, string, boolean), or a test that does not apply to its
// kind (ks on strings) is an error: a *yamlx.Error positioned at the
// suite's keys, all problems at once. A test that applies but cannot be
// computed (no values on one side; exact counts needed but the column is
// of high cardinality) is a check of Status Error. A spec that fails
// [Spec.Validate] is an error before anything is compared.
func Compare(s *Spec, ref, cur *profile.Profile) ([]result.Check, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	var problems []yamlx.Problem
	bad := func(line, col int, path, format string, args ...any) {
		problems = append(problems, yamlx.Problem{Line: line, Col: col, Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	var checks []result.Check
	for _, c := range s.Columns {
		path := "drift.columns." + c.Name
		rc, cc := ref.Column(c.Name), cur.Column(c.Name)
		switch {
		case rc == nil:
			bad(c.Line, c.Col, path, "column %q is not in the reference; it has %s", c.Name, names(ref))
			continue
		case cc == nil:
			bad(c.Line, c.Col, path, "column %q is not in the current data's profile; it has %s", c.Name, names(cur))
			continue
		case rc.Kind != cc.Kind:
			bad(c.Line, c.Col, path, "column %q is %s (%s) in the reference but %s (%s) in the current data", c.Name, rc.Kind, rc.Type, cc.Kind, cc.Type)
			continue
		}
		for _, t := range c.Tests {
			if why := applies(t.Kind, rc.Kind); why != "" {
				bad(t.Line, t.Col, yamlx.Join(path, string(t.Kind)), "column %q is %s (%s): %s", c.Name, rc.Kind, rc.Type, why)
				continue
			}
			checks = append(checks, run(t, "drift."+c.Name+"."+string(t.Kind), c.Name, rc, cc, ref.MaxDistinct, cur.MaxDistinct, false))
		}
	}
	if s.Label != nil {
		lc, err := compareTarget(s, s.Label, "label", "the reference", "the current data's profile", ref, cur)
		if err != nil {
			var ye *yamlx.Error
			if errors.As(err, &ye) {
				problems = append(problems, ye.Problems...)
			} else {
				return nil, err
			}
		}
		checks = append(checks, lc...)
	}
	if len(problems) > 0 {
		return nil, &yamlx.Error{File: s.File, Problems: problems}
	}
	return checks, nil
}

// ComparePredictions runs the tests of s.Prediction on the profiles of a
// model's predictions on the reference (ref) and on the current data
// (cur), whose column PredictionColumn holds a predicted label, the
// probability of s.Prediction.Class, or a regressor's prediction per row.
// It returns one check per test, named "drift.prediction.<test>", with the
// errors and statuses of [Compare]. A spec without Prediction has none.
func ComparePredictions(s *Spec, ref, cur *profile.Profile) ([]result.Check, error) {
	if s == nil || s.Prediction == nil {
		return nil, nil
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return compareTarget(s, s.Prediction, "prediction", "the reference's predictions", "the current data's predictions", ref, cur)
}

// compareTarget runs t's tests on its column of ref and cur; key names it
// in the suite (label, prediction).
func compareTarget(s *Spec, t *Target, key, refName, curName string, ref, cur *profile.Profile) ([]result.Check, error) {
	path := "drift." + key
	bad := func(format string, args ...any) error {
		return &yamlx.Error{File: s.File, Problems: []yamlx.Problem{{Line: t.Line, Col: t.Col, Path: path, Msg: fmt.Sprintf(format, args...)}}}
	}
	rc, cc := ref.Column(t.Column), cur.Column(t.Column)
	switch {
	case rc == nil:
		return nil, bad("column %q is not in %s; it has %s", t.Column, refName, names(ref))
	case cc == nil:
		return nil, bad("column %q is not in %s; it has %s", t.Column, curName, names(cur))
	case rc.Kind != cc.Kind:
		return nil, bad("column %q is %s (%s) in %s but %s (%s) in the current data", t.Column, rc.Kind, rc.Type, refName, cc.Kind, cc.Type)
	}
	var checks []result.Check
	var problems []yamlx.Problem
	for _, x := range t.Tests {
		if why := applies(x.Kind, rc.Kind); why != "" && !t.Categorical {
			problems = append(problems, yamlx.Problem{Line: x.Line, Col: x.Col, Path: yamlx.Join(path, string(x.Kind)),
				Msg: fmt.Sprintf("column %q is %s (%s): %s", t.Column, rc.Kind, rc.Type, why)})
			continue
		}
		ck := run(x, path+"."+string(x.Kind), t.Column, rc, cc, ref.MaxDistinct, cur.MaxDistinct, t.Categorical)
		checks = append(checks, ck)
	}
	if len(problems) > 0 {
		return nil, &yamlx.Error{File: s.File, Problems: problems}
	}
	return checks, nil
}

func names(p *profile.Profile) string {
	out := make([]string, len(p.Columns))
	for i, c := range p.Columns {
		out[i] = c.Name
	}
	if len(out) == 0 {
		return "no columns"
	}
	return "columns " + strings.Join(out, ", ")
}

// applies says why test k cannot compare columns of kind; "" when it can.
func applies(k Kind, kind profile.Kind) string {
	switch {
	case kind == profile.Other:
		return "drift tests compare numbers, strings and booleans"
	case (k == KSTest || k == WassersteinTest) && kind != profile.Numeric:
		return string(k) + " compares numeric columns; use chi_square, psi or new_categories"
	}
	return ""
}

// run runs test t of a column: categorical compares its categories
// whatever its kind.
func run(t Test, name, column string, rc, cc *profile.Column, refMax, curMax int, categorical bool) result.Check {
	sev := t.Severity
	if sev == "" {
		sev = result.SeverityError
	}
	ck := result.Check{Section: result.Drift, Name: name, Kind: string(t.Kind),
		Column: column, Severity: sev}
	expected, expectedText := bounds(t)
	ck.Expected, ck.ExpectedText = expected, expectedText
	fail := func(msg string) result.Check {
		ck.Status = result.Error
		ck.Message = msg
		return ck
	}
	switch {
	case rc.Count == 0:
		return fail("the reference has no non-null values in " + column)
	case cc.Count == 0:
		return fail("the current data has no non-null values in " + column)
	}
	useNumbers := rc.Kind == profile.Numeric && t.Kind != ChiSquareTest && t.Kind != NewCategories && !categorical
	if useNumbers {
		rd, cd, exact, err := numericDists(rc, cc)
		if err != "" {
			return fail(err)
		}
		return numericCheck(ck, t, rc, rd, cd, exact)
	}
	rcat, ok1 := rc.Categories()
	ccat, ok2 := cc.Categories()
	if !ok1 || !ok2 {
		side, limit := "reference", refMax
		if ok1 {
			side, limit = "current data", curMax
		}
		return fail(fmt.Sprintf("%s needs exact value counts, but %s has more than %d distinct values in the %s", t.Kind, column, limit, side))
	}
	return categoricalCheck(ck, t, rcat, ccat)
}

// numericDists returns both columns' distributions: the exact values
// when both sides have them, else both sketches, which must share their
// index mapping so that a bucket is the same interval on both sides.
func numericDists(rc, cc *profile.Column) (rd, cd Dist, exact bool, problem string) {
	rv, rn, rx := rc.Points()
	cv, cn, cx := cc.Points()
	if !rx || !cx {
		rs, cs := rc.Numeric.Sketch, cc.Numeric.Sketch
		if rs.Gamma != cs.Gamma || rs.IndexOffset != cs.IndexOffset {
			return rd, cd, false, fmt.Sprintf("the reference's sketch has relative accuracy %v, the current data's %v: profile both with the same accuracy", rs.RelativeAccuracy, cs.RelativeAccuracy)
		}
		rv, rn = rs.Points()
		cv, cn = cs.Points()
	}
	return dist(rv, rn), dist(cv, cn), rx && cx, ""
}

func dist(values []float64, counts []int64) Dist {
	d := Dist{Values: values, Counts: make([]float64, len(counts))}
	for i, c := range counts {
		d.Counts[i] = float64(c)
	}
	return d
}

// bucketBound returns the largest mass one sketch bucket holds in either
// distribution: the most by which the KS statistic read from sketches can
// fall short of the exact one.
func bucketBound(a, b Dist) float64 {
	na, nb := a.total(), b.total()
	var m float64
	for i := range a.Counts {
		m = max(m, a.Counts[i]/na)
	}
	for i := range b.Counts {
		m = max(m, b.Counts[i]/nb)
	}
	return m
}

func numericCheck(ck result.Check, t Test, rc *profile.Column, rd, cd Dist, exact bool) result.Check {
	nr, nc := rd.total(), cd.total()
	obs := map[string]any{"n_reference": int64(nr), "n_current": int64(nc), "exact": exact}
	approx := ""
	if !exact {
		approx = fmt.Sprintf(" (from sketches of relative accuracy %v)", rc.Numeric.Sketch.RelativeAccuracy)
	}
	var passed bool
	switch t.Kind {
	case KSTest:
		d := KS(rd, cd)
		p, method := KSPValueFor(rd, cd, exact)
		obs["statistic"], obs["p_value"], obs["p_value_method"] = result.Number(d), result.Number(p), method
		if !exact {
			obs["max_error"] = bucketBound(rd, cd)
		}
		passed = within(t.Statistic, d) && within(t.PValue, p)
		ck.ObservedText = fmt.Sprintf("D %s, p-value %s", result.Human(d), result.Human(p))
		ck.Message = fmt.Sprintf("KS statistic %s (%s p-value %s) between reference (n=%d) and current (n=%d)%s, expected %s",
			result.Human(d), method, result.Human(p), int64(nr), int64(nc), approx, ck.ExpectedText)
	case WassersteinTest:
		w := Wasserstein(rd, cd)
		obs["distance"] = result.Number(w)
		passed = within(t.Statistic, w)
		ck.ObservedText = "W1 " + result.Human(w)
		ck.Message = fmt.Sprintf("Wasserstein-1 distance %s (reference mean %s, current mean %s)%s, expected %s",
			result.Human(w), result.Human(mean(rd)), result.Human(mean(cd)), approx, ck.ExpectedText)
	case PSITest:
		edges := decileEdges(rd)
		rf, cf := Fractions(rd, edges), Fractions(cd, edges)
		psi := PSI(rf, cf)
		obs["psi"] = result.Number(psi)
		bins := make([]map[string]any, len(rf))
		for i := range rf {
			lo, hi := math.Inf(-1), math.Inf(1)
			if i > 0 {
				lo = edges[i-1]
			}
			if i < len(edges) {
				hi = edges[i]
			}
			bins[i] = map[string]any{"lo": result.Number(lo), "hi": result.Number(hi), "reference": rf[i], "current": cf[i]}
		}
		obs["bins"] = bins
		passed = within(t.Statistic, psi)
		ck.ObservedText = "PSI " + result.Human(psi)
		ck.Message = fmt.Sprintf("PSI %s over %d bins from the reference's deciles%s%s, expected %s",
			result.Human(psi), len(rf), worstBin(rf, cf, edges), approx, ck.ExpectedText)
	}
	ck.Observed = obs
	ck.Status = result.StatusOf(passed, ck.Severity)
	return ck
}

func mean(d Dist) float64 {
	var s, n float64
	for i, v := range d.Values {
		s += v * d.Counts[i]
		n += d.Counts[i]
	}
	return s / n
}

// decileEdges returns the distinct deciles of d (the value of rank
// ⌊q·(n−1)⌋), below its maximum so that no bin is empty by construction.
func decileEdges(d Dist) []float64 {
	n := d.total()
	var edges []float64
	for _, q := range deciles {
		rank := math.Floor(q * (n - 1))
		var seen float64
		for i, c := range d.Counts {
			seen += c
			if seen > rank {
				v := d.Values[i]
				if v < d.Values[len(d.Values)-1] && (len(edges) == 0 || v > edges[len(edges)-1]) {
					edges = append(edges, v)
				}
				break
			}
		}
	}
	return edges
}

// worstBin describes the bin contributing most to the PSI.
func worstBin(rf, cf, edges []float64) string {
	best, bi := -1.0, 0
	for i := range rf {
		if v := PSI(rf[i:i+1], cf[i:i+1]); v > best {
			best, bi = v, i
		}
	}
	if best <= 0 {
		return ""
	}
	var where string
	switch {
	case len(edges) == 0:
		where = "all values"
	case bi == 0:
		where = "≤ " + result.Human(edges[0])
	case bi == len(edges):
		where = "> " + result.Human(edges[bi-1])
	default:
		where = fmt.Sprintf("(%s, %s]", result.Human(edges[bi-1]), result.Human(edges[bi]))
	}
	return fmt.Sprintf(" (most in %s: %.1f%% of reference, %.1f%% of current)", where, 100*rf[bi], 100*cf[bi])
}

func categoricalCheck(ck result.Check, t Test, rcat, ccat []profile.ValueCount) result.Check {
	// The union of the categories, in the order of their text.
	idx := map[string]int{}
	var cats []string
	for _, vs := range [][]profile.ValueCount{rcat, ccat} {
		for _, v := range vs {
			if _, ok := idx[v.Value]; !ok {
				idx[v.Value] = len(cats)
				cats = append(cats, v.Value)
			}
		}
	}
	slices.Sort(cats)
	for i, c := range cats {
		idx[c] = i
	}
	rn, cn := make([]float64, len(cats)), make([]float64, len(cats))
	var nr, nc float64
	for _, v := range rcat {
		rn[idx[v.Value]] = float64(v.Count)
		nr += float64(v.Count)
	}
	for _, v := range ccat {
		cn[idx[v.Value]] = float64(v.Count)
		nc += float64(v.Count)
	}
	obs := map[string]any{"n_reference": int64(nr), "n_current": int64(nc), "categories": len(cats)}
	var passed bool
	switch t.Kind {
	case ChiSquareTest:
		x2, df, p := ChiSquare(rn, cn)
		obs["statistic"], obs["df"], obs["p_value"] = result.Number(x2), df, result.Number(p)
		passed = within(t.Statistic, x2) && within(t.PValue, p)
		ck.ObservedText = fmt.Sprintf("χ² %s, df %d, p-value %s", result.Human(x2), df, result.Human(p))
		ck.Message = fmt.Sprintf("chi-square %s with %d degrees of freedom (p-value %s) over %d categories%s, expected %s",
			result.Human(x2), df, result.Human(p), len(cats), biggestShift(cats, rn, cn, nr, nc), ck.ExpectedText)
	case PSITest:
		rf, cf := make([]float64, len(cats)), make([]float64, len(cats))
		for i := range cats {
			rf[i], cf[i] = rn[i]/nr, cn[i]/nc
		}
		psi := PSI(rf, cf)
		obs["psi"] = result.Number(psi)
		passed = within(t.Statistic, psi)
		ck.ObservedText = "PSI " + result.Human(psi)
		ck.Message = fmt.Sprintf("PSI %s over %d categories%s, expected %s", result.Human(psi), len(cats), biggestShift(cats, rn, cn, nr, nc), ck.ExpectedText)
	case NewCategories:
		var fresh []string
		var rows int64
		for i, c := range cats {
			if rn[i] == 0 && cn[i] > 0 {
				fresh = append(fresh, c)
				rows += int64(cn[i])
			}
		}
		obs["count"], obs["rows"] = len(fresh), rows
		obs["categories"] = append([]string{}, fresh...)
		passed = within(t.Statistic, float64(len(fresh)))
		ck.ObservedText = fmt.Sprintf("%d new", len(fresh))
		if len(fresh) == 0 {
			ck.Message = fmt.Sprintf("no value of the current data is new to the reference, expected %s", ck.ExpectedText)
		} else {
			ck.Message = fmt.Sprintf("%d %s not in the reference (%d rows): %s, expected %s",
				len(fresh), plural(len(fresh), "value", "values"), rows, quoteList(fresh, 10), ck.ExpectedText)
		}
	}
	ck.Observed = obs
	ck.Status = result.StatusOf(passed, ck.Severity)
	return ck
}

// biggestShift names the category whose share changed most.
func biggestShift(cats []string, rn, cn []float64, nr, nc float64) string {
	best, bi := 0.0, -1
	for i := range cats {
		if d := math.Abs(cn[i]/nc - rn[i]/nr); d > best {
			best, bi = d, i
		}
	}
	if bi < 0 {
		return ""
	}
	return fmt.Sprintf(" (largest shift %q: %.1f%% of reference, %.1f%% of current)", cats[bi], 100*rn[bi]/nr, 100*cn[bi]/nc)
}

func quoteList(vs []string, n int) string {
	var b strings.Builder
	for i, v := range vs {
		if i == n {
			fmt.Fprintf(&b, ", … (%d more)", len(vs)-n)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", v)
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// within reports whether v passes b: an interval without ends passes
// everything, NaN included (the test then only reports its statistic).
func within(b bound.Interval, v float64) bool { return b.IsZero() || b.Contains(v) }

// bounds returns a test's thresholds, machine-readable and as text.
func bounds(t Test) (map[string]any, string) {
	m := map[string]any{}
	var parts []string
	stat := map[Kind]string{KSTest: "D", ChiSquareTest: "χ²", PSITest: "PSI", WassersteinTest: "W1", NewCategories: "new values"}[t.Kind]
	if v := t.Statistic.Max; v != nil {
		m[statisticKey(t.Kind)] = *v
		parts = append(parts, stat+" ≤ "+result.FormatFloat(*v))
	}
	if v := t.PValue.Min; v != nil {
		m["min_p_value"] = *v
		parts = append(parts, "p-value ≥ "+result.FormatFloat(*v))
	}
	return m, strings.Join(parts, " and ")
}
