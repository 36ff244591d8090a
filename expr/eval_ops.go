package expr

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"time"
	_ "time/tzdata" // zone names must resolve the same on every machine
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

// in evaluates X [NOT] IN (list). A VARCHAR column against at most
// maxShortList string constants is compared row by row (inStrings); any
// other list of constants is one is_in kernel call with SQL's null rule
// (no match and a NULL in the list: NULL); any other list is the OR of
// equalities, which has the same meaning.
func (e *evaluator) in(ctx context.Context, x *In) (value, error) {
	bt := Type{Kind: BoolKind}
	v, err := e.eval(ctx, x.X)
	if err != nil {
		return value{}, err
	}
	defer v.release()
	ct := v.t
	constant := true
	for _, y := range x.List {
		ct, _ = unify(ct, e.prog.types[y])
		if _, ok := y.(*Literal); !ok {
			constant = false
		}
	}
	if a, lits, nullLit, ok := e.shortStringList(x, v, constant); ok {
		return e.inStrings(x, a, lits, nullLit), nil
	}
	var res value
	// DOUBLEs go through comparisons: the hash set of is_in tells -0 from
	// 0 and does not see NaN as equal to NaN, as SQL does.
	if constant && v.d != nil && ct.Kind != NullKind && ct.Kind != FloatKind {
		res, err = e.inSet(ctx, x, v, ct)
	} else {
		res, err = e.inChain(ctx, x, v)
	}
	if err != nil || !x.Not {
		return res, err
	}
	defer res.release()
	if res.d == nil {
		return value{t: bt}, nil
	}
	return e.call(ctx, x, bt, "not", nil, res.d)
}

// maxShortList is the longest list of strings inStrings compares each
// row with; a longer one goes to is_in's hash set.
const maxShortList = 8

// shortStringList reports whether X IN (list) is a VARCHAR column tested
// against at most maxShortList string constants (NULL among them), and
// returns the column and the constants.
func (e *evaluator) shortStringList(x *In, v value, constant bool) (a *array.String, lits []string, nullLit, ok bool) {
	d, isArray := v.d.(*compute.ArrayDatum)
	if !constant || !isArray || v.t.Kind != StringKind || len(x.List) > maxShortList || d.Value.DataType().ID() != arrow.STRING {
		return nil, nil, false, false
	}
	for _, y := range x.List {
		switch l := y.(*Literal); {
		case l.Kind == LitNull:
			nullLit = true
		case l.Kind == LitString && e.prog.types[y].Kind == StringKind:
			lits = append(lits, l.String)
		default:
			return nil, nil, false, false
		}
	}
	return array.NewStringData(d.Value), lits, nullLit, true
}

// inStrings evaluates X [NOT] IN (list) over a VARCHAR array and a short
// list of string constants by comparing each row's bytes with each
// constant, eight rows to a byte of the result. arrow-go v18.8.0's
// kernels cost more here: is_in hashes every string (about 25 ns a row),
// and equal calls two functions per row and literal (about 20 ns). SQL's
// null rule: a NULL row is NULL; a row that matches no constant is NULL
// when the list holds a NULL.
func (e *evaluator) inStrings(x *In, a *array.String, lits []string, nullLit bool) value {
	defer a.Release()
	n := a.Len()
	nb := int(bitutil.BytesForBits(int64(n)))
	var data []byte
	if b := a.Data().Buffers()[2]; b != nil {
		data = b.Bytes()
	}
	offs := a.ValueOffsets()
	vals := memory.NewResizableBuffer(e.mem)
	vals.Resize(nb)
	out := vals.Bytes()
	words, short := wordsOf(lits)
	for k := range nb {
		var bits byte
		lo := k * 8
		for j, i := range offs[lo:min(lo+8, n)] {
			end := offs[lo+j+1]
			if short && int(i)+8 <= len(data) && end-i <= 8 {
				// The row's bytes as a word, compared with each constant's
				// without a branch (rows in random order mispredict).
				w := binary.LittleEndian.Uint64(data[i:]) & lowBytes[end-i]
				var hit uint64
				for _, c := range words {
					d := (w ^ c.w) | uint64(uint32(end-i^c.n))
					hit |= ((d | -d) >> 63) ^ 1 // d == 0
				}
				bits |= byte(hit) << j
				continue
			}
			s := data[i:end]
			for _, l := range lits {
				if string(s) == l {
					bits |= 1 << j
					break
				}
			}
		}
		out[k] = bits
	}
	// matched: the rows found in the list.
	var valid *memory.Buffer
	nulls := 0
	switch {
	case nullLit:
		valid = memory.NewResizableBuffer(e.mem)
		valid.Resize(nb)
		if a.NullN() > 0 {
			bitutil.BitmapAnd(a.NullBitmapBytes(), out, int64(a.Data().Offset()), 0, valid.Bytes(), 0, int64(n))
		} else {
			copy(valid.Bytes(), out)
		}
		nulls = n - bitutil.CountSetBits(valid.Bytes(), 0, n)
	case a.NullN() > 0:
		valid = memory.NewResizableBuffer(e.mem)
		valid.Resize(nb)
		bitutil.CopyBitmap(a.NullBitmapBytes(), a.Data().Offset(), n, valid.Bytes(), 0)
		nulls = a.NullN()
	}
	if x.Not {
		for k := range out {
			out[k] = ^out[k]
		}
	}
	if r := n % 8; r != 0 {
		out[nb-1] &= 1<<r - 1
	}
	res := array.NewData(arrow.FixedWidthTypes.Boolean, n, []*memory.Buffer{valid, vals}, nil, nulls, 0)
	vals.Release()
	if valid != nil {
		valid.Release()
	}
	return value{d: &compute.ArrayDatum{Value: res}, t: Type{Kind: BoolKind}}
}

// word is a string of at most 8 bytes as a little-endian word, and its
// length.
type word struct {
	w uint64
	n int32
}

// lowBytes[k] keeps the low k bytes of a word.
var lowBytes = [9]uint64{0, 0xff, 0xffff, 0xffffff, 0xffffffff, 0xffffffffff, 0xffffffffffff, 0xffffffffffffff, ^uint64(0)}

// wordsOf returns the strings as words; short is false when one is longer
// than 8 bytes.
func wordsOf(lits []string) (words []word, short bool) {
	for _, l := range lits {
		if len(l) > 8 {
			return nil, false
		}
		var b [8]byte
		copy(b[:], l)
		words = append(words, word{binary.LittleEndian.Uint64(b[:]), int32(len(l))})
	}
	return words, true
}

func (e *evaluator) inSet(ctx context.Context, x *In, v value, ct Type) (value, error) {
	bt := Type{Kind: BoolKind}
	lhs, err := e.to(ctx, v, ct)
	if err != nil {
		return value{}, err
	}
	defer lhs.release()
	parts := make([]arrow.Array, 0, len(x.List))
	defer func() {
		for _, a := range parts {
			a.Release()
		}
	}()
	for _, y := range x.List {
		lv := literalValue(y.(*Literal), e.prog.types[y])
		cv, err := e.to(ctx, lv, ct)
		lv.release()
		if err != nil {
			return value{}, err
		}
		a, err := scalar.MakeArrayFromScalar(cv.d.(*compute.ScalarDatum).Value, 1, e.mem)
		cv.release()
		if err != nil {
			return value{}, err
		}
		parts = append(parts, a)
	}
	set, err := array.Concatenate(parts, e.mem)
	if err != nil {
		return value{}, err
	}
	defer set.Release()
	if ct.Kind == TimestampKind {
		// Instants compare; the zone is metadata.
		l2 := e.asInt64(lhs)
		defer l2.release()
		sd := value{d: compute.NewDatum(set), t: ct}
		defer sd.release()
		s2 := e.asInt64(sd)
		defer s2.release()
		return e.call(ctx, x, bt, "is_in", &compute.SetOptions{ValueSet: s2.d, NullBehavior: compute.NullMatchingInconclusive}, l2.d)
	}
	sd := compute.NewDatum(set)
	defer sd.Release()
	return e.call(ctx, x, bt, "is_in", &compute.SetOptions{ValueSet: sd, NullBehavior: compute.NullMatchingInconclusive}, lhs.d)
}

func (e *evaluator) inChain(ctx context.Context, x *In, v value) (value, error) {
	bt := Type{Kind: BoolKind}
	var acc value
	for i, y := range x.List {
		w, err := e.eval(ctx, y)
		if err != nil {
			acc.release()
			return value{}, err
		}
		eq, err := e.compare(ctx, x, OpEq, v, w)
		w.release()
		if err != nil {
			acc.release()
			return value{}, err
		}
		if i == 0 {
			acc = eq
			continue
		}
		l, _ := e.to(ctx, acc, bt)
		r, _ := e.to(ctx, eq, bt)
		acc.release()
		eq.release()
		acc, err = e.call(ctx, x, bt, "or_kleene", nil, l.d, r.d)
		l.release()
		r.release()
		if err != nil {
			return value{}, err
		}
	}
	return acc, nil
}

// between is X >= Lo AND X <= Hi with Kleene AND, negated for NOT.
func (e *evaluator) between(ctx context.Context, x *Between) (value, error) {
	bt := Type{Kind: BoolKind}
	vals := make([]value, 3)
	defer func() {
		for _, v := range vals {
			v.release()
		}
	}()
	for i, y := range []Expr{x.X, x.Lo, x.Hi} {
		v, err := e.eval(ctx, y)
		if err != nil {
			return value{}, err
		}
		vals[i] = v
	}
	ge, err := e.compare(ctx, x, OpGe, vals[0], vals[1])
	if err != nil {
		return value{}, err
	}
	defer ge.release()
	le, err := e.compare(ctx, x, OpLe, vals[0], vals[2])
	if err != nil {
		return value{}, err
	}
	defer le.release()
	l, _ := e.to(ctx, ge, bt)
	defer l.release()
	r, _ := e.to(ctx, le, bt)
	defer r.release()
	res, err := e.call(ctx, x, bt, "and_kleene", nil, l.d, r.d)
	if err != nil || !x.Not {
		return res, err
	}
	defer res.release()
	return e.call(ctx, x, bt, "not", nil, res.d)
}

// strings materialises a VARCHAR value as an array.
func (e *evaluator) strings(v value) (*array.String, error) {
	a, err := e.array(v, Type{Kind: StringKind})
	if err != nil {
		return nil, err
	}
	return a.(*array.String), nil
}

func (e *evaluator) like(ctx context.Context, x *Like) (value, error) {
	bt := Type{Kind: BoolKind}
	v, err := e.eval(ctx, x.X)
	if err != nil {
		return value{}, err
	}
	defer v.release()
	if v.d == nil {
		return value{t: bt}, nil
	}
	a, err := e.strings(v)
	if err != nil {
		return value{}, err
	}
	defer a.Release()
	pat := compileLike(x.Pattern, x.Escape)
	bld := array.NewBooleanBuilder(e.mem)
	defer bld.Release()
	bld.Reserve(e.n)
	for i := 0; i < e.n; i++ {
		if a.IsNull(i) {
			bld.AppendNull()
		} else {
			bld.UnsafeAppend(pat.match(a.Value(i)) != x.Not)
		}
	}
	out := bld.NewArray()
	defer out.Release()
	return value{d: compute.NewDatum(out), t: bt}, nil
}

type likeKind uint8

const (
	likeRune likeKind = iota // one given character
	likeOne                  // _: any one character
	likeAny                  // %: any sequence, possibly empty
)

type likeTok struct {
	kind likeKind
	r    rune
}

type likePattern []likeTok

// compileLike reads a LIKE pattern: % any sequence, _ any one character
// (a Unicode code point), the escape character making the next one
// literal. Matching is case-sensitive.
func compileLike(pattern, escape string) likePattern {
	esc := rune(-1)
	if escape != "" {
		esc, _ = utf8.DecodeRuneInString(escape)
	}
	var p likePattern
	rs := []rune(pattern)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; {
		case r == esc && i+1 < len(rs):
			i++
			p = append(p, likeTok{likeRune, rs[i]})
		case r == '%':
			if len(p) == 0 || p[len(p)-1].kind != likeAny {
				p = append(p, likeTok{kind: likeAny})
			}
		case r == '_':
			p = append(p, likeTok{kind: likeOne})
		default:
			p = append(p, likeTok{likeRune, r})
		}
	}
	return p
}

// match is the classic wildcard match with one backtracking point: on a
// mismatch, the last % absorbs one more character.
func (p likePattern) match(s string) bool {
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		r, size := utf8.DecodeRuneInString(s[si:])
		switch {
		case pi < len(p) && p[pi].kind == likeAny:
			starP, starS = pi, si
			pi++
			continue
		case pi < len(p) && (p[pi].kind == likeOne || p[pi].r == r):
			pi++
			si += size
			continue
		case starP >= 0:
			_, size = utf8.DecodeRuneInString(s[starS:])
			starS += size
			pi, si = starP+1, starS
			continue
		}
		return false
	}
	for pi < len(p) && p[pi].kind == likeAny {
		pi++
	}
	return pi == len(p)
}

var zones sync.Map // zone name → *time.Location

// location resolves an Arrow time-zone string: "" and "UTC" are UTC, a
// fixed offset ("+02:00", "-0530") a fixed zone, anything else an IANA name
// from the embedded database.
func location(zone string) (*time.Location, error) {
	if zone == "" || zone == "UTC" || zone == "Z" {
		return time.UTC, nil
	}
	if l, ok := zones.Load(zone); ok {
		return l.(*time.Location), nil
	}
	var loc *time.Location
	if zone[0] == '+' || zone[0] == '-' {
		for _, layout := range []string{"-07:00", "-0700", "-07"} {
			if t, err := time.Parse(layout, zone); err == nil {
				_, off := t.Zone()
				loc = time.FixedZone(zone, off)
				break
			}
		}
		if loc == nil {
			return nil, fmt.Errorf("expr: time zone %q is not an offset ±HH:MM", zone)
		}
	} else {
		l, err := time.LoadLocation(zone)
		if err != nil {
			return nil, fmt.Errorf("expr: time zone %q: %w", zone, err)
		}
		loc = l
	}
	zones.Store(zone, loc)
	return loc, nil
}

const microsPerDay = 86400 * 1e6

func (e *evaluator) mapDateToTimestamp(v value, t Type) (value, error) {
	a, err := e.array(v, Type{Kind: DateKind})
	if err != nil {
		return value{}, err
	}
	defer a.Release()
	d := a.(*array.Date32)
	bld := array.NewTimestampBuilder(e.mem, t.Arrow().(*arrow.TimestampType))
	defer bld.Release()
	bld.Reserve(e.n)
	for i, day := range d.Date32Values() {
		if d.IsNull(i) {
			bld.AppendNull()
		} else {
			bld.UnsafeAppend(arrow.Timestamp(int64(day) * microsPerDay))
		}
	}
	out := bld.NewArray()
	defer out.Release()
	return value{d: compute.NewDatum(out), t: t}, nil
}

func (e *evaluator) dateDiff(x *Binary, a, b value) (value, error) {
	la, err := e.array(a, a.t)
	if err != nil {
		return value{}, err
	}
	defer la.Release()
	ra, err := e.array(b, b.t)
	if err != nil {
		return value{}, err
	}
	defer ra.Release()
	l, r := la.(*array.Date32), ra.(*array.Date32)
	bld := array.NewInt64Builder(e.mem)
	defer bld.Release()
	bld.Reserve(e.n)
	for i := 0; i < e.n; i++ {
		if l.IsNull(i) || r.IsNull(i) {
			bld.AppendNull()
		} else {
			bld.UnsafeAppend(int64(l.Value(i)) - int64(r.Value(i)))
		}
	}
	out := bld.NewArray()
	defer out.Release()
	return value{d: compute.NewDatum(out), t: Type{Kind: IntKind}}, nil
}

func (e *evaluator) dateAddDays(x *Binary, date, days value, sub bool) (value, error) {
	da, err := e.array(date, date.t)
	if err != nil {
		return value{}, err
	}
	defer da.Release()
	na, err := e.array(days, days.t)
	if err != nil {
		return value{}, err
	}
	defer na.Release()
	d, n := da.(*array.Date32), na.(*array.Int64)
	bld := array.NewDate32Builder(e.mem)
	defer bld.Release()
	bld.Reserve(e.n)
	for i := 0; i < e.n; i++ {
		if d.IsNull(i) || n.IsNull(i) {
			bld.AppendNull()
			continue
		}
		k := n.Value(i)
		if sub {
			k = -k
		}
		r := int64(d.Value(i)) + k
		if k != int64(int32(k)) || r != int64(int32(r)) {
			return value{}, e.fail(x, ErrOverflow)
		}
		bld.UnsafeAppend(arrow.Date32(r))
	}
	out := bld.NewArray()
	defer out.Release()
	return value{d: compute.NewDatum(out), t: Type{Kind: DateKind}}, nil
}

// addInterval adds (or subtracts) an interval to timestamps or dates. On a
// timestamp with a zone, months and days move the local calendar date and
// keep the local wall-clock time (so '1 day' across a DST change is 23 or
// 25 hours), then the sub-day part is added as elapsed time; a month
// addition that lands past the month's end is clamped to its last day (Jan
// 31 + 1 month = Feb 28/29). Dates and timestamps without zone use UTC's
// calendar, which has no DST.
func (e *evaluator) addInterval(ctx context.Context, x *Binary, t Type, tv, iv value, sub bool) (value, error) {
	if tv.d == nil || iv.d == nil {
		return value{t: t}, nil
	}
	if tv.t.Kind == DateKind {
		ts, err := e.mapDateToTimestamp(tv, t)
		if err != nil {
			return value{}, err
		}
		defer ts.release()
		tv = ts
	}
	s := iv.d.(*compute.ScalarDatum).Value.(*scalar.MonthDayNanoInterval)
	in := Interval{Months: s.Value.Months, Days: s.Value.Days, Micros: s.Value.Nanoseconds / 1000}
	if sub {
		in = Interval{Months: -in.Months, Days: -in.Days, Micros: -in.Micros}
	}
	loc, err := location(t.Zone)
	if err != nil {
		return value{}, err
	}
	a, err := e.array(tv, tv.t)
	if err != nil {
		return value{}, err
	}
	defer a.Release()
	ts := a.(*array.Timestamp)
	bld := array.NewTimestampBuilder(e.mem, t.Arrow().(*arrow.TimestampType))
	defer bld.Release()
	bld.Reserve(e.n)
	for i, us := range ts.TimestampValues() {
		if ts.IsNull(i) {
			bld.AppendNull()
			continue
		}
		r, ok := AddInterval(int64(us), in, loc)
		if !ok {
			return value{}, e.fail(x, ErrOverflow)
		}
		bld.UnsafeAppend(arrow.Timestamp(r))
	}
	out := bld.NewArray()
	defer out.Release()
	return value{d: compute.NewDatum(out), t: t}, nil
}

// AddInterval adds iv to the instant us (microseconds since the epoch) in
// the calendar of loc, as the evaluator does for TIMESTAMP + INTERVAL:
// months first (clamped to the month's last day), then days, both keeping
// the local wall-clock time, then Micros as elapsed time. In a DST gap
// the wall-clock time is normalised as time.Date does. ok is false when
// the result leaves the range of int64 microseconds.
func AddInterval(us int64, iv Interval, loc *time.Location) (int64, bool) {
	t := time.UnixMicro(us).In(loc)
	if iv.Months != 0 || iv.Days != 0 {
		y, m, d := t.Date()
		hh, mm, ss := t.Clock()
		months := int64(y)*12 + int64(m) - 1 + int64(iv.Months)
		ny, nm := months/12, months%12
		if nm < 0 {
			ny, nm = ny-1, nm+12
		}
		if ny < -290000 || ny > 290000 {
			return 0, false
		}
		last := time.Date(int(ny), time.Month(nm+2), 0, 0, 0, 0, 0, time.UTC).Day()
		t = time.Date(int(ny), time.Month(nm+1), min(d, last)+int(iv.Days), hh, mm, ss, t.Nanosecond(), loc)
	}
	r := t.UnixMicro() + iv.Micros
	if y := t.Year(); y < -290000 || y > 290000 || (iv.Micros > 0 && r < t.UnixMicro()) || (iv.Micros < 0 && r > t.UnixMicro()) {
		return 0, false
	}
	return r, true
}
