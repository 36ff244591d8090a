package expect

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/trustml/trustml/expr"
	"github.com/trustml/trustml/result"
)

// Filters and rules in the one pass.
//
// Each distinct predicate (a where: expression, by its printed text) is
// evaluated once per batch, vectorised, into a selection bitmap: the rows
// where it is TRUE. A filter is the AND of the predicates that apply to a
// check (the suite's, the column's, the check's), and its bitmap too is
// built once per batch and shared by every check under it. A column's
// checks under one filter share one colPlan; its batch is the column with
// the rows the filter drops turned into nulls, so that every accumulator
// skips them and row numbers stay those of the data, and the counts of
// rows and nulls are then corrected by the rows dropped.

// predPlan is one distinct predicate, compiled against the reader's schema.
type predPlan struct {
	prog *expr.Program
	text string
}

// filterPlan is a distinct conjunction of predicates.
type filterPlan struct {
	preds []int
	text  string // as results show it
}

// rulePlan is a compiled rule.
type rulePlan struct {
	check  *Check
	prog   *expr.Program
	filter int      // -1: every row
	cols   []int    // the reader's fields the condition names
	names  []string // their names
}

// ruleState is a rule's counts over the rows its filter keeps.
type ruleState struct {
	evaluated  int64 // rows where the condition is TRUE or FALSE
	unexpected int64 // FALSE
	nulls      int64 // NULL
	sample     []result.Failure
}

// compileExpressions checks every expression of the suite against the
// table's schema ts (so that an unknown column's hint names every column)
// and compiles it against the reader's schema rs, and plans the rules.
func (p *plan) compileExpressions(s *Suite, ts, rs *arrow.Schema) ExpressionErrors {
	var errs ExpressionErrors
	p.predIdx = map[string]int{}
	p.filterIdx = map[string]int{}
	p.tableFilter = -1
	if s.Where != nil {
		p.tableFilter, errs = p.filterOf(errs, "where", s.Where)
	}
	for ci := range s.Columns {
		col := &s.Columns[ci]
		for i := range col.Checks {
			c := &col.Checks[i]
			var f int
			f, errs = p.filterOf(errs, c.Name(), s.Where, col.Where, c.Where)
			p.checkFilter[c] = f
		}
	}
	for i := range s.Rules {
		c := &s.Rules[i]
		var f int
		f, errs = p.filterOf(errs, c.Name(), s.Where, c.Where)
		prog, perrs := p.compilePred(c.Name(), c.Expect, ts, rs)
		errs = append(errs, perrs...)
		if prog == nil {
			continue
		}
		rp := &rulePlan{check: c, prog: prog, filter: f}
		for _, name := range prog.Columns() {
			rp.cols = append(rp.cols, rs.FieldIndices(name)[0])
			rp.names = append(rp.names, name)
		}
		p.rules = append(p.rules, rp)
	}
	return errs
}

// filterOf returns the filter of the conjunction of the non-nil parts
// (-1 for none), planning it and its predicates when new.
func (p *plan) filterOf(errs ExpressionErrors, check string, parts ...*Expression) (int, ExpressionErrors) {
	var preds []int
	var texts []string
	for _, e := range parts {
		if e == nil || e.Tree == nil {
			continue
		}
		k, ok := p.predIdx[expr.String(e.Tree)]
		if ok && k < 0 {
			continue // reported where it was first met
		}
		if !ok {
			prog, perrs := p.compilePred(check, e, p.schema, p.readSchema)
			errs = append(errs, perrs...)
			if prog == nil {
				p.predIdx[expr.String(e.Tree)] = -1
				continue
			}
			k = len(p.preds)
			p.preds = append(p.preds, &predPlan{prog: prog, text: strings.TrimSpace(e.Text)})
			p.predIdx[expr.String(e.Tree)] = k
		}
		preds = append(preds, k)
		texts = append(texts, strings.TrimSpace(e.Text))
	}
	if len(preds) == 0 {
		return -1, errs
	}
	key := fmt.Sprint(preds)
	if f, ok := p.filterIdx[key]; ok {
		return f, errs
	}
	text := texts[0]
	if len(texts) > 1 {
		for i, t := range texts {
			texts[i] = "(" + t + ")"
		}
		text = strings.Join(texts, " AND ")
	}
	p.filters = append(p.filters, &filterPlan{preds: preds, text: text})
	p.filterIdx[key] = len(p.filters) - 1
	return len(p.filters) - 1, errs
}

// compilePred checks e as a condition against the table's schema ts and
// compiles it against the reader's rs.
func (p *plan) compilePred(check string, e *Expression, ts, rs *arrow.Schema) (*expr.Program, ExpressionErrors) {
	prog, err := expr.Check(e.Tree, e.Text, ts)
	if err != nil {
		return nil, e.problems(check, err)
	}
	if k := prog.Type.Kind; k != expr.BoolKind && k != expr.NullKind {
		return nil, e.problems(check, &expr.Error{Pos: expr.PositionOf(e.Text, e.Tree.Pos()),
			Msg: fmt.Sprintf("expression has type %s, want a condition (BOOLEAN)", prog.Type), Hint: "compare it, e.g. x > 0"})
	}
	if rs != ts {
		if prog, err = expr.Check(e.Tree, e.Text, rs); err != nil {
			return nil, e.problems(check, err)
		}
	}
	return prog, nil
}

// selectRows evaluates every predicate over the batch, then every
// filter's selection, and counts the rows each keeps.
func (s *state) selectRows(p *plan, j job) error {
	n := int(j.batch.NumRows())
	nb := int(bitutil.BytesForBits(int64(n)))
	for k, pp := range p.preds {
		res, err := pp.prog.Eval(context.Background(), j.batch, expr.Options{Now: p.now, Mem: &s.exprMem})
		if err != nil {
			return fmt.Errorf("expect: where %s: %w", pp.text, err)
		}
		s.predSel[k] = trueBits(res.(*array.Boolean), grow(s.predSel[k], nb))
		res.Release()
	}
	for f, fp := range p.filters {
		sel := s.predSel[fp.preds[0]]
		if len(fp.preds) > 1 {
			buf := grow(s.selBuf[f], nb)
			copy(buf, sel)
			for _, k := range fp.preds[1:] {
				bitutil.BitmapAnd(buf, s.predSel[k], 0, 0, buf, 0, int64(n))
			}
			s.selBuf[f], sel = buf, buf
		}
		s.sel[f] = sel
		s.selN[f] = bitutil.CountSetBits(sel, 0, n)
		s.kept[f] += int64(s.selN[f])
	}
	return nil
}

// grow returns buf resized to n zeroed bytes.
func grow(buf []byte, n int) []byte {
	if cap(buf) < n {
		return make([]byte, n)
	}
	buf = buf[:n]
	clear(buf)
	return buf
}

// trueBits writes the rows where a is TRUE (valid and set) into dst,
// from bit 0.
func trueBits(a *array.Boolean, dst []byte) []byte {
	n, off := a.Len(), a.Data().Offset()
	if a.NullN() == n {
		return dst
	}
	vals := a.Data().Buffers()[1].Bytes()
	if a.NullN() > 0 {
		bitutil.BitmapAnd(vals, a.NullBitmapBytes(), int64(off), int64(off), dst, 0, int64(n))
	} else {
		bitutil.CopyBitmap(vals, off, n, dst, 0)
	}
	return dst
}

// masked returns arr with the rows sel drops turned into nulls; buf is
// scratch for its validity bitmap. The caller releases the array.
func masked(arr arrow.Array, sel []byte, buf *[]byte) arrow.Array {
	d := arr.Data()
	n, off := d.Len(), d.Offset()
	bm := grow(*buf, int(bitutil.BytesForBits(int64(off+n))))
	*buf = bm
	if v := d.Buffers()[0]; v != nil && arr.NullN() > 0 {
		bitutil.BitmapAnd(v.Bytes(), sel, int64(off), 0, bm, int64(off), int64(n))
	} else {
		bitutil.CopyBitmap(sel, 0, n, bm, off)
	}
	nulls := n - bitutil.CountSetBits(bm, off, n)
	bufs := append([]*memory.Buffer{memory.NewBufferBytes(bm)}, d.Buffers()[1:]...)
	nd := array.NewData(d.DataType(), n, bufs, d.Children(), nulls, off)
	if dict := d.Dictionary(); dict != nil {
		nd.SetDictionary(dict)
	}
	defer nd.Release()
	return array.MakeFromData(nd)
}

// updateRules evaluates every rule over the batch: the rows its filter
// keeps where the condition is TRUE, FALSE (unexpected) and NULL.
func (s *state) updateRules(p *plan, j job) error {
	n := int(j.batch.NumRows())
	nb := int(bitutil.BytesForBits(int64(n)))
	for k, rp := range p.rules {
		res, err := rp.prog.Eval(context.Background(), j.batch, expr.Options{Now: p.now, Mem: &s.exprMem})
		if err != nil {
			return fmt.Errorf("expect: %s: %w", rp.check.Name(), err)
		}
		b := res.(*array.Boolean)
		off := b.Data().Offset()
		// kept: the rows the filter keeps; eval: those where the
		// condition is not NULL; fail: those where it is FALSE.
		kept := grow(s.ruleKept, nb)
		if rp.filter >= 0 {
			copy(kept, s.sel[rp.filter])
		} else {
			bitutil.SetBitsTo(kept, 0, int64(n), true)
		}
		eval := grow(s.ruleEval, nb)
		if b.NullN() > 0 {
			bitutil.BitmapAnd(kept, b.NullBitmapBytes(), 0, int64(off), eval, 0, int64(n))
		} else {
			copy(eval, kept)
		}
		fail := grow(s.ruleFail, nb)
		if b.NullN() < n {
			bitutil.BitmapAndNot(eval, b.Data().Buffers()[1].Bytes(), 0, int64(off), fail, 0, int64(n))
		}
		s.ruleKept, s.ruleEval, s.ruleFail = kept, eval, fail
		rs := &s.rules[k]
		nKept := bitutil.CountSetBits(kept, 0, n)
		nEval := bitutil.CountSetBits(eval, 0, n)
		nFail := bitutil.CountSetBits(fail, 0, n)
		rs.evaluated += int64(nEval)
		rs.nulls += int64(nKept - nEval)
		rs.unexpected += int64(nFail)
		if nFail > 0 && (len(rs.sample) < p.sample || p.sample < 0 || s.fails != nil) {
			for i := range n {
				if !bitutil.BitIsSet(fail, i) {
					continue
				}
				if len(rs.sample) < p.sample || p.sample < 0 {
					rs.sample = append(rs.sample, result.Failure{Row: j.offset + int64(i), Value: rp.row(j.batch, i)})
				} else if s.fails == nil {
					break
				}
				if s.fails != nil {
					s.fails.add(i, p.out.ids[rp.check])
				}
			}
		}
		res.Release()
	}
	return nil
}

// row returns the values of the rule's columns at row i of batch, in the
// order the rule names them: a failing row in the rule's sample.
func (rp *rulePlan) row(batch arrow.RecordBatch, i int) result.Tuple {
	r := make(result.Tuple, len(rp.cols))
	for k, c := range rp.cols {
		r[k] = result.Field{Column: rp.names[k], Value: cellValue(batch.Column(c), i)}
	}
	return r
}

// cellValue returns the value at row i as results show it: nil for a
// null, numbers and booleans as themselves, anything else (strings,
// dates, timestamps) as its text, cut to result.MaxValueRunes runes.
func cellValue(a arrow.Array, i int) any {
	if a.IsNull(i) {
		return nil
	}
	switch x := a.(type) {
	case *array.Int8:
		return int64(x.Value(i))
	case *array.Int16:
		return int64(x.Value(i))
	case *array.Int32:
		return int64(x.Value(i))
	case *array.Int64:
		return x.Value(i)
	case *array.Uint8:
		return uint64(x.Value(i))
	case *array.Uint16:
		return uint64(x.Value(i))
	case *array.Uint32:
		return uint64(x.Value(i))
	case *array.Uint64:
		return x.Value(i)
	case *array.Float32:
		return result.Number(float64(x.Value(i)))
	case *array.Float64:
		return result.Number(x.Value(i))
	case *array.Boolean:
		return x.Value(i)
	case *array.Timestamp:
		dt := x.DataType().(*arrow.TimestampType)
		t := x.Value(i).ToTime(dt.Unit)
		if dt.TimeZone != "" {
			if loc, err := dt.GetZone(); err == nil && loc != nil {
				t = t.In(loc)
			}
		}
		return t.Format("2006-01-02T15:04:05.999999999Z07:00")
	}
	s, _ := result.Cut(a.ValueStr(i), result.MaxValueRunes)
	return strings.Clone(s)
}

// whereOf fills the result's filter and the rows it kept.
func (p *plan) whereOf(r *result.Check, f int, kept []int64) {
	if f < 0 {
		return
	}
	r.Where = p.filters[f].text
	r.WhereRows = result.Ptr(kept[f])
	r.Message += " (where " + r.Where + ": " + strconv.FormatInt(kept[f], 10) + " rows)"
}

// maskedBatch returns the batch with every row sel does not keep null in
// every column. The caller releases it.
func maskedBatch(batch arrow.RecordBatch, sel []byte) arrow.RecordBatch {
	cols := make([]arrow.Array, batch.NumCols())
	for i, arr := range batch.Columns() {
		if arr.DataType().ID() == arrow.NULL {
			arr.Retain()
			cols[i] = arr
			continue
		}
		var buf []byte
		cols[i] = masked(arr, sel, &buf)
	}
	out := array.NewRecordBatch(batch.Schema(), cols, batch.NumRows())
	for _, c := range cols {
		c.Release()
	}
	return out
}
