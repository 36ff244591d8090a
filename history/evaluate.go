package history

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/result"
)

// Section is the result section of history checks.
const Section result.Section = "history"

// Evaluate runs the spec's checks for a run of suite whose checks are
// checks and whose data schema is schema ("name:type, name:type"), against
// the suite's earlier runs in st. A check that names no check of the run,
// or a field its check did not observe, has status Error. The error is the
// store's, when it cannot be read.
func (s *Spec) Evaluate(ctx context.Context, st *Store, suite string, checks []result.Check, schema string) ([]result.Check, error) {
	var out []result.Check
	if s.Schema != nil {
		prev, ok, err := st.LastSchema(ctx, suite, 0)
		if err != nil {
			return nil, err
		}
		out = append(out, schemaCheck(s.Schema.Severity, prev, ok, schema))
	}
	obs := Observe(checks)
	byKey := map[Key]float64{}
	fields := map[string][]string{}
	for _, o := range obs {
		byKey[o.Key] = o.Value
		fields[o.Name] = append(fields[o.Name], o.Field)
	}
	for i := range s.Checks {
		c := &s.Checks[i]
		r := result.Check{Section: Section, Name: c.Name(), Severity: c.Severity, Column: ""}
		if c.Change != nil {
			r.Kind = "change"
			r.Expected = c.Change.expected()
			r.ExpectedText = c.Change.String()
		} else {
			r.Kind = "anomaly"
			r.Expected = map[string]any{"method": c.Anomaly.Method.Name, "window": c.Anomaly.Window, "max_z": c.Anomaly.MaxZ}
			r.ExpectedText = fmt.Sprintf("|z| ≤ %s by %s over the last %d runs", result.Human(c.Anomaly.MaxZ), describe(c.Anomaly), c.Anomaly.Window)
		}
		x, ok := byKey[c.Key]
		if !ok {
			r.Status = result.Error
			r.Message = missingMessage(c.Key, checks, fields)
			out = append(out, r)
			continue
		}
		need := 0
		if c.Change != nil {
			need = c.Change.Runs()
		} else {
			need = c.Anomaly.Window
		}
		past, err := st.Series(ctx, suite, c.Key, need, 0)
		if err != nil {
			return nil, err
		}
		vals := make([]float64, len(past))
		for j, p := range past {
			vals[j] = p.Value
		}
		if c.Change != nil {
			c.Change.judge(&r, x, vals, c.Severity)
		} else {
			c.Anomaly.judge(&r, x, vals, c.Severity)
		}
		out = append(out, r)
	}
	return out, nil
}

// Learning is the message of a check that has too little history to judge.
func Learning(k, n int) string { return fmt.Sprintf("learning: %d of %d runs", k, n) }

func (c *Change) expected() map[string]any {
	m := map[string]any{"against": "last"}
	if c.MedianOf > 0 {
		m["against"] = map[string]any{"median_of": c.MedianOf}
	}
	if c.MaxRelative != nil {
		m["max_relative"] = *c.MaxRelative
	}
	if c.MaxAbsolute != nil {
		m["max_absolute"] = *c.MaxAbsolute
	}
	return m
}

func (c *Change) against() string {
	if c.MedianOf > 0 {
		return fmt.Sprintf("the median of the last %d runs", c.MedianOf)
	}
	return "the last run"
}

// String says what the change allows, e.g. "within ±20% of the last run".
func (c *Change) String() string {
	var parts []string
	if c.MaxRelative != nil {
		parts = append(parts, "±"+result.Human(100**c.MaxRelative)+"%")
	}
	if c.MaxAbsolute != nil {
		parts = append(parts, "±"+result.Human(*c.MaxAbsolute))
	}
	return "within " + strings.Join(parts, " and ") + " of " + c.against()
}

func (c *Change) judge(r *result.Check, x float64, past []float64, sev result.Severity) {
	if len(past) < c.Runs() {
		r.Status, r.Message = result.Pass, Learning(len(past), c.Runs())
		r.Observed = map[string]any{"value": x, "runs": len(past)}
		r.ObservedText = result.Human(x)
		return
	}
	base := past[len(past)-1]
	if c.MedianOf > 0 {
		base = median(past)
	}
	abs := x - base
	rel := relative(x, base)
	ok := true
	if c.MaxAbsolute != nil && math.Abs(abs) > *c.MaxAbsolute {
		ok = false
	}
	if c.MaxRelative != nil && !(math.Abs(rel) <= *c.MaxRelative) {
		ok = false
	}
	r.Status = result.StatusOf(ok, sev)
	r.Observed = map[string]any{"value": x, "baseline": base, "change": abs, "relative_change": result.Number(rel)}
	r.ObservedText = fmt.Sprintf("%s (%s%% from %s)", result.Human(x), signed(100*rel), result.Human(base))
	verb := "is"
	if !ok {
		verb = "is not"
	}
	r.Message = fmt.Sprintf("%s vs %s, %s: %s%% (%s), which %s %s", result.Human(x), result.Human(base), c.against(), signed(100*rel), signed(abs), verb, c.String())
}

// relative is (x − base) / |base|: 0 when both are 0, ±Inf when only the
// base is.
func relative(x, base float64) float64 {
	if base == 0 {
		return zOf(x, 0, 0)
	}
	return (x - base) / math.Abs(base)
}

func signed(v float64) string {
	if v > 0 || math.IsInf(v, 1) {
		return "+" + result.Human(v)
	}
	return result.Human(v)
}

func (a *Anomaly) judge(r *result.Check, x float64, past []float64, sev result.Severity) {
	if len(past) < a.MinRuns {
		r.Status, r.Message = result.Pass, Learning(len(past), a.MinRuns)
		r.Observed = map[string]any{"value": x, "runs": len(past)}
		r.ObservedText = result.Human(x)
		return
	}
	sc, err := a.Method.Score(past, x, a.Params)
	if err != nil { // MinRuns covers what every method needs
		r.Status, r.Message = result.Error, err.Error()
		return
	}
	ok := math.Abs(sc.Z) <= a.MaxZ
	r.Status = result.StatusOf(ok, sev)
	obs := map[string]any{"value": x, "expected": sc.Expected, "scale": sc.Scale, "z": result.Number(sc.Z), "runs": len(past)}
	if a.Method.Name == "holt_winters" {
		obs["alpha"], obs["beta"], obs["gamma"] = sc.Alpha, sc.Beta, sc.Gamma
	}
	r.Observed = obs
	r.ObservedText = fmt.Sprintf("z = %s", result.Human(sc.Z))
	verb := "within"
	if !ok {
		verb = "beyond"
	}
	r.Message = fmt.Sprintf("%s where %s expected %s ± %s from the last %d runs: z = %s, %s |z| ≤ %s",
		result.Human(x), describe(a), result.Human(sc.Expected), result.Human(sc.Scale), len(past), result.Human(sc.Z), verb, result.Human(a.MaxZ))
}

func missingMessage(k Key, checks []result.Check, fields map[string][]string) string {
	if fs, ok := fields[k.Name]; ok {
		return fmt.Sprintf("check %s observed no number %q; it observed %s (set value: to one)", k.Name, k.Field, strings.Join(fs, ", "))
	}
	for _, c := range checks {
		if c.Name == k.Name {
			return fmt.Sprintf("check %s observed no number to watch (its observed value is %s)", k.Name, describeObserved(c.Observed))
		}
	}
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	slices.Sort(names)
	msg := fmt.Sprintf("this run has no check named %s", k.Name)
	if h := yamlx.Suggest(k.Name, names); h != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", h)
	}
	return msg
}

func describeObserved(v any) string {
	switch v.(type) {
	case nil:
		return "empty"
	case string:
		return "text"
	case []any:
		return "a list"
	}
	return fmt.Sprintf("%T", v)
}

// schemaCheck compares the data's schema with the last run's.
func schemaCheck(sev result.Severity, prev string, hasPrev bool, cur string) result.Check {
	r := result.Check{Section: Section, Name: "history.schema", Kind: "schema", Severity: sev,
		Expected: "the columns and types of the last run", ExpectedText: "same columns and types as the last run"}
	if !hasPrev {
		r.Status, r.Message = result.Pass, Learning(0, 1)
		r.Observed, r.ObservedText = cur, cur
		return r
	}
	d := DiffSchema(prev, cur)
	r.Observed = d
	if d.Empty() {
		r.Status = result.Pass
		r.ObservedText = "unchanged"
		r.Message = "the data's columns and types are those of the last run"
		return r
	}
	r.Status = result.StatusOf(false, sev)
	r.ObservedText = d.String()
	r.Message = "the data's schema changed since the last run: " + d.String()
	return r
}

// SchemaDiff lists the columns added, removed and retyped between two
// schemas, each in the order of the schema it is found in.
type SchemaDiff struct {
	Added   []string `json:"added,omitempty"`
	Removed []string `json:"removed,omitempty"`
	// Retyped entries read "name: old → new".
	Retyped []string `json:"retyped,omitempty"`
}

// Empty reports whether nothing changed.
func (d SchemaDiff) Empty() bool { return len(d.Added)+len(d.Removed)+len(d.Retyped) == 0 }

func (d SchemaDiff) String() string {
	var parts []string
	if len(d.Added) > 0 {
		parts = append(parts, "added "+strings.Join(d.Added, ", "))
	}
	if len(d.Removed) > 0 {
		parts = append(parts, "removed "+strings.Join(d.Removed, ", "))
	}
	if len(d.Retyped) > 0 {
		parts = append(parts, "retyped "+strings.Join(d.Retyped, ", "))
	}
	return strings.Join(parts, "; ")
}

// DiffSchema compares two schemas written "name:type, name:type" (as data
// fingerprints record them).
func DiffSchema(old, cur string) SchemaDiff {
	o, on := parseSchema(old)
	c, cn := parseSchema(cur)
	var d SchemaDiff
	for _, n := range cn {
		t, ok := o[n]
		switch {
		case !ok:
			d.Added = append(d.Added, n)
		case t != c[n]:
			d.Retyped = append(d.Retyped, fmt.Sprintf("%s: %s → %s", n, t, c[n]))
		}
	}
	for _, n := range on {
		if _, ok := c[n]; !ok {
			d.Removed = append(d.Removed, n)
		}
	}
	return d
}

func parseSchema(s string) (map[string]string, []string) {
	types := map[string]string{}
	var order []string
	if s == "" {
		return types, nil
	}
	for _, f := range strings.Split(s, ", ") {
		name, typ := f, ""
		if i := strings.LastIndexByte(f, ':'); i >= 0 {
			name, typ = f[:i], f[i+1:]
		}
		if _, dup := types[name]; !dup {
			order = append(order, name)
		}
		types[name] = typ
	}
	return types, order
}
