package expect

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// FailedRowsWriter receives every row that failed a check able to name its
// failing rows as the pass goes (the row-wise kinds range, in_set,
// not_in_set, regex and length, references, and rules; see
// Options.FailedRows), whatever the check's severity. Evaluate streams them: memory stays bounded by the batches in
// flight, whatever the number of failures.
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
	for _, rp := range p.rows {
		if rp.check.Kind == References {
			use(rp.check, rp.names...)
		}
	}
	for ci := range p.suite.Columns {
		col := &p.suite.Columns[ci]
		for i := range col.Checks {
			if c := &col.Checks[i]; registry[c.Kind].failedRows {
				use(c, col.Name)
			}
		}
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

// failedRun is one batch's failing rows, nil when none failed.
type failedRun struct {
	index int
	rec   arrow.RecordBatch
}

// record turns the batch's failures into the output's record batch, in row
// order, and empties the collector; nil when no row failed.
func (b *batchFails) record(ctx context.Context, op *failedPlan, j job) (arrow.RecordBatch, error) {
	if len(b.rows) == 0 {
		return nil, nil
	}
	defer func() { b.rows, b.ids = b.rows[:0], b.ids[:0] }()
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
// hands them to the writer in row order: a batch's run waits until every
// earlier batch's has been written. Runs in flight are bounded by the
// batches the workers hold.
func (op *failedPlan) writeFailed(runs <-chan failedRun) error {
	pending := map[int]arrow.RecordBatch{}
	next := 0
	var werr error
	for r := range runs {
		pending[r.index] = r.rec
		for {
			rec, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			if rec != nil {
				if werr == nil {
					werr = op.w.Write(rec)
				}
				rec.Release()
			}
			next++
		}
	}
	for _, rec := range pending {
		if rec != nil {
			rec.Release()
		}
	}
	return werr
}
