package expect

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"

	"github.com/trustml/trustml/expr"
	"github.com/trustml/trustml/internal/accum"
	"github.com/trustml/trustml/result"
)

// state holds one worker's accumulators, one colState per planned column,
// and scratch space reused from batch to batch.
type state struct {
	cols    []*colState
	rows    []rowsAcc // parallel to plan.rows; nil for checks that read no rows
	keyCols []keyCol  // a batch's columns of a rows check
	floats  []float64 // a batch's non-missing values as float64
	keys    []uint64  // a batch's frequency keys
	present []byte    // a batch's bitmap of non-missing values (nulls and NaN)
	idx     []int32   // a batch's dictionary indices

	// Filters and rules (filter.go): each predicate's and filter's
	// selection of the batch's rows, the rows each filter kept so far, a
	// validity bitmap per colPlan, the rules' counts and their scratch.
	predSel, sel, selBuf [][]byte
	selN                 []int
	kept                 []int64
	masks                [][]byte
	rules                []ruleState
	ruleKept, ruleEval   []byte
	ruleFail             []byte
	// exprMem holds the buffers of the filters' and rules' evaluations,
	// reused from batch to batch.
	exprMem expr.Recycler
	// fails collects the batch's failing rows for the failed-rows
	// output; nil without one.
	fails *batchFails
}

// colState is one worker's state of a column: the shared accumulators
// (counts, where nulls include NaN in float columns; extremes; moments;
// lengths; the profile's distribution when the column is profiled) and
// what only checks read.
type colState struct {
	*accum.Column
	values chunks[float64] // median and quantiles (-0 kept as +0)
	freq   freqTable
	row    []rowState // parallel to colPlan.rowCheck
	// bins holds, per colPlan.binned check, the count of values below the
	// first edge, in each bin, and above the last edge.
	bins [][]int64
	// nullSample and valueSample are the first missing and non-missing
	// values, for the missing check.
	nullSample, valueSample []result.Failure
	custom                  []customAcc // parallel to colPlan.custom
}

type rowState struct {
	unexpected int64
	sample     []result.Failure
	// out, when set, collects the rows that fail the check, as check id
	// (the failed-rows output; see kindDef.failedRows).
	out *batchFails
	id  int
}

// failed records row i of the batch as failing the check in the
// failed-rows output, when there is one.
func (rs *rowState) failed(i int) {
	if rs.out != nil {
		rs.out.add(i, rs.id)
	}
}

// keep reports whether the sample has room for another failure. Rows
// arrive in increasing order within a worker, so the first failures seen
// are the ones with the smallest row numbers.
func (rs *rowState) keep(limit int) bool { return limit < 0 || len(rs.sample) < limit }

func newState(p *plan) *state {
	s := &state{cols: make([]*colState, len(p.cols))}
	for i, cp := range p.cols {
		cs := &colState{Column: accum.NewColumn(cp.name), row: make([]rowState, len(cp.rowCheck))}
		if cp.profiled >= 0 {
			cs.Column = p.profile.Accumulators(cp.profiled)
		}
		if cp.freq {
			cs.freq = newFreq(cp, p.sample)
		}
		for _, c := range cp.binned {
			cs.bins = append(cs.bins, make([]int64, len(c.Partition.Bins)+1))
		}
		for _, cc := range cp.custom {
			cs.custom = append(cs.custom, cc.newAcc())
		}
		s.cols[i] = cs
	}
	s.rows = make([]rowsAcc, len(p.rows))
	for i, rp := range p.rows {
		if rp.def.newRows != nil {
			s.rows[i] = rp.def.newRows()
		}
	}
	s.predSel = make([][]byte, len(p.preds))
	s.sel = make([][]byte, len(p.filters))
	s.selBuf = make([][]byte, len(p.filters))
	s.selN = make([]int, len(p.filters))
	s.kept = make([]int64, len(p.filters))
	s.masks = make([][]byte, len(p.cols))
	s.rules = make([]ruleState, len(p.rules))
	if p.out != nil {
		s.fails = &batchFails{}
		for i, cp := range p.cols {
			for k, rc := range cp.rowCheck {
				if id, ok := p.out.ids[rc.check]; ok {
					s.cols[i].row[k].out, s.cols[i].row[k].id = s.fails, id
				}
			}
		}
		// references knows its orphans row by row, as the pass goes.
		for i, rp := range p.rows {
			if rc, ok := s.rows[i].(*recordCheck); ok {
				if id, ok := p.out.ids[rp.check]; ok {
					rc.out, rc.id = s.fails, id
				}
			}
		}
	}
	return s
}

func (s *state) update(p *plan, j job) error {
	if len(p.preds) > 0 {
		if err := s.selectRows(p, j); err != nil {
			return err
		}
	}
	for i, cp := range p.cols {
		arr := j.batch.Column(cp.idx)
		if !arrow.TypeEqual(arr.DataType(), cp.dt) {
			return fmt.Errorf("expect: column %q changed type from %s to %s in batch %d", cp.name, cp.dt, arr.DataType(), j.index)
		}
		if cp.filter < 0 {
			s.updateColumn(p, cp, s.cols[i], arr, j)
			for _, acc := range s.cols[i].custom {
				if err := acc.add(j); err != nil {
					return fmt.Errorf("expect: column %q: %w", cp.name, err)
				}
			}
			continue
		}
		// The rows the filter drops become nulls, then leave the counts.
		fj := j
		fj.sel = s.sel[cp.filter]
		if arr.DataType().ID() == arrow.NULL {
			s.updateColumn(p, cp, s.cols[i], arr, fj)
		} else {
			m := masked(arr, fj.sel, &s.masks[i])
			s.updateColumn(p, cp, s.cols[i], m, fj)
			m.Release()
		}
		dropped := int64(arr.Len() - s.selN[cp.filter])
		s.cols[i].Rows -= dropped
		s.cols[i].Nulls -= dropped
		if len(s.cols[i].custom) > 0 {
			// Checks with accumulators of their own read other columns of
			// the row too: every column of the rows the filter drops is
			// null to them, and nulls are left out of their counts.
			mj := fj
			mj.batch = maskedBatch(j.batch, fj.sel)
			for _, acc := range s.cols[i].custom {
				if err := acc.add(mj); err != nil {
					mj.batch.Release()
					return fmt.Errorf("expect: column %q: %w", cp.name, err)
				}
			}
			mj.batch.Release()
		}
	}
	for i, rp := range p.rows {
		if acc := s.rows[i]; acc != nil {
			var sel []byte
			if p.tableFilter >= 0 {
				sel = s.sel[p.tableFilter]
			}
			s.keyCols = rp.cols(j.batch, s.keyCols)
			acc.update(rp, s.keyCols, int(j.batch.NumRows()), j.offset, p.sample, sel)
		}
	}
	if len(p.rules) > 0 {
		if err := s.updateRules(p, j); err != nil {
			return err
		}
	}
	return nil
}

// flush ends the worker's pass: numeric frequency tables sort their keys
// now, while the other workers may still be evaluating batches.
func (s *state) flush() {
	for _, cs := range s.cols {
		if f, ok := cs.freq.(*numFreq); ok {
			f.flush()
		}
	}
}

func (s *state) updateColumn(p *plan, cp *colPlan, cs *colState, arr arrow.Array, j job) {
	switch a := arr.(type) {
	case *array.Int8:
		updateInts(s, p, cp, cs, a, a.Int8Values(), j)
	case *array.Int16:
		updateInts(s, p, cp, cs, a, a.Int16Values(), j)
	case *array.Int32:
		updateInts(s, p, cp, cs, a, a.Int32Values(), j)
	case *array.Int64:
		updateInts(s, p, cp, cs, a, a.Int64Values(), j)
	case *array.Uint8:
		updateInts(s, p, cp, cs, a, a.Uint8Values(), j)
	case *array.Uint16:
		updateInts(s, p, cp, cs, a, a.Uint16Values(), j)
	case *array.Uint32:
		updateInts(s, p, cp, cs, a, a.Uint32Values(), j)
	case *array.Uint64:
		updateInts(s, p, cp, cs, a, a.Uint64Values(), j)
	case *array.Float32:
		updateFloats(s, p, cp, cs, a, a.Float32Values(), j)
	case *array.Float64:
		updateFloats(s, p, cp, cs, a, a.Float64Values(), j)
	case *array.Float16:
		vals := make([]float32, a.Len())
		for i, v := range a.Values() {
			vals[i] = v.Float32()
		}
		updateFloats(s, p, cp, cs, a, vals, j)
	case *array.Date32:
		updateInts(s, p, cp, cs, a, a.Date32Values(), j)
	case *array.Date64:
		updateInts(s, p, cp, cs, a, a.Date64Values(), j)
	case *array.Timestamp:
		updateInts(s, p, cp, cs, a, a.TimestampValues(), j)
	case *array.Time32:
		updateInts(s, p, cp, cs, a, a.Time32Values(), j)
	case *array.Time64:
		updateInts(s, p, cp, cs, a, a.Time64Values(), j)
	case *array.Duration:
		updateInts(s, p, cp, cs, a, a.DurationValues(), j)
	case *array.String:
		updateStrings(s, p, cp, cs, a, utf8Col{a}, j)
	case *array.LargeString:
		updateStrings(s, p, cp, cs, a, largeUTF8Col{a}, j)
	case *array.StringView:
		updateStrings(s, p, cp, cs, a, viewCol{a}, j)
	case *array.Dictionary:
		s.updateDict(p, cp, cs, a, j)
	case *array.Boolean:
		updateBools(s, p, cp, cs, a, j)
	default:
		cs.AddCounts(arr.Len(), arr.NullN())
		has := presenceOf(arr).hasFunc()
		if arr.DataType().ID() == arrow.NULL {
			has = func(int) bool { return false }
		}
		cs.sampleRows(p, cp, arr.Len(), has, func(i int) any { return arr.ValueStr(i) }, j)
	}
}

func presenceOf(a arrow.Array) presence {
	pr := presence{n: a.Len()}
	if a.NullN() > 0 {
		pr.bm, pr.off = a.NullBitmapBytes(), a.Data().Offset()
	}
	return pr
}

// hasFunc returns pr.has, or nil when every row has a value.
func (p presence) hasFunc() func(int) bool {
	if p.bm == nil {
		return nil
	}
	return p.has
}

// sampleRows keeps the first missing rows and the first non-missing values
// when a missing check shows them. has is nil when no value is missing.
func (cs *colState) sampleRows(p *plan, cp *colPlan, n int, has func(int) bool, value func(int) any, j job) {
	full := func(s []result.Failure) bool { return p.sample >= 0 && len(s) >= p.sample }
	if cp.nullRows && has != nil {
		for i := 0; i < n && !full(cs.nullSample); i++ {
			if !has(i) && j.selected(i) {
				cs.nullSample = append(cs.nullSample, result.Failure{Row: j.offset + int64(i), Value: nil})
			}
		}
	}
	if cp.valueRows {
		for i := 0; i < n && !full(cs.valueSample); i++ {
			if has == nil || has(i) {
				cs.valueSample = append(cs.valueSample, result.Failure{Row: j.offset + int64(i), Value: value(i)})
			}
		}
	}
}

// bin counts v in the counts of a partition's edges: counts[0] holds the
// values below the first edge, counts[i+1] bin i, and the last count the
// values above the last edge. The last bin includes its upper edge.
func bin(edges []float64, counts []int64, v float64) {
	k := len(edges) - 1
	switch {
	case v < edges[0]:
		counts[0]++
	case v > edges[k]:
		counts[k+1]++
	case v == edges[k]:
		counts[k]++
	default:
		i := sort.SearchFloat64s(edges, v) // edges[i] ≥ v
		if edges[i] != v {
			i--
		}
		counts[i+1]++
	}
}

type integer interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

type number interface {
	integer | ~float32 | ~float64
}

// gather is accum.Gather over a presence.
func gather[T number](scratch *[]float64, vals []T, pr presence) (xs []float64, nan int, lo, hi float64) {
	return accum.Gather(scratch, vals, pr.bm, pr.off)
}

// appendIntKeys appends the frequency keys of the rows that have a value.
func appendIntKeys[T integer](dst []uint64, vals []T, pr presence) []uint64 {
	if pr.bm == nil {
		for _, v := range vals {
			dst = append(dst, intKey(int64(v)))
		}
		return dst
	}
	for i, v := range vals {
		if bitutil.BitIsSet(pr.bm, pr.off+i) {
			dst = append(dst, intKey(int64(v)))
		}
	}
	return dst
}

// appendFloatKeys appends the frequency keys of the non-missing values
// (xs, from gather); -0 and +0 are one value.
func appendFloatKeys(dst []uint64, xs []float64) []uint64 {
	for _, x := range xs {
		dst = append(dst, floatKey(x+0))
	}
	return dst
}

func updateInts[T integer](s *state, p *plan, cp *colPlan, cs *colState, a arrow.Array, vals []T, j job) {
	pr := presenceOf(a)
	nn := len(vals) - a.NullN()
	cs.AddCounts(len(vals), a.NullN())
	if cp.moments || cp.minmax || cp.values || len(cp.binned) > 0 || cp.numbers {
		var xs []float64
		var lo, hi float64
		if cp.moments || cp.values || len(cp.binned) > 0 || cp.numbers || pr.bm != nil {
			xs, _, lo, hi = gather(&s.floats, vals, pr)
		} else {
			// Without nulls the extremes need no float conversion.
			lo, hi = intMinMax(vals)
		}
		cs.stats(cp, xs, j.index, lo, hi)
	}
	if cp.nullRows || cp.valueRows {
		cs.sampleRows(p, cp, len(vals), pr.hasFunc(), func(i int) any { return cp.display(int64(vals[i])) }, j)
	}
	if cp.freq {
		f := cs.freq.(*numFreq)
		if f.collecting() {
			// An identifier in row order is kept as a range of keys.
			if r, ok := runOf(vals); ok && pr.bm == nil {
				f.addRun(r, j.offset)
			} else {
				c := &f.part().coll
				dst := appendIntKeys(c.reserve(nn), vals, pr)
				c.commit(len(dst))
				f.segment(dst, pr, j.offset, 0)
			}
		} else {
			s.keys = appendIntKeys(s.keys[:0], vals, pr)
			f.addBatch(s.keys, pr, j.offset, true)
		}
	}
	for k, rc := range cp.rowCheck {
		show := func(i int) any { return cp.display(int64(vals[i])) }
		if !intCheck(rc, &cs.row[k], p.sample, vals, pr, j.offset, show) {
			numCheck(rc, &cs.row[k], p.sample, vals, pr, j.offset, show)
		}
	}
}

func updateFloats[T float32 | float64](s *state, p *plan, cp *colPlan, cs *colState, a arrow.Array, vals []T, j job) {
	pr := presenceOf(a)
	// NaN counts as missing.
	var xs []float64
	nan := 0
	lo, hi := math.Inf(1), math.Inf(-1)
	stats := cp.moments || cp.minmax || cp.values || len(cp.binned) > 0 || cp.numbers
	if stats || cp.freq {
		xs, nan, lo, hi = gather(&s.floats, vals, pr)
	} else {
		for i, v := range vals {
			if v != v && pr.has(i) {
				nan++
			}
		}
	}
	if nan > 0 && (cp.nullRows || cp.valueRows || cp.freq || len(cp.rowCheck) > 0) {
		// The checks that see rows read a bitmap of the rows with a value.
		s.present = s.present[:0]
		s.present = append(s.present, make([]byte, bitutil.BytesForBits(int64(len(vals))))...)
		for i, v := range vals {
			if v == v && pr.has(i) {
				bitutil.SetBit(s.present, i)
			}
		}
		pr = presence{bm: s.present, n: len(vals)}
	}
	cs.AddCounts(len(vals), a.NullN()+nan)
	if stats {
		cs.stats(cp, xs, j.index, lo, hi)
	}
	if cp.nullRows || cp.valueRows {
		cs.sampleRows(p, cp, len(vals), pr.hasFunc(), func(i int) any { return float64(vals[i]) }, j)
	}
	if cp.freq {
		f := cs.freq.(*numFreq)
		if f.collecting() {
			c := &f.part().coll
			dst := appendFloatKeys(c.reserve(len(xs)), xs)
			c.commit(len(dst))
			f.segment(dst, pr, j.offset, 0)
		} else {
			s.keys = appendFloatKeys(s.keys[:0], xs)
			f.addBatch(s.keys, pr, j.offset, false)
		}
	}
	for k, rc := range cp.rowCheck {
		numCheck(rc, &cs.row[k], p.sample, vals, pr, j.offset, func(i int) any { return float64(vals[i]) })
	}
}

// intMinMax returns the smallest and largest of integers, which need no
// float conversion.
func intMinMax[T integer](vals []T) (lo, hi float64) {
	if len(vals) == 0 {
		return math.Inf(1), math.Inf(-1)
	}
	mn, mx := vals[0], vals[0]
	for _, v := range vals {
		mn = min(mn, v)
		mx = max(mx, v)
	}
	return float64(mn), float64(mx)
}

// stats folds a batch's smallest and largest values lo and hi into the
// column's, and accumulates the batch's moments, the values kept for
// quantiles, the partition bins and the profile's distribution over its
// non-missing values xs (nil when no check needs them).
func (cs *colState) stats(cp *colPlan, xs []float64, batch int, lo, hi float64) {
	cs.AddExtremes(lo, hi)
	if cp.moments {
		cs.AddMoments(xs, batch, lo, hi)
	}
	if cp.numbers {
		cs.AddNumbers(xs)
	}
	if len(xs) == 0 {
		return
	}
	if cp.values {
		dst := cs.values.reserve(len(xs))
		for _, v := range xs {
			dst = append(dst, v+0) // -0 is +0
		}
		cs.values.commit(len(dst))
	}
	for b, c := range cp.binned {
		edges, counts := c.Partition.Bins, cs.bins[b]
		for _, v := range xs {
			bin(edges, counts, v)
		}
	}
}

// numCheck evaluates a row-wise check on a batch of numbers; show returns
// the value of row i as results show it. The loops count failures in a
// local and leave the sample to a call made only while it has room.
func numCheck[T number](rc *rowCheck, rs *rowState, limit int, vals []T, pr presence, row0 int64, show func(int) any) {
	var bad int64
	fail := func(i int) {
		bad++
		if rs.keep(limit) {
			rs.sample = append(rs.sample, result.Failure{Row: row0 + int64(i), Value: show(i)})
		}
		rs.failed(i)
	}
	switch set := rc.numSet; {
	case rc.failAll:
		for i := range vals {
			if pr.has(i) {
				fail(i)
			}
		}
	case set != nil && set.bits != nil:
		lo, span, words := set.lo, set.span, set.bits
		for i, v := range vals {
			if !pr.has(i) {
				continue
			}
			x, in := float64(v)-lo, false
			if x >= 0 && x < span {
				k := int(x)
				in = float64(k) == x && words[k>>6]&(1<<(k&63)) != 0
			}
			if in == rc.negate {
				fail(i)
			}
		}
	case set != nil:
		for i, v := range vals {
			if pr.has(i) && set.has(float64(v)) == rc.negate {
				fail(i)
			}
		}
	default:
		lo, hi := math.Inf(-1), math.Inf(1)
		if rc.hasLo {
			lo = rc.lo
		}
		if rc.hasHi {
			hi = rc.hi
		}
		sLo, sHi := rc.hasLo && rc.strictLo, rc.hasHi && rc.strictHi
		if pr.bm == nil {
			for i, v := range vals {
				if x := float64(v); x < lo || x > hi || (sLo && x == lo) || (sHi && x == hi) {
					fail(i)
				}
			}
			break
		}
		for i, v := range vals {
			if !bitutil.BitIsSet(pr.bm, pr.off+i) {
				continue
			}
			if x := float64(v); x < lo || x > hi || (sLo && x == lo) || (sHi && x == hi) {
				fail(i)
			}
		}
	}
	rs.unexpected += bad
}

// intCheck evaluates a range or a set on integers exactly, in the
// column's own signedness; it reports false when the check is neither.
func intCheck[T integer](rc *rowCheck, rs *rowState, limit int, vals []T, pr presence, row0 int64, show func(int) any) bool {
	set := rc.numSet
	if rc.ints == nil && (set == nil || !set.exact) {
		return false
	}
	var bad int64
	fail := func(i int) {
		bad++
		if rs.keep(limit) {
			rs.sample = append(rs.sample, result.Failure{Row: row0 + int64(i), Value: show(i)})
		}
		rs.failed(i)
	}
	sgn := signed[T]()
	switch {
	case set != nil && sgn:
		for i, v := range vals {
			if pr.has(i) {
				if _, in := set.ints[int64(v)]; in == rc.negate {
					fail(i)
				}
			}
		}
	case set != nil:
		for i, v := range vals {
			if pr.has(i) {
				if _, in := set.uints[uint64(v)]; in == rc.negate {
					fail(i)
				}
			}
		}
	case sgn:
		lo, hi, none := rc.ints.lo, rc.ints.hi, rc.ints.none
		for i, v := range vals {
			if x := int64(v); (none || x < lo || x > hi) && pr.has(i) {
				fail(i)
			}
		}
	default:
		lo, hi, none := rc.ints.ulo, rc.ints.uhi, rc.ints.unone
		for i, v := range vals {
			if x := uint64(v); (none || x < lo || x > hi) && pr.has(i) {
				fail(i)
			}
		}
	}
	rs.unexpected += bad
	return true
}

// numberSet is the set of an in_set or not_in_set check on a numeric
// column: a bitmap when its values are integers in a narrow range (the
// codes of a label), a list for a few values, a map for many. On integer
// columns, beyond the bitmap, it holds its members as integers (ints,
// uints) and compares exactly.
type numberSet struct {
	lo    float64  // the bitmap's first value
	span  float64  // the bitmap's number of bits
	bits  []uint64 // bit i: lo+i is in the set
	list  []float64
	m     map[float64]struct{}
	exact bool // an integer column: ints and uints hold the members
	ints  map[int64]struct{}
	uints map[uint64]struct{}
}

const smallSet = 16

// bitmapLimit bounds the values of a bitmap set: a value of an integer
// column beyond ±2^53 (which float64 rounds) then lands outside it.
const bitmapLimit = 1 << 52

func newNumberSet(set []Value, integer bool) *numberSet {
	var vals []float64
	for _, v := range set {
		if integer || floatMember(v) {
			vals = append(vals, v.Num)
		}
	}
	if len(vals) > 0 {
		lo, hi := slices.Min(vals), slices.Max(vals)
		ints := !slices.ContainsFunc(vals, func(v float64) bool { return v != math.Trunc(v) })
		if ints && hi-lo < 1<<16 && lo > -bitmapLimit && hi < bitmapLimit {
			s := &numberSet{lo: lo, bits: make([]uint64, int(hi-lo)/64+1)}
			s.span = float64(64 * len(s.bits))
			for _, v := range vals {
				i := int(v - lo)
				s.bits[i/64] |= 1 << (i % 64)
			}
			return s
		}
	}
	if integer {
		s := &numberSet{exact: true}
		s.ints, s.uints = intMembers(set)
		return s
	}
	if len(vals) <= smallSet {
		return &numberSet{list: vals}
	}
	s := &numberSet{m: make(map[float64]struct{}, len(vals))}
	for _, v := range vals {
		s.m[v] = struct{}{}
	}
	return s
}

func (s *numberSet) has(v float64) bool {
	switch {
	case s.bits != nil:
		// d < span is false for NaN.
		if d := v - s.lo; d >= 0 && d < s.span {
			i := int(d)
			return float64(i) == d && s.bits[i>>6]&(1<<(i&63)) != 0
		}
		return false
	case s.m != nil:
		_, ok := s.m[v]
		return ok
	}
	for _, x := range s.list {
		if x == v {
			return true
		}
	}
	return false
}

// stringSet is the set of an in_set or not_in_set check on a string
// column. A set of a few values is a 256-slot table indexed by a hash of
// the length and three bytes, about three times faster than a map lookup;
// its members of at most 8 bytes are also packed into integers, in a
// perfect hash table, for utf8 arrays, whose values load the same way.
type stringSet struct {
	slots *[256][]string
	short *packedSet
	m     map[string]struct{}
}

// packedSet holds strings of at most 8 bytes packed into integers, in a
// 256-slot table without collisions: slot (packed^len)·mul >> 56 holds
// value and length (len 255: empty). A lookup is one multiplication and
// two comparisons, with no branch on the data.
type packedSet struct {
	mul uint64
	val [256]uint64
	len [256]uint8
}

// newPackedSet returns the table of the members of vals of at most 8
// bytes, trying multipliers until none collide; nil when none works.
func newPackedSet(vals []string) *packedSet {
	for try := range uint64(1000) {
		t := &packedSet{mul: mixer + 2*try}
		for i := range t.len {
			t.len[i] = 255
		}
		ok := true
		for _, v := range vals {
			if len(v) > 8 {
				continue
			}
			k := packBytes(v)
			h := t.slot(k, len(v))
			if t.len[h] != 255 && (t.val[h] != k || int(t.len[h]) != len(v)) {
				ok = false
				break
			}
			t.val[h], t.len[h] = k, uint8(len(v))
		}
		if ok {
			return t
		}
	}
	return nil
}

func (t *packedSet) slot(k uint64, l int) uint8 { return uint8(((k ^ uint64(l)) * t.mul) >> 56) }

// has reports whether the packed value k of length l is in the set.
func (t *packedSet) has(k uint64, l int) bool {
	h := t.slot(k, l)
	return t.val[h] == k && int(t.len[h]) == l
}

func newStringSet(vals []string) *stringSet {
	if len(vals) <= 4*smallSet {
		t := new([256][]string)
		for _, v := range vals {
			h := strHash(v)
			t[h] = append(t[h], v)
		}
		return &stringSet{slots: t, short: newPackedSet(vals)}
	}
	s := &stringSet{m: make(map[string]struct{}, len(vals))}
	for _, v := range vals {
		s.m[v] = struct{}{}
	}
	return s
}

func strHash(s string) uint8 {
	if len(s) == 0 {
		return 0
	}
	return uint8(len(s)*37) ^ s[0]*5 ^ s[len(s)-1]*3 ^ s[len(s)/2]
}

func (s *stringSet) has(v string) bool {
	if s.m != nil {
		_, ok := s.m[v]
		return ok
	}
	for _, x := range s.slots[strHash(v)] {
		if x == v {
			return true
		}
	}
	return false
}

// packBytes packs up to 8 bytes into an integer, the first in the low
// byte (as a little-endian load would).
func packBytes[S string | []byte](b S) uint64 {
	var v uint64
	for i := len(b) - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

// lowBytes[l] keeps the low l bytes of an integer.
var lowBytes = [9]uint64{0, 0xff, 0xffff, 0xffffff, 0xffffffff, 0xffffffffff, 0xffffffffffff, 0xffffffffffffff, math.MaxUint64}

// setByOffsets evaluates a small in_set or not_in_set check on a utf8 or
// large_utf8 array from its offsets and bytes: a value of at most 8 bytes
// is loaded as one integer and compared with the set's packed members of
// its length, without building a string. value reads longer values.
func setByOffsets[O int32 | int64](rc *rowCheck, offs []O, data []byte, pr presence, value func(int) string, fail func(int)) {
	set, short := rc.strSet, rc.strSet.short
	base := offs[0]
	for i := 0; i+1 < len(offs); i++ {
		if !pr.has(i) {
			continue
		}
		o, e := int(offs[i]-base), int(offs[i+1]-base)
		var in bool
		if l := e - o; l <= 8 {
			var v uint64
			if o+8 <= len(data) {
				v = binary.LittleEndian.Uint64(data[o:]) & lowBytes[l]
			} else {
				v = packBytes(data[o:e])
			}
			in = short.has(v, l)
		} else {
			in = set.has(value(i))
		}
		if in == rc.negate {
			fail(i)
		}
	}
}

func (rc *rowCheck) passString(s string) bool {
	switch {
	case rc.failAll:
		return false
	case rc.strSet != nil:
		return rc.strSet.has(s) != rc.negate
	case rc.re != nil:
		return rc.re.MatchString(s)
	case rc.pred != nil:
		return rc.pred(s)
	default:
		n := utf8.RuneCountInString(s)
		return !(rc.hasMinLen && n < rc.minLen) && !(rc.hasMaxLen && n > rc.maxLen)
	}
}

// strCol reads the strings of a column; its implementations are structs,
// so that generic code calls them directly rather than through a closure.
type strCol interface{ at(i int) string }

type utf8Col struct{ a *array.String }
type largeUTF8Col struct{ a *array.LargeString }
type viewCol struct{ a *array.StringView }

// dictCol reads a dictionary's strings through its indices.
type dictCol[S strCol] struct {
	idx  []int32
	dict S
}

func (c utf8Col) at(i int) string      { return c.a.Value(i) }
func (c largeUTF8Col) at(i int) string { return c.a.Value(i) }
func (c viewCol) at(i int) string      { return c.a.Value(i) }
func (c dictCol[S]) at(i int) string   { return c.dict.at(int(c.idx[i])) }

func updateStrings[S strCol](s *state, p *plan, cp *colPlan, cs *colState, a arrow.Array, col S, j job) {
	pr := presenceOf(a)
	n := a.Len()
	cs.AddCounts(n, a.NullN())
	if cp.nullRows || cp.valueRows {
		cs.sampleRows(p, cp, n, pr.hasFunc(), func(i int) any { return strings.Clone(col.at(i)) }, j)
	}
	if cp.lengths {
		lo, hi := math.MaxInt, -1
		for i := range n {
			if pr.has(i) {
				l := utf8.RuneCountInString(col.at(i))
				lo, hi = min(lo, l), max(hi, l)
			}
		}
		cs.AddLengths(lo, hi)
	}
	if cp.strs {
		for i := range n {
			if pr.has(i) {
				cs.AddString(col.at(i), 1)
			}
		}
		cs.Mark(accum.Distribution)
	}
	if cp.freq {
		f := cs.freq.(*freq[string])
		for i := range n {
			if pr.has(i) {
				f.add(col.at(i), j.offset+int64(i))
			}
		}
	}
	for k, rc := range cp.rowCheck {
		rs := &cs.row[k]
		var bad int64
		fail := func(i int, v string) {
			bad++
			if rs.keep(p.sample) {
				// Strings from Arrow buffers die with the batch: keep a copy.
				rs.sample = append(rs.sample, result.Failure{Row: j.offset + int64(i), Value: strings.Clone(v)})
			}
			rs.failed(i)
		}
		failAt := func(i int) { fail(i, col.at(i)) }
		if set := rc.strSet; set != nil && set.short != nil && !rc.failAll {
			switch c := any(col).(type) {
			case utf8Col:
				setByOffsets(rc, c.a.ValueOffsets(), c.a.ValueBytes(), pr, c.at, failAt)
				rs.unexpected += bad
				continue
			case largeUTF8Col:
				setByOffsets(rc, c.a.ValueOffsets(), c.a.ValueBytes(), pr, c.at, failAt)
				rs.unexpected += bad
				continue
			}
		}
		if set := rc.strSet; set != nil && !rc.failAll {
			// in_set and not_in_set, the common case, without the switch
			// of passString.
			for i := range n {
				if pr.has(i) {
					if v := col.at(i); set.has(v) == rc.negate {
						fail(i, v)
					}
				}
			}
		} else {
			for i := range n {
				if pr.has(i) {
					if v := col.at(i); !rc.passString(v) {
						fail(i, v)
					}
				}
			}
		}
		rs.unexpected += bad
	}
}

func (s *state) updateDict(p *plan, cp *colPlan, cs *colState, a *array.Dictionary, j job) {
	s.idx = dictIndices(s.idx[:0], a.Indices())
	switch d := a.Dictionary().(type) {
	case *array.String:
		updateDictStrings(s, p, cp, cs, a, utf8Col{d}, j)
	case *array.LargeString:
		updateDictStrings(s, p, cp, cs, a, largeUTF8Col{d}, j)
	case *array.StringView:
		updateDictStrings(s, p, cp, cs, a, viewCol{d}, j)
	default:
		cs.AddCounts(a.Len(), a.NullN())
	}
}

// dictIndices appends a dictionary array's indices as int32 (Arrow
// dictionaries hold fewer than 2^31 entries).
func dictIndices(dst []int32, idx arrow.Array) []int32 {
	switch x := idx.(type) {
	case *array.Int8:
		return appendIndices(dst, x.Int8Values())
	case *array.Int16:
		return appendIndices(dst, x.Int16Values())
	case *array.Int32:
		return append(dst, x.Int32Values()...)
	case *array.Int64:
		return appendIndices(dst, x.Int64Values())
	case *array.Uint8:
		return appendIndices(dst, x.Uint8Values())
	case *array.Uint16:
		return appendIndices(dst, x.Uint16Values())
	case *array.Uint32:
		return appendIndices(dst, x.Uint32Values())
	case *array.Uint64:
		return appendIndices(dst, x.Uint64Values())
	}
	panic("expect: dictionary indices of type " + idx.DataType().String())
}

func appendIndices[T integer](dst []int32, vals []T) []int32 {
	for _, v := range vals {
		dst = append(dst, int32(v))
	}
	return dst
}

// updateDictStrings evaluates a dictionary-encoded string column: lengths,
// counts and row-wise checks once per dictionary entry that occurs, then
// the failures by index. A dictionary much larger than the batch is read
// value by value instead.
func updateDictStrings[S strCol](s *state, p *plan, cp *colPlan, cs *colState, a *array.Dictionary, dict S, j job) {
	col := dictCol[S]{idx: s.idx, dict: dict}
	n := a.Len()
	dn := a.Dictionary().Len()
	if dn > 2*n+64 {
		updateStrings(s, p, cp, cs, a, col, j)
		return
	}
	pr := presenceOf(a)
	cs.AddCounts(n, a.NullN())
	if cp.nullRows || cp.valueRows {
		cs.sampleRows(p, cp, n, pr.hasFunc(), func(i int) any { return strings.Clone(col.at(i)) }, j)
	}
	// Occurrences and first row of each entry.
	counts := make([]int64, dn)
	first := make([]int32, dn)
	for i, e := range col.idx {
		if pr.has(i) {
			if counts[e] == 0 {
				first[e] = int32(i)
			}
			counts[e]++
		}
	}
	if cp.lengths {
		lo, hi := math.MaxInt, -1
		for e, c := range counts {
			if c > 0 {
				l := utf8.RuneCountInString(dict.at(e))
				lo, hi = min(lo, l), max(hi, l)
			}
		}
		cs.AddLengths(lo, hi)
	}
	if cp.strs {
		for e, c := range counts {
			if c > 0 {
				cs.AddString(dict.at(e), c)
			}
		}
		cs.Mark(accum.Distribution)
	}
	if cp.freq {
		f := cs.freq.(*freq[string])
		if f.dup && !f.laterFull() {
			for i := range n {
				if pr.has(i) {
					f.add(col.at(i), j.offset+int64(i))
				}
			}
		} else {
			for _, e := range entriesByFirst(counts, first) {
				f.addN(dict.at(e), counts[e], j.offset+int64(first[e]))
			}
		}
	}
	fails := make([]bool, dn)
	for k, rc := range cp.rowCheck {
		failing := false
		for e, c := range counts {
			fails[e] = c > 0 && !rc.passString(dict.at(e))
			failing = failing || fails[e]
		}
		if !failing {
			continue
		}
		rs := &cs.row[k]
		for i, e := range col.idx {
			if fails[e] && pr.has(i) {
				rs.unexpected++
				if rs.keep(p.sample) {
					rs.sample = append(rs.sample, result.Failure{Row: j.offset + int64(i), Value: strings.Clone(dict.at(int(e)))})
				}
				rs.failed(i)
			}
		}
	}
}

// entriesByFirst returns the entries that occur, in order of first row.
func entriesByFirst(counts []int64, first []int32) []int {
	var out []int
	for e, c := range counts {
		if c > 0 {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(a, b int) bool { return first[out[a]] < first[out[b]] })
	return out
}

func updateBools(s *state, p *plan, cp *colPlan, cs *colState, a *array.Boolean, j job) {
	pr := presenceOf(a)
	n := a.Len()
	cs.AddCounts(n, a.NullN())
	if cp.strs {
		var t int64
		for i := range n {
			if pr.has(i) && a.Value(i) {
				t++
			}
		}
		cs.AddBools(t, int64(n-a.NullN())-t)
	}
	if cp.moments || cp.minmax || cp.values {
		xs := s.floats[:0]
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := range n {
			if pr.has(i) {
				x := 0.0
				if a.Value(i) {
					x = 1
				}
				lo, hi = min(lo, x), max(hi, x)
				xs = append(xs, x)
			}
		}
		s.floats = xs
		cs.stats(cp, xs, j.index, lo, hi)
	}
	if cp.nullRows || cp.valueRows {
		cs.sampleRows(p, cp, n, pr.hasFunc(), func(i int) any { return a.Value(i) }, j)
	}
	if cp.freq {
		f := cs.freq.(*freq[bool])
		if f.dup && !f.laterFull() {
			for i := range n {
				if pr.has(i) {
					f.add(a.Value(i), j.offset+int64(i))
				}
			}
		} else {
			var counts [2]int64
			first := [2]int{-1, -1}
			for i := range n {
				if pr.has(i) {
					b := 0
					if a.Value(i) {
						b = 1
					}
					if counts[b] == 0 {
						first[b] = i
					}
					counts[b]++
				}
			}
			order := []int{0, 1}
			if first[1] >= 0 && (first[0] < 0 || first[1] < first[0]) {
				order = []int{1, 0}
			}
			for _, b := range order {
				if counts[b] > 0 {
					f.addN(b == 1, counts[b], j.offset+int64(first[b]))
				}
			}
		}
	}
	for k, rc := range cp.rowCheck {
		rs := &cs.row[k]
		for i := range n {
			if !pr.has(i) {
				continue
			}
			v := a.Value(i)
			b := 0
			if v {
				b = 1
			}
			if rc.failAll || rc.boolSet[b] == rc.negate {
				rs.unexpected++
				if rs.keep(p.sample) {
					rs.sample = append(rs.sample, result.Failure{Row: j.offset + int64(i), Value: v})
				}
				rs.failed(i)
			}
		}
	}
}

// display turns an integer column's value into what results show: the
// number, or the formatted date or time for temporal columns.
func (cp *colPlan) display(v int64) any {
	switch dt := cp.dt.(type) {
	case *arrow.Date32Type:
		return arrow.Date32(v).FormattedString()
	case *arrow.Date64Type:
		return arrow.Date64(v).FormattedString()
	case *arrow.TimestampType:
		return arrow.Timestamp(v).ToTime(dt.Unit).Format("2006-01-02T15:04:05.999999999Z07:00")
	}
	if cp.dt.ID() == arrow.UINT64 {
		return uint64(v)
	}
	return v
}

// freqTable counts the occurrences of each distinct value, for the
// unique, distinct, distinct_values, imbalance and categorical partition
// checks. Workers fill one each; mergeFrom folds another worker's table in
// and finish completes the table once every worker's is merged.
type freqTable interface {
	mergeFrom(other freqTable, limit int)
	finish(limit int)
	distinct() int
	classes() []classCount
	duplicates(limit int) (unexpected int64, sample []result.Failure)
	match(vals []Value) (counts []int64, others []classCount)
}

type classCount struct {
	value any
	count int64
}

// freq is the frequency table of string and boolean columns: a hash map
// of the distinct values with their counts and first rows, and for the
// unique check the rows of repeated values.
type freq[K comparable] struct {
	index   map[K]int32
	keys    []K
	counts  []int64
	first   []int64
	dup     bool // keep later rows of repeated values
	limit   int
	later   []laterRow[K]
	display func(K) any
}

type laterRow[K comparable] struct {
	row int64
	key K
}

func newFreq(cp *colPlan, limit int) freqTable {
	switch cp.class {
	case classInt, classTemporal, classFloat:
		return newNumFreq(cp, limit)
	case classString:
		return &freq[string]{index: map[string]int32{}, dup: cp.dupRows, limit: limit, display: func(v string) any { return v }}
	case classBool, classNull:
		return &freq[bool]{index: map[bool]int32{}, dup: cp.dupRows, limit: limit, display: func(v bool) any { return v }}
	}
	panic("expect: no frequency table for class " + cp.class.String())
}

func (f *freq[K]) add(k K, row int64) {
	i, ok := f.index[k]
	if !ok {
		f.insert(k, 1, row)
		return
	}
	f.counts[i]++
	if f.dup && !f.laterFull() {
		f.later = append(f.later, laterRow[K]{row: row, key: f.keys[i]})
	}
}

// addN adds n occurrences of k, the first at row; the caller has made sure
// that no later row needs keeping.
func (f *freq[K]) addN(k K, n, row int64) {
	i, ok := f.index[k]
	if !ok {
		f.insert(k, n, row)
		return
	}
	f.counts[i] += n
}

func (f *freq[K]) insert(k K, n, row int64) {
	// Strings from Arrow buffers die with the batch: keep a copy.
	if s, isStr := any(k).(string); isStr {
		k = any(strings.Clone(s)).(K)
	}
	f.index[k] = int32(len(f.keys))
	f.keys = append(f.keys, k)
	f.counts = append(f.counts, n)
	f.first = append(f.first, row)
}

// laterFull reports whether no later row can enter the sample: the table
// holds limit of them, all before any row still to come.
func (f *freq[K]) laterFull() bool { return f.limit >= 0 && len(f.later) >= f.limit }

func (f *freq[K]) distinct() int { return len(f.keys) }

func (f *freq[K]) mergeFrom(other freqTable, limit int) {
	o := other.(*freq[K])
	for oi, k := range o.keys {
		i, ok := f.index[k]
		if !ok {
			f.index[k] = int32(len(f.keys))
			f.keys = append(f.keys, k)
			f.counts = append(f.counts, o.counts[oi])
			f.first = append(f.first, o.first[oi])
			continue
		}
		f.counts[i] += o.counts[oi]
		if f.dup {
			// The later of the two first rows is a repeated occurrence.
			r := o.first[oi]
			if r < f.first[i] {
				r, f.first[i] = f.first[i], r
			}
			f.later = append(f.later, laterRow[K]{row: r, key: k})
			if limit >= 0 && len(f.later) > 4*max(limit, 1)+64 {
				f.trimLater(limit)
			}
		}
	}
	f.later = append(f.later, o.later...)
	f.trimLater(limit)
}

func (f *freq[K]) finish(limit int) { f.trimLater(limit) }

func (f *freq[K]) trimLater(limit int) {
	sort.Slice(f.later, func(a, b int) bool { return f.later[a].row < f.later[b].row })
	if limit >= 0 && len(f.later) > limit {
		f.later = f.later[:limit]
	}
}

func (f *freq[K]) classes() []classCount {
	out := make([]classCount, len(f.keys))
	for i, k := range f.keys {
		out[i] = classCount{value: f.display(k), count: f.counts[i]}
	}
	return out
}

func (f *freq[K]) duplicates(limit int) (int64, []result.Failure) {
	var unexpected int64
	var sample []result.Failure
	for i, k := range f.keys {
		if f.counts[i] > 1 {
			unexpected += f.counts[i]
			sample = append(sample, result.Failure{Row: f.first[i], Value: f.display(k)})
		}
	}
	for _, l := range f.later {
		sample = append(sample, result.Failure{Row: l.row, Value: f.display(l.key)})
	}
	return unexpected, sortedRows(sample, limit)
}

// merge folds every worker's state into the first and completes the
// frequency tables.
func merge(p *plan, states []*state) *state {
	out := states[0]
	for _, s := range states[1:] {
		for i, acc := range s.rows {
			if acc != nil {
				out.rows[i].merge(acc, p.sample)
			}
		}
		for i, cs := range s.cols {
			o := out.cols[i]
			o.Column.Merge(cs.Column)
			o.values.c = append(o.values.c, cs.values.c...)
			o.values.n += cs.values.n
			cs.values = chunks[float64]{}
			if o.freq != nil {
				o.freq.mergeFrom(cs.freq, p.sample)
			}
			for b := range o.bins {
				for k, v := range cs.bins[b] {
					o.bins[b][k] += v
				}
			}
			o.nullSample = sortedRows(append(o.nullSample, cs.nullSample...), p.sample)
			o.valueSample = sortedRows(append(o.valueSample, cs.valueSample...), p.sample)
			for k, acc := range o.custom {
				acc.merge(cs.custom[k], p.sample)
			}
			for k := range o.row {
				o.row[k].unexpected += cs.row[k].unexpected
				o.row[k].sample = sortedRows(append(o.row[k].sample, cs.row[k].sample...), p.sample)
			}
		}
		for f := range out.kept {
			out.kept[f] += s.kept[f]
		}
		for k := range out.rules {
			o, r := &out.rules[k], &s.rules[k]
			o.evaluated += r.evaluated
			o.unexpected += r.unexpected
			o.nulls += r.nulls
			o.sample = sortedRows(append(o.sample, r.sample...), p.sample)
		}
	}
	// The columns' tables complete independently: in parallel.
	var wg sync.WaitGroup
	for _, o := range out.cols {
		if o.freq != nil {
			wg.Go(func() { o.freq.finish(p.sample) })
		}
	}
	wg.Wait()
	return out
}
