package checklist

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/model"
	"github.com/trustml/trustml/result"
)

// Classes describes the classifier [RunClassifier] tests: its classes and
// how its labels are read.
type Classes struct {
	// Names are the classes, in the order of the probabilities the
	// classifier returns; at least two.
	Names []string
	// Positive is the index in Names of a binary classifier's positive
	// class: a binary test that names no class judges its probability.
	Positive int
	// Threshold, when set, makes a binary classifier's labels from its
	// probabilities (the positive class when its probability is ≥
	// Threshold) instead of the labels the model gives. When nil, the
	// model's labels are used, or, for a model that gives probabilities
	// only, the most probable class (binary: the positive class at ≥ 0.5),
	// as model.LabelsOf.
	Threshold *float64
	// Source names the model in errors; empty uses the classifier's
	// String method, if it has one.
	Source string
}

// RunClassifier is [Run] for a classifier: it evaluates tests against c,
// whose outputs (labels, probabilities or both) are read with classes,
// and returns one result.Check per test, in order. Options.Target is not
// read (it serves a regressor's tolerances).
//
// A classifier's tests judge its predicted label or the probability of a
// class (see [Bounds], [Tolerance] and [Change]):
//
//   - MFT: an expected label ({label: L}), or bounds on the probability of
//     a class ({class: C, min: a, max: b}, or value and tolerance).
//   - INV: without a tolerance, the predicted label must not change; with
//     one, the probability of its class (of every class when it names
//     none) moves at most abs.
//   - DIR: the probability of a named class rises or falls (a direction
//     with its slack, or min_change and max_change bounds on its change).
//
// A binary classifier's tests may leave the class out: they judge the
// positive class's probability. A multiclass test must name it. A label or
// class that is not one of classes.Names, or a test that judges a
// probability when the model returns labels only, is an error naming the
// test (and, for the latter, the source). Every output is checked as
// model.ClassifyAll checks it: labels among the classes; probabilities
// finite, in [0, 1], one per class, summing to 1 within
// model.ProbaTolerance.
//
// A label test passes or fails on the label; its margin, which orders the
// failing examples, is the probability of the expected label (for INV, of
// the base row's label) minus the largest other class's, when the model
// gives probabilities, else 0 when it passes and −1 when it fails.
func RunClassifier(ctx context.Context, c model.Classifier, classes Classes, data []arrow.RecordBatch, tests []Test, opts Options) ([]result.Check, error) {
	if len(classes.Names) < 2 || classes.Positive < 0 || classes.Positive >= len(classes.Names) {
		return nil, fmt.Errorf("checklist: a classifier needs at least two classes and a positive one among them, got %q and %d", classes.Names, classes.Positive)
	}
	if classes.Source == "" {
		classes.Source = "the classifier"
		if s, ok := c.(fmt.Stringer); ok {
			classes.Source = s.String()
		}
	}
	opts.Target = "" // read only for a regressor's tolerance
	return run(ctx, &classifier{c: c, classes: classes}, data, tests, opts)
}

// classifier is a model.Classifier under test. hasProba records whether
// it gives probabilities, once it has answered.
type classifier struct {
	c        model.Classifier
	classes  Classes
	answered bool
	hasProba bool
}

func (m *classifier) call(ctx context.Context, b arrow.RecordBatch) (outputs, error) {
	n := int(b.NumRows())
	o, err := m.c.Classify(ctx, b)
	if err != nil {
		return outputs{}, err
	}
	switch {
	case o.Labels == nil && o.Proba == nil:
		return outputs{}, countError{fmt.Errorf("%s returned neither labels nor probabilities", m.classes.Source)}
	case o.Labels != nil && len(o.Labels) != n:
		return outputs{}, countError{fmt.Errorf("got %d labels for %d rows", len(o.Labels), n)}
	case o.Proba != nil && len(o.Proba) != n:
		return outputs{}, countError{fmt.Errorf("got %d probability rows for %d rows", len(o.Proba), n)}
	case m.answered && m.hasProba != (o.Proba != nil):
		return outputs{}, countError{fmt.Errorf("%s changed what it returns (labels, probabilities) between calls", m.classes.Source)}
	}
	m.answered, m.hasProba = true, o.Proba != nil
	if err := model.CheckOutput(o, m.classes.Names, m.classes.Source); err != nil {
		return outputs{}, err
	}
	out := outputs{proba: o.Proba}
	thr := m.classes.Threshold
	if o.Labels != nil && (thr == nil || o.Proba == nil) {
		out.labels = make([]int, n)
		for i, l := range o.Labels {
			out.labels[i] = slices.Index(m.classes.Names, l)
		}
		return out, nil
	}
	var choice *model.ThresholdChoice
	if thr != nil {
		choice = &model.ThresholdChoice{Threshold: *thr}
	}
	out.labels = model.LabelsOf(o.Proba, m.classes.Positive, choice)
	return out, nil
}

func (m *classifier) prepare(t *Test, _ *frame, _ Options) (judge, error) {
	var fs yamlx.Findings
	t.validateTask("", &fs, true)
	j := &clfJudge{t: t, m: m, index: map[string]int{}}
	for i, c := range m.classes.Names {
		j.index[c] = i
	}
	// Resolve every class and label the test names, reporting them all.
	resolve := func(path, name string, label bool) {
		if _, ok := j.index[name]; ok {
			return
		}
		what := "class"
		if label {
			what = "label"
		}
		msg := fmt.Sprintf("%s %q is not a class of the model (classes: %s)", what, name, quoteAll(m.classes.Names))
		if h := yamlx.Suggest(name, m.classes.Names); h != "" {
			msg += fmt.Sprintf("; did you mean %q?", h)
		}
		fs.Add(path, "%s", msg)
	}
	binary := len(m.classes.Names) == 2
	needClass := func(path string) {
		if !binary {
			fs.Add(path, "needs class: the model has %d classes (%s); name the class whose probability is judged", len(m.classes.Names), quoteAll(m.classes.Names))
		}
	}
	checkBounds := func(path string, b *Bounds) {
		switch {
		case b == nil:
		case b.Label != nil:
			resolve(yamlx.Join(path, "label"), *b.Label, true)
		case b.Class != "":
			resolve(yamlx.Join(path, "class"), b.Class, false)
			j.proba = true
		default:
			needClass(path)
			j.proba = true
		}
	}
	switch t.Type {
	case MFT:
		checkBounds("expect", t.Expect)
		for i, c := range t.Cases {
			checkBounds(fmt.Sprintf("cases[%d].expect", i), c.Expect)
		}
		for i, tm := range t.Templates {
			checkBounds(fmt.Sprintf("templates[%d].expect", i), tm.Expect)
		}
	case INV:
		tol := t.Tolerance
		if tol.Proba || tol.Class != "" || tol.Abs != 0 {
			j.proba = true
			if tol.Class != "" {
				resolve("tolerance.class", tol.Class, false)
			}
		}
	case DIR:
		j.proba = true
		if t.Change.Class != "" {
			resolve("expect.class", t.Change.Class, false)
		} else {
			needClass("expect")
		}
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	return j, nil
}

func quoteAll(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}

// clfJudge judges a classifier's test. proba reports whether the test
// reads probabilities.
type clfJudge struct {
	t     *Test
	m     *classifier
	index map[string]int
	proba bool
}

// check reports a test that reads probabilities of a model that gives
// labels only.
func (j *clfJudge) check(o *outputs) error {
	if j.proba && o.proba == nil && len(o.labels) > 0 {
		return fmt.Errorf("judges class probabilities, but %s returns labels only: test its labels ({label: ...} in MFT, INV without tolerance) or serve probabilities", j.m.classes.Source)
	}
	return nil
}

// class returns the class a probability test judges: name's, or the
// positive class's when name is empty.
func (j *clfJudge) class(name string) int {
	if name == "" {
		return j.m.classes.Positive
	}
	return j.index[name]
}

func (j *clfJudge) name(c int) string { return j.m.classes.Names[c] }

// lead is how far row i's probabilities favour class c over the most
// probable other class; NaN without probabilities.
func lead(o *outputs, i, c int) float64 {
	if o.proba == nil {
		return math.NaN()
	}
	other := math.Inf(-1)
	for k, p := range o.proba[i] {
		if k != c {
			other = max(other, p)
		}
	}
	return o.proba[i][c] - other
}

// labelMargin is the margin of a label test that passes or not.
func labelMargin(o *outputs, i, c int, pass bool) (float64, bool) {
	m := lead(o, i, c)
	switch {
	case math.IsNaN(m) && pass:
		return 0, true
	case math.IsNaN(m):
		return -1, false
	}
	return m, pass
}

func (j *clfJudge) margin(e example, o *outputs) (float64, bool) {
	t := j.t
	switch {
	case e.to < 0 && e.bounds.Label != nil:
		c := j.index[*e.bounds.Label]
		return labelMargin(o, e.from, c, o.labels[e.from] == c)
	case e.to < 0:
		m := e.bounds.margin(o.proba[e.from][j.class(e.bounds.Class)])
		return m, m >= 0
	case t.Type == INV && !j.proba:
		base := o.labels[e.from]
		return labelMargin(o, e.to, base, o.labels[e.to] == base)
	case t.Type == INV:
		m := t.Tolerance.Abs - math.Abs(j.move(e, o))
		return m, m >= 0
	}
	c := j.class(t.Change.Class)
	m := t.Change.margin(o.proba[e.to][c] - o.proba[e.from][c])
	return m, m >= 0
}

// moved returns the class whose probability an INV example moves most
// (its tolerance's class when it names one).
func (j *clfJudge) moved(e example, o *outputs) int {
	if c := j.t.Tolerance.Class; c != "" {
		return j.index[c]
	}
	best, bd := 0, -1.0
	for c := range o.proba[e.from] {
		if d := math.Abs(o.proba[e.to][c] - o.proba[e.from][c]); d > bd || math.IsNaN(d) {
			best, bd = c, d
			if math.IsNaN(d) {
				break
			}
		}
	}
	return best
}

func (j *clfJudge) move(e example, o *outputs) float64 {
	c := j.moved(e, o)
	return o.proba[e.to][c] - o.proba[e.from][c]
}

func (j *clfJudge) show(e example, o *outputs) (pred, variant any, text string) {
	t := j.t
	p := func(i, c int) any { return result.Number(o.proba[i][c]) }
	ph := func(i, c int) string { return result.Human(o.proba[i][c]) }
	switch {
	case e.to < 0 && e.bounds.Label != nil:
		l := o.labels[e.from]
		text = "predicted " + j.name(l)
		if o.proba != nil {
			text += fmt.Sprintf(" (P(%s) %s)", j.name(l), ph(e.from, l))
		}
		return j.name(l), nil, text
	case e.to < 0:
		c := j.class(e.bounds.Class)
		return p(e.from, c), nil, fmt.Sprintf("P(%s) %s", j.name(c), ph(e.from, c))
	case t.Type == INV && !j.proba:
		a, b := o.labels[e.from], o.labels[e.to]
		return j.name(a), j.name(b), fmt.Sprintf("changed the label %s→%s", j.name(a), j.name(b))
	}
	var c int
	if t.Type == INV {
		c = j.moved(e, o)
	} else {
		c = j.class(t.Change.Class)
	}
	return p(e.from, c), p(e.to, c), fmt.Sprintf("moved P(%s) %s→%s", j.name(c), ph(e.from, c), ph(e.to, c))
}

func (j *clfJudge) expected(e example) string {
	t := j.t
	switch {
	case e.to < 0 && e.bounds.Label != nil:
		return "label " + *e.bounds.Label
	case e.to < 0:
		return (&Bounds{Interval: e.bounds.Interval, Value: e.bounds.Value, Tolerance: e.bounds.Tolerance,
			Class: j.name(j.class(e.bounds.Class))}).String()
	case t.Type == INV && !j.proba:
		return "the label unchanged"
	case t.Type == INV && t.Tolerance.Class == "":
		return "|ΔP| ≤ " + result.Human(t.Tolerance.Abs) + " for every class"
	case t.Type == INV:
		return t.expectation("P(" + t.Tolerance.Class + ")")
	}
	y := "P(" + j.name(j.class(t.Change.Class)) + ")"
	if t.Change.Direction != "" {
		return y + " " + t.expectation(y)
	}
	return t.expectation(y)
}
