package expect

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// FailedRowsWriter receives every row that failed a check able to name its
// failing rows (the row-wise kinds range, in_set, not_in_set, regex and
// length; rules; references and unique_within_record; and the key checks
// unique, unique_key and duplicate_rows, where every row of a repeated
// value or key fails, and for duplicate_rows every row repeating an
// earlier one; see Options.FailedRows), whatever the check's severity.
// Memory stays bounded by the batches in flight, whatever the number of
// failures: without a key check Evaluate streams the rows as the pass
// goes; with one, which knows its failing rows only at the end of the
// pass, the pass writes the other checks' failures as (row, check) pairs
// to a temporary file, and a second read of the data (Options.Reread)
// merges both, in row order, into the output.
type FailedRowsWriter interface {
	// Begin is called once, before any Write, with the schema of the
	// batches to come: "row" (int64, the row number as in results),
	// "failed_checks" (utf8, the names of the checks the row failed,
	// in suite order, joined with ", "), then the suite's Key columns or,
	// without a key, every column those checks name, in suite order, with
	// the data's types. ("row" and "failed_checks" take a leading "_"
	// while a data column has that name.)
	Begin(schema *arrow.Schema) error
	// Write receives the failing rows of one stretch of the data, in row
	// order; successive calls come in row order, from one goroutine. rec
	// is valid during the call only.
	Write(rec arrow.RecordBatch) error
}

// failedPlan is the failed-rows output's plan.
type failedPlan struct {
	w      FailedRowsWriter
	ids    map[*Check]int // the checks reported, by id in suite order
	names  []string       // their names, by id
	cols   []int          // the reader's fields written after row and failed_checks
	schema *arrow.Schema
	// lates are the checks that know their failing rows only at the end
	// of the pass (kindDef.lateRows): the pass spills the others' pairs
	// to spill, and writeLate writes every row in a second read.
	lates []lateCheck
	spill *os.File
	pairs int64 // pairs in spill
}

// lateCheck is a check of the failed-rows output that knows its failing
// rows only at the end of the pass: a key table (rows, its index in
// plan.rows) or a column's unique check (col, its colPlan's index).
type lateCheck struct {
	check *Check
	id    int
	rows  int
	col   int
}

// late reports whether the failed-rows output (op, nil for none) wants
// c's failing rows at the end of the pass.
func (op *failedPlan) late(c *Check) bool {
	if op == nil {
		return false
	}
	for _, l := range op.lates {
		if l.check == c {
			return true
		}
	}
	return false
}

// planFailedRows chooses the checks and columns of the failed-rows output
// and announces its schema to w.
func (p *plan) planFailedRows(w FailedRowsWriter) error {
	out := &failedPlan{w: w, ids: map[*Check]int{}}
	rs := p.readSchema
	var cols []string
	use := func(c *Check, names ...string) {
		out.ids[c] = len(out.names)
		out.names = append(out.names, c.Name())
		for _, n := range names {
			if !slices.Contains(cols, n) {
				cols = append(cols, n)
			}
		}
	}
	// Table checks come first in results, so first in failed_checks.
	for k, rp := range p.rows {
		if rp.def.failedRows || rp.def.lateRows {
			use(rp.check, rp.names...)
		}
		if rp.def.lateRows {
			out.lates = append(out.lates, lateCheck{check: rp.check, id: out.ids[rp.check], rows: k, col: -1})
		}
	}
	for ci := range p.suite.Columns {
		col := &p.suite.Columns[ci]
		for i := range col.Checks {
			c := &col.Checks[i]
			if def := registry[c.Kind]; def.failedRows || def.lateRows {
				use(c, col.Name)
			}
			if registry[c.Kind].lateRows {
				out.lates = append(out.lates, lateCheck{check: c, id: out.ids[c], rows: -1, col: p.colOf[c]})
			}
		}
	}
	if len(out.lates) > 0 && p.reread == nil {
		return fmt.Errorf("expect: failed rows: the rows failing %s are known only at the end of the pass and come from a second read of the data, which cannot be read twice (Options.Reread is nil): read it from a file", out.lates[0].check.Name())
	}
	for _, rp := range p.rules {
		use(rp.check, rp.names...)
	}
	if p.suite.Key != nil {
		cols = nil
		for _, k := range p.suite.Key {
			idx := rs.FieldIndices(k)
			if len(idx) == 0 {
				return fmt.Errorf("expect: key: %w", MissingColumnError(k, rs))
			}
			cols = append(cols, rs.Field(idx[0]).Name)
		}
	}
	meta := []string{"row", "failed_checks"}
	for i, m := range meta {
		for slices.Contains(cols, m) {
			m = "_" + m
		}
		meta[i] = m
	}
	fields := []arrow.Field{{Name: meta[0], Type: arrow.PrimitiveTypes.Int64}, {Name: meta[1], Type: arrow.BinaryTypes.String}}
	for _, name := range cols {
		i := rs.FieldIndices(name)[0]
		out.cols = append(out.cols, i)
		f := rs.Field(i)
		fields = append(fields, arrow.Field{Name: f.Name, Type: f.Type, Nullable: true})
	}
	out.schema = arrow.NewSchema(fields, nil)
	p.out = out
	return w.Begin(out.schema)
}

// batchFails collects one batch's failures: row i of the batch failed the
// check with id ids[k] when rows[k] = i.
type batchFails struct {
	rows []int32
	ids  []int32
}

func (b *batchFails) add(i, id int) {
	b.rows = append(b.rows, int32(i))
	b.ids = append(b.ids, int32(id))
}

// failedRun is one batch's failing rows, nil when none failed: as the
// output's record, or as (row, check id) pairs for the spill.
type failedRun struct {
	index int
	rec   arrow.RecordBatch
	pairs []byte
}

// pairSize is the size of a spilled pair: the row (int64) and the check's
// id (int32), little-endian.
const pairSize = 12

// spillPairs returns the batch's failures as spilled pairs, in order of
// row then check, and empties the collector; nil when no row failed.
func (b *batchFails) spillPairs(j job) []byte {
	if len(b.rows) == 0 {
		return nil
	}
	defer func() { b.rows, b.ids = b.rows[:0], b.ids[:0] }()
	order := b.order()
	out := make([]byte, 0, pairSize*len(order))
	for _, k := range order {
		out = binary.LittleEndian.AppendUint64(out, uint64(j.offset+int64(b.rows[k])))
		out = binary.LittleEndian.AppendUint32(out, uint32(b.ids[k]))
	}
	return out
}

// order returns the indices of the failures in order of row then check.
func (b *batchFails) order() []int {
	order := make([]int, len(b.rows))
	for k := range order {
		order[k] = k
	}
	slices.SortFunc(order, func(x, y int) int {
		if b.rows[x] != b.rows[y] {
			return int(b.rows[x] - b.rows[y])
		}
		return int(b.ids[x] - b.ids[y])
	})
	return order
}

// record turns the batch's failures into the output's record batch, in row
// order, and empties the collector; nil when no row failed.
func (b *batchFails) record(ctx context.Context, op *failedPlan, j job) (arrow.RecordBatch, error) {
	if len(b.rows) == 0 {
		return nil, nil
	}
	defer func() { b.rows, b.ids = b.rows[:0], b.ids[:0] }()
	order := b.order()
	mem := memory.DefaultAllocator
	rowB := array.NewInt64Builder(mem)
	defer rowB.Release()
	chkB := array.NewStringBuilder(mem)
	defer chkB.Release()
	idxB := array.NewInt32Builder(mem)
	defer idxB.Release()
	var names []string
	for k := 0; k < len(order); {
		r := b.rows[order[k]]
		names = names[:0]
		for ; k < len(order) && b.rows[order[k]] == r; k++ {
			names = append(names, op.names[b.ids[order[k]]])
		}
		rowB.Append(j.offset + int64(r))
		chkB.Append(strings.Join(names, ", "))
		idxB.Append(r)
	}
	rows, chks, idx := rowB.NewArray(), chkB.NewArray(), idxB.NewArray()
	defer idx.Release()
	cols := []arrow.Array{rows, chks}
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	for _, c := range op.cols {
		v, err := compute.TakeArray(ctx, j.batch.Column(c), idx)
		if err != nil {
			return nil, fmt.Errorf("expect: failed rows: %w", err)
		}
		cols = append(cols, v)
	}
	return array.NewRecordBatch(op.schema, cols, int64(rows.Len())), nil
}

// writeFailed receives every batch's failing rows from the workers and
// hands them to the writer, or to the spill, in row order: a batch's run
// waits until every earlier batch's has been written. Runs in flight are
// bounded by the batches the workers hold.
func (op *failedPlan) writeFailed(runs <-chan failedRun) error {
	pending := map[int]failedRun{}
	next := 0
	var werr error
	var spill *bufio.Writer
	if op.spill != nil {
		spill = bufio.NewWriterSize(op.spill, 1<<16)
	}
	for r := range runs {
		pending[r.index] = r
		for {
			run, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			if run.rec != nil {
				if werr == nil {
					werr = op.w.Write(run.rec)
				}
				run.rec.Release()
			}
			if len(run.pairs) > 0 && werr == nil {
				_, werr = spill.Write(run.pairs)
				op.pairs += int64(len(run.pairs) / pairSize)
			}
			next++
		}
	}
	for _, run := range pending {
		if run.rec != nil {
			run.rec.Release()
		}
	}
	if spill != nil && werr == nil {
		werr = spill.Flush()
	}
	return werr
}

// writeLate writes the failed-rows output of a pass with late checks, of
// total rows, once their failing rows are known: it reads the data again
// (plan.reread: the columns written and the unique checks', or every
// column of the pass when filters read them) and, batch by batch, merges the
// spilled pairs of the other checks with the late checks' failing rows
// (a key table's bitmap, a unique column's repeated values) into the
// output's records, in row order.
func (p *plan) writeLate(ctx context.Context, st *state, total int64) error {
	op := p.out
	anyLate := false
	for _, l := range op.lates {
		if l.rows >= 0 {
			anyLate = anyLate || st.rows[l.rows].(*keyTable).unexpected > 0
		} else {
			n, _ := st.cols[l.col].freq.duplicates(0)
			anyLate = anyLate || n > 0
		}
	}
	if op.pairs == 0 && !anyLate {
		return nil
	}
	if _, err := op.spill.Seek(0, io.SeekStart); err != nil {
		return err
	}
	spill := bufio.NewReaderSize(op.spill, 1<<16)
	var pair [pairSize]byte
	left := op.pairs
	// next reads the next spilled pair; row is -1 past the last.
	row, id := int64(-1), 0
	next := func() error {
		if left == 0 {
			row = -1
			return nil
		}
		left--
		if _, err := io.ReadFull(spill, pair[:]); err != nil {
			return fmt.Errorf("reading the spilled failures: %w", err)
		}
		row, id = int64(binary.LittleEndian.Uint64(pair[:8])), int(binary.LittleEndian.Uint32(pair[8:]))
		return nil
	}
	if err := next(); err != nil {
		return err
	}
	// Only the columns written and the unique checks' are read again,
	// unless filters need the others.
	var names []string
	if len(p.preds) == 0 {
		for _, c := range op.cols {
			names = append(names, p.readSchema.Field(c).Name)
		}
		for _, l := range op.lates {
			if l.rows < 0 && !slices.Contains(names, p.cols[l.col].name) {
				names = append(names, p.cols[l.col].name)
			}
		}
	}
	rr, err := p.reread(ctx, names)
	if err != nil {
		return fmt.Errorf("reading the data again: %w", err)
	}
	defer rr.Release()
	rs := rr.Schema()
	if names == nil && !sameFields(rs, p.readSchema) {
		return fmt.Errorf("the data read again has the columns %s, not %s", rs, p.readSchema)
	}
	// at is the index in the data read again of the pass's column c.
	at := func(c int) (int, error) {
		f := p.readSchema.Field(c)
		i := rs.FieldIndices(f.Name)
		if len(i) == 0 || !arrow.TypeEqual(rs.Field(i[0]).Type, f.Type) {
			return 0, fmt.Errorf("the data read again has no column %q of type %s", f.Name, f.Type)
		}
		return i[0], nil
	}
	view := *op
	view.cols = make([]int, len(op.cols))
	for k, c := range op.cols {
		if view.cols[k], err = at(c); err != nil {
			return err
		}
	}
	lateCol := make([]int, len(op.lates))
	for k, l := range op.lates {
		if l.rows < 0 {
			if lateCol[k], err = at(p.cols[l.col].idx); err != nil {
				return err
			}
		}
	}
	s := newState(p)
	var bf batchFails
	var off int64
	for index := 0; rr.Next(); index++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		b := rr.RecordBatch()
		n := int(b.NumRows())
		j := job{batch: b, index: index, offset: off}
		for row >= 0 && row < off+int64(n) {
			bf.add(int(row-off), id)
			if err := next(); err != nil {
				return err
			}
		}
		if len(p.preds) > 0 {
			if err := s.selectRows(p, j); err != nil {
				return err
			}
		}
		for k, l := range op.lates {
			if l.rows >= 0 {
				bits := st.rows[l.rows].(*keyTable).failing
				for i := range n {
					if bitutil.BitIsSet(bits, int(off)+i) {
						bf.add(i, l.id)
					}
				}
				continue
			}
			cp := p.cols[l.col]
			repeated := repeatedAt(st.cols[l.col].freq, b.Column(lateCol[k]))
			for i := range n {
				if (cp.filter < 0 || bitutil.BitIsSet(s.sel[cp.filter], i)) && repeated(i) {
					bf.add(i, l.id)
				}
			}
		}
		rec, err := bf.record(ctx, &view, j)
		if err != nil {
			return err
		}
		if rec != nil {
			err = op.w.Write(rec)
			rec.Release()
			if err != nil {
				return err
			}
		}
		off += int64(n)
	}
	if err := rr.Err(); err != nil {
		return fmt.Errorf("reading the data again: %w", err)
	}
	if off != total {
		return fmt.Errorf("the data changed between its two reads: %d rows, then %d", total, off)
	}
	return nil
}

// sameFields reports whether two schemas have the same fields' names and
// types, in the same order.
func sameFields(a, b *arrow.Schema) bool {
	if a.NumFields() != b.NumFields() {
		return false
	}
	for i, f := range a.Fields() {
		if g := b.Field(i); f.Name != g.Name || !arrow.TypeEqual(f.Type, g.Type) {
			return false
		}
	}
	return true
}

// repeatedAt returns whether row i of arr holds a value that f, a unique
// check's frequency table, counted more than once.
func repeatedAt(f freqTable, arr arrow.Array) func(i int) bool {
	if d, ok := arr.(*array.Dictionary); ok {
		in := repeatedAt(f, d.Dictionary())
		return func(i int) bool { return d.IsValid(i) && in(d.GetValueIndex(i)) }
	}
	switch f := f.(type) {
	case *numFreq:
		in := f.isRepeated
		switch a := arr.(type) {
		case *array.Float64:
			return func(i int) bool { v := a.Value(i); return a.IsValid(i) && v == v && in(floatKey(v+0)) }
		case *array.Float32:
			return func(i int) bool { v := float64(a.Value(i)); return a.IsValid(i) && v == v && in(floatKey(v+0)) }
		case *array.Float16:
			return func(i int) bool {
				v := float64(a.Value(i).Float32())
				return a.IsValid(i) && v == v && in(floatKey(v+0))
			}
		}
		at := freqIntAt(arr)
		return func(i int) bool { return arr.IsValid(i) && in(intKey(at(i))) }
	case *freq[string]:
		var at func(int) string
		switch a := arr.(type) {
		case *array.String:
			at = a.Value
		case *array.LargeString:
			at = a.Value
		case *array.StringView:
			at = a.Value
		default:
			return func(int) bool { return false }
		}
		return func(i int) bool {
			k, ok := f.index[at(i)]
			return ok && arr.IsValid(i) && f.counts[k] > 1
		}
	case *freq[bool]:
		a, ok := arr.(*array.Boolean)
		if !ok {
			return func(int) bool { return false }
		}
		return func(i int) bool {
			k, ok := f.index[a.Value(i)]
			return ok && a.IsValid(i) && f.counts[k] > 1
		}
	}
	return func(int) bool { return false }
}

// freqIntAt reads the integer (or temporal) values of arr as int64, as
// the frequency tables key them (an unsigned value beyond 2^63 wraps).
func freqIntAt(arr arrow.Array) func(i int) int64 {
	if at, ok := intAt(arr); ok {
		return at
	}
	if a, ok := arr.(*array.Uint64); ok {
		return func(i int) int64 { return int64(a.Value(i)) }
	}
	return func(i int) int64 {
		v, _ := temporalInt(arr, i)
		return v
	}
}
