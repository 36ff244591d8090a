package expr

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

// Options configure one evaluation context. The zero value works for
// every expression that does not call now() or today().
type Options struct {
	// Mem allocates the result and the intermediates; nil means
	// memory.DefaultAllocator. A Recycler reuses them from one
	// evaluation to the next.
	Mem memory.Allocator
	// Now is the instant now() returns and whose UTC date today()
	// returns. It is fixed by the caller once per run, so that every batch
	// and every rule sees the same instant and a run can be repeated
	// (trustml's --now). Evaluating an expression that calls now() or
	// today() with a zero Now is an error.
	Now time.Time
}

// ErrOverflow is wrapped by the error Eval returns when integer
// arithmetic (+ - * unary -, abs, date ± days) overflows 64 bits.
var ErrOverflow = errors.New("integer overflow")

// Eval evaluates the program over every row of rec, whose schema must
// be the one the program was compiled against (same field names and
// types). The result has rec.NumRows() elements, of type p.Type.Arrow()
// (boolean for a NULL-typed expression); the caller releases it. Eval
// evaluates whole columns at a time with arrow-go's compute kernels, and
// with typed loops where no kernel exists.
func (p *Program) Eval(ctx context.Context, rec arrow.RecordBatch, opts Options) (arrow.Array, error) {
	if !rec.Schema().Equal(p.schema) {
		for _, i := range p.fields {
			f := p.schema.Field(i)
			if i >= int(rec.NumCols()) || rec.Schema().Field(i).Name != f.Name || !arrow.TypeEqual(rec.Schema().Field(i).Type, f.Type) {
				return nil, fmt.Errorf("expr: the batch's schema differs from the one %q was compiled against at column %q", p.src, f.Name)
			}
		}
	}
	if p.usesNow && opts.Now.IsZero() {
		return nil, errors.New("expr: the expression calls now() or today(), and Options.Now is not set")
	}
	mem := opts.Mem
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	t := p.Type
	if t.Kind == NullKind {
		t = Type{Kind: BoolKind}
	}
	if rec.NumRows() == 0 {
		// No kernel runs: arrow-go v18.8.0's is_in over strings keeps a
		// buffer of its hash table when called on no rows.
		return array.MakeArrayOfNull(mem, t.Arrow(), 0), nil
	}
	e := &evaluator{prog: p, rec: rec, n: int(rec.NumRows()), mem: mem, now: opts.Now}
	ctx = compute.WithAllocator(ctx, mem)
	v, err := e.eval(ctx, p.Expr)
	if err != nil {
		return nil, err
	}
	defer v.release()
	return e.array(v, t)
}

// Tally counts a predicate's result: rows where it is true, false, and
// NULL (neither passed nor failed).
func Tally(a *array.Boolean) (trues, falses, nulls int) {
	nulls = a.NullN()
	for i := 0; i < a.Len(); i++ {
		if a.IsValid(i) {
			if a.Value(i) {
				trues++
			} else {
				falses++
			}
		}
	}
	return trues, falses, nulls
}

// value is an evaluated sub-expression: an array of n rows or a scalar
// standing for n equal rows, or, for a NULL-typed expression, d == nil
// (all rows NULL, of whatever type the context asks for). A value owns
// d and must be released.
type value struct {
	d compute.Datum
	t Type
}

func (v value) release() {
	if v.d != nil {
		v.d.Release()
	}
}

type evaluator struct {
	prog *Program
	rec  arrow.RecordBatch
	n    int
	mem  memory.Allocator
	now  time.Time
}

func (e *evaluator) fail(x Expr, err error) error {
	return fmt.Errorf("expr: %s: %w", Print(x, Generic), err)
}

func (e *evaluator) eval(ctx context.Context, x Expr) (value, error) {
	t := e.prog.types[x]
	switch x := x.(type) {
	case *Column:
		return e.column(ctx, x, t)
	case *Literal:
		return literalValue(x, t), nil
	case *Unary:
		return e.unary(ctx, x, t)
	case *Binary:
		return e.binary(ctx, x, t)
	case *In:
		return e.in(ctx, x)
	case *Between:
		return e.between(ctx, x)
	case *IsNull:
		v, err := e.eval(ctx, x.X)
		if err != nil {
			return value{}, err
		}
		defer v.release()
		if v.d == nil {
			return scalarValue(scalar.NewBooleanScalar(!x.Not), t), nil
		}
		fn := "is_null"
		if x.Not {
			fn = "is_not_null"
		}
		return e.call(ctx, x, t, fn, nil, v.d)
	case *Like:
		return e.like(ctx, x)
	case *Call:
		args := make([]value, len(x.Args))
		defer func() {
			for _, a := range args {
				a.release()
			}
		}()
		for i, a := range x.Args {
			v, err := e.eval(ctx, a)
			if err != nil {
				return value{}, err
			}
			args[i] = v
		}
		return funcs[x.Name].eval(ctx, e, x, args)
	}
	return value{}, fmt.Errorf("expr: unknown node %T", x)
}

// retain returns a new reference to d.
func retain(d compute.Datum) compute.Datum {
	switch d := d.(type) {
	case *compute.ArrayDatum:
		d.Value.Retain()
		return &compute.ArrayDatum{Value: d.Value}
	case *compute.ScalarDatum:
		if r, ok := d.Value.(scalar.Releasable); ok {
			r.Retain()
		}
		return &compute.ScalarDatum{Value: d.Value}
	}
	panic(fmt.Sprintf("expr: retain of %T", d))
}

func scalarValue(s scalar.Scalar, t Type) value { return value{d: compute.NewDatum(s), t: t} }

func literalValue(l *Literal, t Type) value {
	var s scalar.Scalar
	switch l.Kind {
	case LitNull:
		return value{t: t}
	case LitBool:
		s = scalar.NewBooleanScalar(l.Bool)
	case LitInt:
		s = scalar.NewInt64Scalar(l.Int)
	case LitFloat:
		s = scalar.NewFloat64Scalar(l.Float)
	case LitString:
		s = scalar.NewStringScalar(l.String)
	case LitDate:
		s = scalar.NewDate32Scalar(arrow.Date32(l.Time.Unix() / 86400))
	case LitTimestamp:
		s = scalar.NewTimestampScalar(arrow.Timestamp(l.Time.UnixMicro()), t.Arrow())
	case LitInterval:
		s = scalar.NewMonthDayNanoIntervalScalar(arrow.MonthDayNanoInterval{Months: l.Interval.Months, Days: l.Interval.Days, Nanoseconds: l.Interval.Micros * 1000})
	}
	return value{d: compute.NewDatum(s), t: t}
}

// column reads a column, converting it to the canonical Arrow type of its
// expression type (int64, float64, utf8, date32, timestamp[us]).
func (e *evaluator) column(ctx context.Context, x *Column, t Type) (value, error) {
	col := e.rec.Column(e.prog.fields[x])
	want := t.Arrow()
	if arrow.TypeEqual(col.DataType(), want) {
		return value{d: compute.NewDatum(col), t: t}, nil
	}
	// Timestamps in ns truncate to µs, as DuckDB's TIMESTAMP does; other
	// conversions are safe (a uint64 above 2^63-1 is an error).
	safe := col.DataType().ID() != arrow.TIMESTAMP && col.DataType().ID() != arrow.DATE64
	out, err := compute.CastArray(ctx, col, compute.NewCastOptions(want, safe))
	if err != nil {
		return value{}, fmt.Errorf("expr: column %s: reading %s as %s: %w", quoteIdent(x.Name), col.DataType(), t, err)
	}
	defer out.Release()
	return value{d: compute.NewDatum(out), t: t}, nil
}

// call runs a compute kernel by name over datums and wraps the result.
func (e *evaluator) call(ctx context.Context, x Expr, t Type, fn string, opts compute.FunctionOptions, args ...compute.Datum) (value, error) {
	d, err := compute.CallFunction(ctx, fn, opts, args...)
	if err != nil {
		if errors.Is(err, arrow.ErrInvalid) && containsFold(err.Error(), "overflow") {
			return value{}, e.fail(x, ErrOverflow)
		}
		return value{}, e.fail(x, err)
	}
	return value{d: d, t: t}, nil
}

func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if equalFoldASCII(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

func equalFoldASCII(a, b string) bool {
	for i := 0; i < len(a); i++ {
		ca, cb := a[i]|0x20, b[i]|0x20
		if ca != cb {
			return false
		}
	}
	return true
}

// to converts v to type t (NULL to a null scalar of t, BIGINT to DOUBLE,
// DATE to TIMESTAMP, a timestamp's zone). The result is a new value.
func (e *evaluator) to(ctx context.Context, v value, t Type) (value, error) {
	if v.d == nil {
		return scalarValue(scalar.MakeNullScalar(t.Arrow()), t), nil
	}
	switch {
	case v.t.Kind == t.Kind && t.Kind == TimestampKind:
		return e.retype(v, t), nil
	case v.t.Kind == t.Kind:
		return value{d: retain(v.d), t: t}, nil
	case v.t.Kind == IntKind && t.Kind == FloatKind:
		d, err := compute.CastDatum(ctx, v.d, compute.NewCastOptions(t.Arrow(), false))
		return value{d: d, t: t}, err
	case v.t.Kind == DateKind && t.Kind == TimestampKind:
		return e.mapDateToTimestamp(v, t)
	}
	return value{}, fmt.Errorf("expr: internal: no conversion from %s to %s", v.t, t)
}

// retype gives a timestamp value another zone: the instants stay, only
// the type's metadata changes (zero copy).
func (e *evaluator) retype(v value, t Type) value {
	switch d := v.d.(type) {
	case *compute.ArrayDatum:
		data := array.NewData(t.Arrow(), d.Value.Len(), d.Value.Buffers(), nil, d.Value.NullN(), d.Value.Offset())
		return value{d: &compute.ArrayDatum{Value: data}, t: t}
	case *compute.ScalarDatum:
		if !d.Value.IsValid() {
			return scalarValue(scalar.MakeNullScalar(t.Arrow()), t)
		}
		ts := d.Value.(*scalar.Timestamp).Value
		return scalarValue(scalar.NewTimestampScalar(ts, t.Arrow()), t)
	}
	panic("expr: retype of a non-datum")
}

// asInt64 views a temporal value (date32 widened, timestamp as is) as
// int64 microseconds, so that comparisons ignore zones: instants compare.
func (e *evaluator) asInt64(v value) value {
	return e.retypeTo(v, arrow.PrimitiveTypes.Int64)
}

func (e *evaluator) retypeTo(v value, dt arrow.DataType) value {
	switch d := v.d.(type) {
	case *compute.ArrayDatum:
		data := array.NewData(dt, d.Value.Len(), d.Value.Buffers(), nil, d.Value.NullN(), d.Value.Offset())
		return value{d: &compute.ArrayDatum{Value: data}, t: v.t}
	case *compute.ScalarDatum:
		if !d.Value.IsValid() {
			return scalarValue(scalar.MakeNullScalar(dt), v.t)
		}
		return scalarValue(scalar.NewInt64Scalar(int64(d.Value.(*scalar.Timestamp).Value)), v.t)
	}
	panic("expr: retype of a non-datum")
}

// array materialises v as an array of n rows of type t (a new reference).
func (e *evaluator) array(v value, t Type) (arrow.Array, error) {
	switch d := v.d.(type) {
	case nil:
		return array.MakeArrayOfNull(e.mem, t.Arrow(), e.n), nil
	case *compute.ArrayDatum:
		return d.MakeArray(), nil
	case *compute.ScalarDatum:
		return scalar.MakeArrayFromScalar(d.Value, e.n, e.mem)
	}
	return nil, fmt.Errorf("expr: internal: unexpected datum %s", v.d)
}

func (e *evaluator) unary(ctx context.Context, x *Unary, t Type) (value, error) {
	v, err := e.eval(ctx, x.X)
	if err != nil {
		return value{}, err
	}
	defer v.release()
	if v.d == nil {
		return value{t: t}, nil
	}
	if x.Op == OpNot {
		return e.call(ctx, x, t, "not", nil, v.d)
	}
	fn := "negate"
	if t.Kind == FloatKind {
		fn = "negate_unchecked"
	}
	return e.call(ctx, x, t, fn, &compute.ArithmeticOptions{}, v.d)
}

var compareFuncs = map[Op]string{OpEq: "equal", OpNe: "not_equal", OpLt: "less", OpLe: "less_equal", OpGt: "greater", OpGe: "greater_equal"}

func (e *evaluator) binary(ctx context.Context, x *Binary, t Type) (value, error) {
	a, err := e.eval(ctx, x.X)
	if err != nil {
		return value{}, err
	}
	defer a.release()
	b, err := e.eval(ctx, x.Y)
	if err != nil {
		return value{}, err
	}
	defer b.release()
	switch x.Op {
	case OpAnd, OpOr:
		fn := map[Op]string{OpAnd: "and_kleene", OpOr: "or_kleene"}[x.Op]
		l, err := e.to(ctx, a, t)
		if err != nil {
			return value{}, err
		}
		defer l.release()
		r, err := e.to(ctx, b, t)
		if err != nil {
			return value{}, err
		}
		defer r.release()
		return e.call(ctx, x, t, fn, nil, l.d, r.d)
	case OpEq, OpNe, OpLt, OpLe, OpGt, OpGe:
		return e.compare(ctx, x, x.Op, a, b)
	}
	if a.d == nil || b.d == nil {
		return value{t: t}, nil
	}
	return e.arith(ctx, x, t, a, b)
}

// compare evaluates a op b in their common type. Temporal values compare
// as instants; DOUBLEs in SQL's total order (NaN equals NaN and is above
// +Inf), which DuckDB and PostgreSQL share.
func (e *evaluator) compare(ctx context.Context, x Expr, op Op, a, b value) (value, error) {
	bt := Type{Kind: BoolKind}
	if a.d == nil || b.d == nil {
		return value{t: bt}, nil
	}
	ct, _ := unify(a.t, b.t)
	l, err := e.to(ctx, a, ct)
	if err != nil {
		return value{}, err
	}
	defer l.release()
	r, err := e.to(ctx, b, ct)
	if err != nil {
		return value{}, err
	}
	defer r.release()
	if ct.Kind == TimestampKind {
		l2, r2 := e.asInt64(l), e.asInt64(r)
		defer l2.release()
		defer r2.release()
		l, r = l2, r2
	}
	res, err := e.call(ctx, x, bt, compareFuncs[op], nil, l.d, r.d)
	if err != nil || ct.Kind != FloatKind {
		return res, err
	}
	return e.fixNaN(op, l, r, res)
}

func hasNaN(v value) bool {
	switch d := v.d.(type) {
	case *compute.ArrayDatum:
		a := d.MakeArray()
		defer a.Release()
		for _, f := range a.(*array.Float64).Float64Values() {
			if f != f {
				return true
			}
		}
	case *compute.ScalarDatum:
		s, ok := d.Value.(*scalar.Float64)
		return ok && s.IsValid() && math.IsNaN(s.Value)
	}
	return false
}

// fixNaN rewrites a comparison's result where an operand is NaN, from
// IEEE's (every comparison false but <>) to SQL's total order.
func (e *evaluator) fixNaN(op Op, l, r, res value) (value, error) {
	if !hasNaN(l) && !hasNaN(r) {
		return res, nil
	}
	defer res.release()
	la, err := e.array(l, l.t)
	if err != nil {
		return value{}, err
	}
	defer la.Release()
	ra, err := e.array(r, r.t)
	if err != nil {
		return value{}, err
	}
	defer ra.Release()
	old, err := e.array(res, res.t)
	if err != nil {
		return value{}, err
	}
	defer old.Release()
	lv, rv, ov := la.(*array.Float64), ra.(*array.Float64), old.(*array.Boolean)
	bld := array.NewBooleanBuilder(e.mem)
	defer bld.Release()
	bld.Reserve(e.n)
	for i := 0; i < e.n; i++ {
		if ov.IsNull(i) {
			bld.AppendNull()
			continue
		}
		x, y := lv.Value(i), rv.Value(i)
		if x == x && y == y {
			bld.UnsafeAppend(ov.Value(i))
			continue
		}
		c := totalCompare(x, y)
		bld.UnsafeAppend(map[Op]bool{OpEq: c == 0, OpNe: c != 0, OpLt: c < 0, OpLe: c <= 0, OpGt: c > 0, OpGe: c >= 0}[op])
	}
	out := bld.NewArray()
	defer out.Release()
	return value{d: compute.NewDatum(out), t: res.t}, nil
}

// totalCompare orders floats with NaN above everything and equal to itself.
func totalCompare(x, y float64) int {
	switch xn, yn := x != x, y != y; {
	case xn && yn:
		return 0
	case xn:
		return 1
	case yn:
		return -1
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func (e *evaluator) arith(ctx context.Context, x *Binary, t Type, a, b value) (value, error) {
	switch {
	case a.t.numeric() && b.t.numeric():
		l, err := e.to(ctx, a, t)
		if err != nil {
			return value{}, err
		}
		defer l.release()
		r, err := e.to(ctx, b, t)
		if err != nil {
			return value{}, err
		}
		defer r.release()
		if t.Kind == IntKind {
			return e.intArith(x, l, r)
		}
		// DOUBLE arithmetic is IEEE 754, division included: x / 0 is ±Inf
		// and 0 / 0 NaN, as in DuckDB.
		fn := map[Op]string{OpAdd: "add_unchecked", OpSub: "subtract_unchecked", OpMul: "multiply_unchecked", OpDiv: "divide_unchecked"}[x.Op]
		return e.call(ctx, x, t, fn, &compute.ArithmeticOptions{NoCheckOverflow: true}, l.d, r.d)
	case a.t.Kind == DateKind && b.t.Kind == DateKind:
		return e.dateDiff(x, a, b)
	case a.t.Kind == DateKind && b.t.Kind == IntKind:
		return e.dateAddDays(x, a, b, x.Op == OpSub)
	case a.t.Kind == IntKind && b.t.Kind == DateKind:
		return e.dateAddDays(x, b, a, false)
	case b.t.Kind == IntervalKind:
		return e.addInterval(ctx, x, t, a, b, x.Op == OpSub)
	case a.t.Kind == IntervalKind:
		return e.addInterval(ctx, x, t, b, a, false)
	}
	return value{}, fmt.Errorf("expr: internal: no arithmetic for %s %s %s", a.t, x.Op, b.t)
}

// intArith is BIGINT + - * with every overflow detected. It is a typed
// loop rather than arrow-go's checked kernels because v18.8.0's
// "subtract" misses signed overflow (0 - -9223372036854775807 passes).
func (e *evaluator) intArith(x *Binary, l, r value) (value, error) {
	la, err := e.array(l, l.t)
	if err != nil {
		return value{}, err
	}
	defer la.Release()
	ra, err := e.array(r, r.t)
	if err != nil {
		return value{}, err
	}
	defer ra.Release()
	a, b := la.(*array.Int64), ra.(*array.Int64)
	av, bv := a.Int64Values(), b.Int64Values()
	bld := array.NewInt64Builder(e.mem)
	defer bld.Release()
	bld.Reserve(e.n)
	for i := 0; i < e.n; i++ {
		if a.IsNull(i) || b.IsNull(i) {
			bld.AppendNull()
			continue
		}
		v, ok := checkedInt(x.Op, av[i], bv[i])
		if !ok {
			return value{}, e.fail(x, ErrOverflow)
		}
		bld.UnsafeAppend(v)
	}
	out := bld.NewArray()
	defer out.Release()
	return value{d: compute.NewDatum(out), t: l.t}, nil
}

// checkedInt computes a op b for + - *; ok is false on overflow.
func checkedInt(op Op, a, b int64) (int64, bool) {
	switch op {
	case OpAdd:
		c := a + b
		return c, (c > a) == (b > 0)
	case OpSub:
		c := a - b
		return c, (c < a) == (b > 0)
	}
	if a == 0 || b == 0 {
		return 0, true
	}
	c := a * b
	if (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) || c/b != a {
		return c, false
	}
	return c, true
}
