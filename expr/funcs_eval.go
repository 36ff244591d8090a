package expr

import (
	"context"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

func evalAbs(ctx context.Context, e *evaluator, x *Call, args []value) (value, error) {
	t := e.prog.types[x]
	if args[0].d == nil {
		return value{t: t}, nil
	}
	fn := "abs"
	if t.Kind == FloatKind {
		fn = "abs_unchecked"
	}
	return e.call(ctx, x, t, fn, &compute.ArithmeticOptions{}, args[0].d)
}

// evalRound rounds half away from zero (DuckDB, PostgreSQL); a DOUBLE with
// the compute kernel, a BIGINT with negative digits by integer arithmetic.
func evalRound(ctx context.Context, e *evaluator, x *Call, args []value) (value, error) {
	t := e.prog.types[x]
	if args[0].d == nil {
		return value{t: t}, nil
	}
	digits := int64(0)
	if len(x.Args) == 2 {
		digits = x.Args[1].(*Literal).Int
	}
	if t.Kind == FloatKind {
		return e.call(ctx, x, t, "round", &compute.RoundOptions{NDigits: digits, Mode: compute.RoundHalfTowardsInfinity}, args[0].d)
	}
	if digits >= 0 {
		return value{d: retain(args[0].d), t: t}, nil
	}
	m := int64(1)
	for range -digits {
		m *= 10
	}
	a, err := e.array(args[0], t)
	if err != nil {
		return value{}, err
	}
	defer a.Release()
	in := a.(*array.Int64)
	bld := array.NewInt64Builder(e.mem)
	defer bld.Release()
	bld.Reserve(e.n)
	for i, v := range in.Int64Values() {
		if in.IsNull(i) {
			bld.AppendNull()
			continue
		}
		q, r := v/m, v%m
		if r >= 0 && 2*r >= m {
			q++
		} else if r < 0 && -2*r >= m {
			q--
		}
		if q > (1<<63-1)/m || q < -(1<<63)/m {
			return value{}, e.fail(x, ErrOverflow)
		}
		bld.UnsafeAppend(q * m)
	}
	out := bld.NewArray()
	defer out.Release()
	return value{d: compute.NewDatum(out), t: t}, nil
}

func evalLength(_ context.Context, e *evaluator, x *Call, args []value) (value, error) {
	t := Type{Kind: IntKind}
	if args[0].d == nil {
		return value{t: t}, nil
	}
	s, err := e.strings(args[0])
	if err != nil {
		return value{}, err
	}
	defer s.Release()
	bld := array.NewInt64Builder(e.mem)
	defer bld.Release()
	bld.Reserve(e.n)
	for i := 0; i < e.n; i++ {
		if s.IsNull(i) {
			bld.AppendNull()
		} else {
			bld.UnsafeAppend(int64(utf8.RuneCountInString(s.Value(i))))
		}
	}
	out := bld.NewArray()
	defer out.Release()
	return value{d: compute.NewDatum(out), t: t}, nil
}

func stringMap(f func(string) string) func(context.Context, *evaluator, *Call, []value) (value, error) {
	return func(_ context.Context, e *evaluator, x *Call, args []value) (value, error) {
		t := Type{Kind: StringKind}
		if args[0].d == nil {
			return value{t: t}, nil
		}
		s, err := e.strings(args[0])
		if err != nil {
			return value{}, err
		}
		defer s.Release()
		bld := array.NewStringBuilder(e.mem)
		defer bld.Release()
		bld.Reserve(e.n)
		for i := 0; i < e.n; i++ {
			if s.IsNull(i) {
				bld.AppendNull()
			} else {
				bld.Append(f(s.Value(i)))
			}
		}
		out := bld.NewArray()
		defer out.Release()
		return value{d: compute.NewDatum(out), t: t}, nil
	}
}

// evalCoalesce picks, per row, the first non-null argument: the arguments
// are concatenated and one take kernel gathers the chosen rows.
func evalCoalesce(ctx context.Context, e *evaluator, x *Call, args []value) (value, error) {
	t := e.prog.types[x]
	var arrs []arrow.Array
	defer func() {
		for _, a := range arrs {
			a.Release()
		}
	}()
	for _, v := range args {
		if v.d == nil {
			continue
		}
		cv, err := e.to(ctx, v, t)
		if err != nil {
			return value{}, err
		}
		a, err := e.array(cv, t)
		cv.release()
		if err != nil {
			return value{}, err
		}
		arrs = append(arrs, a)
	}
	if len(arrs) == 0 {
		return value{t: t}, nil
	}
	if len(arrs) == 1 {
		return value{d: compute.NewDatum(arrs[0]), t: t}, nil
	}
	all, err := array.Concatenate(arrs, e.mem)
	if err != nil {
		return value{}, err
	}
	defer all.Release()
	idx := array.NewInt64Builder(e.mem)
	defer idx.Release()
	idx.Reserve(e.n)
rows:
	for i := 0; i < e.n; i++ {
		for j, a := range arrs {
			if a.IsValid(i) {
				idx.UnsafeAppend(int64(j*e.n + i))
				continue rows
			}
		}
		idx.AppendNull()
	}
	ia := idx.NewArray()
	defer ia.Release()
	out, err := compute.TakeArray(ctx, all, ia)
	if err != nil {
		return value{}, e.fail(x, err)
	}
	defer out.Release()
	return value{d: compute.NewDatum(out), t: t}, nil
}

// datePart extracts a calendar field: of a date, of a timestamp in its own
// zone (a timestamp without zone in UTC).
func datePart(f func(y, m, d int) int64) func(context.Context, *evaluator, *Call, []value) (value, error) {
	return func(_ context.Context, e *evaluator, x *Call, args []value) (value, error) {
		t := Type{Kind: IntKind}
		v := args[0]
		if v.d == nil {
			return value{t: t}, nil
		}
		a, err := e.array(v, v.t)
		if err != nil {
			return value{}, err
		}
		defer a.Release()
		bld := array.NewInt64Builder(e.mem)
		defer bld.Release()
		bld.Reserve(e.n)
		switch a := a.(type) {
		case *array.Date32:
			for i, d := range a.Date32Values() {
				if a.IsNull(i) {
					bld.AppendNull()
					continue
				}
				y, m, dd := time.Unix(int64(d)*86400, 0).UTC().Date()
				bld.UnsafeAppend(f(y, int(m), dd))
			}
		case *array.Timestamp:
			loc, err := location(v.t.Zone)
			if err != nil {
				return value{}, err
			}
			for i, us := range a.TimestampValues() {
				if a.IsNull(i) {
					bld.AppendNull()
					continue
				}
				y, m, dd := time.UnixMicro(int64(us)).In(loc).Date()
				bld.UnsafeAppend(f(y, int(m), dd))
			}
		}
		out := bld.NewArray()
		defer out.Release()
		return value{d: compute.NewDatum(out), t: t}, nil
	}
}

func evalNow(_ context.Context, e *evaluator, x *Call, _ []value) (value, error) {
	t := e.prog.types[x]
	return scalarValue(scalar.NewTimestampScalar(arrow.Timestamp(e.now.UnixMicro()), t.Arrow()), t), nil
}

func evalToday(_ context.Context, e *evaluator, x *Call, _ []value) (value, error) {
	y, m, d := e.now.UTC().Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
	return scalarValue(scalar.NewDate32Scalar(arrow.Date32(day)), Type{Kind: DateKind}), nil
}
