package checklist

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/trustml/trustml/result"
)

// Streams of the seeded PCG generator: the sample of base rows and the
// perturbations draw from separate streams, so that changing a
// perturbation never changes which rows are drawn.
const (
	streamSample  = 0x636b6c73616d706c // "cklsampl"
	streamPerturb = 0x636b6c7065727462 // "cklpertb"
)

// plan is what a test predicts and how its predictions are judged.
type plan struct {
	rows  []row
	cases []tcase
}

// tcase is a test case: a base (a data row, a listed row, an MFT input)
// and its examples.
type tcase struct {
	label    string
	dataRow  int // -1 when the base is not a row of the data
	examples []example
}

// example compares row from with row to (an index into plan.rows), or
// judges row from alone (MFT, to < 0). An example whose variant equals its
// base is not applicable and has no row.
type example struct {
	from, to int
	na       bool
	bounds   *Bounds // MFT
}

// origins returns the data row behind each row of the plan, -1 for rows
// not drawn from the data (MFT inputs, listed rows).
func (p *plan) origins() []int {
	o := make([]int, len(p.rows))
	for i := range o {
		o[i] = -1
	}
	for _, c := range p.cases {
		for _, e := range c.examples {
			if e.na {
				continue
			}
			o[e.from] = c.dataRow
			if e.to >= 0 {
				o[e.to] = c.dataRow
			}
		}
	}
	return o
}

func (p *plan) add(r row) int {
	p.rows = append(p.rows, r)
	return len(p.rows) - 1
}

// build makes the plan of t over f.
func build(t *Test, f *frame, seed uint64) (*plan, error) {
	p := &plan{}
	switch t.Type {
	case MFT:
		return p, buildMFT(t, f, p)
	case INV, DIR:
		bases, labels, dataRows, err := baseRows(t, f, seed)
		if err != nil {
			return nil, err
		}
		rng := rand.New(rand.NewPCG(seed, streamPerturb))
		if t.Sweep != nil {
			return p, buildSweep(t, f, p, bases, labels, dataRows)
		}
		return p, buildPerturbed(t, f, p, rng, bases, labels, dataRows)
	}
	return nil, fmt.Errorf("unknown type %q", t.Type)
}

func buildMFT(t *Test, f *frame, p *plan) error {
	for i, c := range t.Cases {
		r, err := f.fill(c.Input)
		if err != nil {
			return fmt.Errorf("cases[%d]: %w", i, err)
		}
		b := cmpOr(c.Expect, t.Expect)
		label := fmt.Sprintf("case %d (%s)", i, describeInput(f, c.Input))
		p.cases = append(p.cases, tcase{label: label, dataRow: -1,
			examples: []example{{from: p.add(r), to: -1, bounds: b}}})
	}
	for i, tm := range t.Templates {
		b := cmpOr(tm.Expect, t.Expect)
		for _, v := range tm.Vary {
			if _, named := tm.Fixed[v.Column]; named {
				return fmt.Errorf("templates[%d]: column %q is both varied and fixed", i, v.Column)
			}
		}
		// Enumerate the cartesian product like an odometer, the last
		// column turning fastest.
		idx := make([]int, len(tm.Vary))
		for {
			in := Input{}
			for k, v := range tm.Fixed {
				in[k] = v
			}
			var parts []string
			for k, v := range tm.Vary {
				in[v.Column] = v.Values[idx[k]]
				parts = append(parts, fmt.Sprintf("%s %v", v.Column, v.Values[idx[k]]))
			}
			r, err := f.fill(in)
			if err != nil {
				return fmt.Errorf("templates[%d]: %w", i, err)
			}
			label := fmt.Sprintf("template %d (%s)", i, strings.Join(parts, ", "))
			p.cases = append(p.cases, tcase{label: label, dataRow: -1,
				examples: []example{{from: p.add(r), to: -1, bounds: b}}})
			k := len(idx) - 1
			for ; k >= 0; k-- {
				if idx[k]++; idx[k] < len(tm.Vary[k].Values) {
					break
				}
				idx[k] = 0
			}
			if k < 0 {
				break
			}
		}
	}
	return nil
}

func cmpOr(a, b *Bounds) *Bounds {
	if a != nil {
		return a
	}
	return b
}

// describeInput lists an input's values in feature order.
func describeInput(f *frame, in Input) string {
	var parts []string
	for _, c := range f.cols {
		if v, ok := in[c.name]; ok {
			parts = append(parts, fmt.Sprintf("%s %v", c.name, showAny(v)))
		}
	}
	return strings.Join(parts, ", ")
}

func showAny(v any) string {
	if v == nil {
		return "null"
	}
	return fmt.Sprint(v)
}

// baseRows returns the base rows of an INV or DIR test: its listed rows,
// or a seeded sample of n complete rows of the data, in data order.
func baseRows(t *Test, f *frame, seed uint64) (bases []row, labels []string, dataRows []int, err error) {
	if len(t.Rows) > 0 {
		for i, in := range t.Rows {
			r, err := f.fill(in)
			if err != nil {
				return nil, nil, nil, fmt.Errorf("rows[%d]: %w", i, err)
			}
			bases = append(bases, r)
			labels = append(labels, fmt.Sprintf("listed row %d", i))
			dataRows = append(dataRows, -1)
		}
		return bases, labels, dataRows, nil
	}
	n := t.N
	if n == 0 {
		n = DefaultN
	}
	pool := f.complete()
	if len(pool) == 0 {
		return nil, nil, nil, errors.New("the data has no complete row (every feature non-null and finite) to draw base rows from")
	}
	if n < len(pool) {
		// A partial Fisher–Yates shuffle draws n rows without replacement.
		rng := rand.New(rand.NewPCG(seed, streamSample))
		for i := range n {
			j := i + rng.IntN(len(pool)-i)
			pool[i], pool[j] = pool[j], pool[i]
		}
		pool = pool[:n]
		slices.Sort(pool)
	}
	for _, i := range pool {
		bases = append(bases, f.row(i))
		d := f.dataRow(i)
		labels = append(labels, fmt.Sprintf("base row %d", d))
		dataRows = append(dataRows, d)
	}
	return bases, labels, dataRows, nil
}

// step is a perturbation resolved against the frame.
type step struct {
	Perturbation
	j      int
	col    *column
	sd     float64 // noise standard deviation
	perm   []int   // shuffle: base i takes the value of base perm[i]
	levels []cell  // swap
}

func resolve(t *Test, f *frame, rng *rand.Rand, nBases int) ([]step, error) {
	steps := make([]step, len(t.Perturb))
	for i, p := range t.Perturb {
		j, c, err := f.column(p.Column)
		if err != nil {
			return nil, fmt.Errorf("perturb[%d]: %w", i, err)
		}
		s := step{Perturbation: p, j: j, col: c}
		fail := func(format string, args ...any) error {
			return fmt.Errorf("perturb[%d]: %s on column %q (%s): %s", i, p.Op, p.Column, c.typ, fmt.Sprintf(format, args...))
		}
		switch p.Op {
		case OpSet:
			if _, err := c.value(p.Value); err != nil {
				return nil, fmt.Errorf("perturb[%d]: set: %w", i, err)
			}
		case OpAdd, OpMultiply, OpNoise:
			if c.kind != numeric {
				return nil, fail("needs a numeric column")
			}
			if math.IsNaN(p.Amount) || math.IsInf(p.Amount, 0) {
				return nil, fail("the amount must be finite")
			}
			if p.Op == OpAdd {
				if err := c.fits(p.Amount); err != nil {
					return nil, fmt.Errorf("perturb[%d]: add: %w", i, err)
				}
			}
			if p.Op == OpNoise {
				if p.Amount <= 0 {
					return nil, fail("the standard deviation must be > 0")
				}
				s.sd = p.Amount
				if p.Relative {
					sd, err := c.stddev()
					if err != nil {
						return nil, fail("relative noise: %v", err)
					}
					s.sd = p.Amount * sd
				}
			}
		case OpShuffle:
			s.perm = rng.Perm(nBases)
		case OpSwap:
			if c.kind == other {
				return nil, fail("needs a numeric or text column")
			}
			s.levels = c.distinct()
			if len(s.levels) < 2 {
				return nil, fail("the column has %d distinct values; a swap needs 2", len(s.levels))
			}
			if len(s.levels) > MaxLevels {
				return nil, fail("the column has %d distinct values, more than %d; a swap suits categories", len(s.levels), MaxLevels)
			}
		case OpSetNull:
		default:
			return nil, fmt.Errorf("perturb[%d]: unknown operation %q", i, p.Op)
		}
		steps[i] = s
	}
	return steps, nil
}

// apply perturbs r, the variant of base row i, and returns its variants.
func (s *step) apply(r row, i int, bases []row, rng *rand.Rand) ([]row, error) {
	x := r[s.j]
	set := func(c cell) []row {
		v := r.clone()
		v[s.j] = c
		return []row{v}
	}
	numeric := func(v float64) ([]row, error) {
		if x.null {
			return []row{r}, nil
		}
		v, err := s.col.derived(v)
		if err != nil {
			return nil, err
		}
		return set(cell{num: v}), nil
	}
	switch s.Op {
	case OpSet:
		c, err := s.col.value(s.Value)
		return set(c), err
	case OpSetNull:
		return set(cell{null: true}), nil
	case OpAdd:
		return numeric(x.num + s.Amount)
	case OpMultiply:
		return numeric(x.num * s.Amount)
	case OpNoise:
		// Draw even for a null, so that a row's noise does not depend on
		// whether the rows before it were null.
		z := rng.NormFloat64()
		return numeric(x.num + s.sd*z)
	case OpShuffle:
		return set(bases[s.perm[i]][s.j]), nil
	case OpSwap:
		others := slices.DeleteFunc(slices.Clone(s.levels), x.equal)
		if !s.Each {
			return set(others[rng.IntN(len(others))]), nil
		}
		out := make([]row, len(others))
		for k, c := range others {
			out[k] = set(c)[0]
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown operation %q", s.Op)
}

func buildPerturbed(t *Test, f *frame, p *plan, rng *rand.Rand, bases []row, labels []string, dataRows []int) error {
	steps, err := resolve(t, f, rng, len(bases))
	if err != nil {
		return err
	}
	for i, base := range bases {
		variants := []row{base}
		for k := range steps {
			var next []row
			for _, v := range variants {
				out, err := steps[k].apply(v, i, bases, rng)
				if err != nil {
					return fmt.Errorf("perturb[%d]: %s: %w", k, labels[i], err)
				}
				next = append(next, out...)
			}
			variants = next
		}
		c := tcase{label: labels[i], dataRow: dataRows[i]}
		from := -1
		for _, v := range variants {
			if v.equal(base) {
				c.examples = append(c.examples, example{from: -1, to: -1, na: true})
				continue
			}
			if from < 0 {
				from = p.add(base)
			}
			c.examples = append(c.examples, example{from: from, to: p.add(v)})
		}
		p.cases = append(p.cases, c)
	}
	return nil
}

func buildSweep(t *Test, f *frame, p *plan, bases []row, labels []string, dataRows []int) error {
	sw := t.Sweep
	j, c, err := f.column(sw.Column)
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	if c.kind != numeric {
		return fmt.Errorf("sweep: column %q (%s) is not numeric", c.name, c.typ)
	}
	steps := sw.Steps
	if steps == 0 {
		steps = DefaultSteps
	}
	lo, hi, err := c.span()
	if (sw.From == nil || sw.To == nil) && err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	if sw.From != nil {
		lo = *sw.From
	}
	if sw.To != nil {
		hi = *sw.To
	}
	if !(lo < hi) {
		return fmt.Errorf("sweep: column %q: from %s is not below to %s", c.name, result.Human(lo), result.Human(hi))
	}
	grid := make([]float64, steps)
	for k := range grid {
		if grid[k], err = c.derived(lo + (hi-lo)*float64(k)/float64(steps-1)); err != nil {
			return fmt.Errorf("sweep: %w", err)
		}
	}
	for i, base := range bases {
		tc := tcase{label: labels[i], dataRow: dataRows[i]}
		prev := -1
		for k, g := range grid {
			r := base.clone()
			r[j] = cell{num: g}
			if k > 0 && r.equal(p.rows[prev]) {
				tc.examples = append(tc.examples, example{from: -1, to: -1, na: true})
				continue
			}
			cur := p.add(r)
			if k > 0 {
				tc.examples = append(tc.examples, example{from: prev, to: cur})
			}
			prev = cur
		}
		p.cases = append(p.cases, tc)
	}
	return nil
}
