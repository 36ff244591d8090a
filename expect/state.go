package expect

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"

	"github.com/trustml/trustml/result"
)

// state holds one worker's accumulators, one colState per planned column.
type state struct{ cols []*colState }

type colState struct {
	rows, nulls int64 // nulls include NaN in float columns
	count       int64 // non-null values
	min, max    float64
	minLen      int
	maxLen      int
	moments     []moments // one per batch, merged in batch order
	values      []float64 // median and quantiles
	freq        freqTable
	row         []rowState // parallel to colPlan.rowCheck
	// bins holds, per colPlan.binned check, the count of values below the
	// first edge, in each bin, and above the last edge.
	bins [][]int64
	// nullSample and valueSample are the first missing and non-missing
	// values, for the missing check.
	nullSample, valueSample []result.Failure
}

type rowState struct {
	unexpected int64
	sample     []result.Failure
}

// moments of one batch's non-null values: a compensated sum and the sum of
// squared deviations from the batch mean (two passes over the batch).
type moments struct {
	batch      int
	n          int64
	sum, comp  float64 // over finite values
	m2         float64 // over finite values
	pinf, ninf int64   // counts of +Inf and -Inf, which compensation cannot carry
}

func newState(p *plan) *state {
	s := &state{cols: make([]*colState, len(p.cols))}
	for i, cp := range p.cols {
		cs := &colState{min: math.Inf(1), max: math.Inf(-1), minLen: math.MaxInt, maxLen: -1,
			row: make([]rowState, len(cp.rowCheck))}
		if cp.freq {
			cs.freq = newFreq(cp, p.sample)
		}
		for _, c := range cp.binned {
			cs.bins = append(cs.bins, make([]int64, len(c.Partition.Bins)+1))
		}
		s.cols[i] = cs
	}
	return s
}

func (s *state) update(p *plan, j job) error {
	for i, cp := range p.cols {
		arr := j.batch.Column(cp.idx)
		if !arrow.TypeEqual(arr.DataType(), cp.dt) {
			return fmt.Errorf("expect: column %q changed type from %s to %s in batch %d", cp.name, cp.dt, arr.DataType(), j.index)
		}
		if err := updateColumn(p, cp, s.cols[i], arr, j); err != nil {
			return err
		}
	}
	return nil
}

func updateColumn(p *plan, cp *colPlan, cs *colState, arr arrow.Array, j job) error {
	cs.rows += int64(arr.Len())
	switch a := arr.(type) {
	case *array.Int8:
		updateInts(p, cp, cs, a, a.Int8Values(), j)
	case *array.Int16:
		updateInts(p, cp, cs, a, a.Int16Values(), j)
	case *array.Int32:
		updateInts(p, cp, cs, a, a.Int32Values(), j)
	case *array.Int64:
		updateInts(p, cp, cs, a, a.Int64Values(), j)
	case *array.Uint8:
		updateInts(p, cp, cs, a, a.Uint8Values(), j)
	case *array.Uint16:
		updateInts(p, cp, cs, a, a.Uint16Values(), j)
	case *array.Uint32:
		updateInts(p, cp, cs, a, a.Uint32Values(), j)
	case *array.Uint64:
		updateInts(p, cp, cs, a, a.Uint64Values(), j)
	case *array.Float32:
		updateFloats(p, cp, cs, a, a.Float32Values(), j)
	case *array.Float64:
		updateFloats(p, cp, cs, a, a.Float64Values(), j)
	case *array.Float16:
		vals := make([]float32, a.Len())
		for i, v := range a.Values() {
			vals[i] = v.Float32()
		}
		updateFloats(p, cp, cs, a, vals, j)
	case *array.Date32:
		updateInts(p, cp, cs, a, a.Date32Values(), j)
	case *array.Date64:
		updateInts(p, cp, cs, a, a.Date64Values(), j)
	case *array.Timestamp:
		updateInts(p, cp, cs, a, a.TimestampValues(), j)
	case *array.Time32:
		updateInts(p, cp, cs, a, a.Time32Values(), j)
	case *array.Time64:
		updateInts(p, cp, cs, a, a.Time64Values(), j)
	case *array.Duration:
		updateInts(p, cp, cs, a, a.DurationValues(), j)
	case *array.String:
		updateStrings(p, cp, cs, a, a.Value, j)
	case *array.LargeString:
		updateStrings(p, cp, cs, a, a.Value, j)
	case *array.StringView:
		updateStrings(p, cp, cs, a, a.Value, j)
	case *array.Dictionary:
		updateDict(p, cp, cs, a, j)
	case *array.Boolean:
		updateBools(p, cp, cs, a, j)
	default:
		cs.nulls += int64(arr.NullN())
		cs.count += int64(arr.Len() - arr.NullN())
		valid := validity(arr)
		if arr.DataType().ID() == arrow.NULL {
			valid = func(int) bool { return false }
		}
		cs.sampleRows(p, cp, arr.Len(), valid, func(i int) any { return arr.ValueStr(i) }, j)
	}
	return nil
}

// sampleRows keeps the first missing rows and the first non-missing values
// when a missing check shows them. valid is nil when no value is missing.
func (cs *colState) sampleRows(p *plan, cp *colPlan, n int, valid func(int) bool, value func(int) any, j job) {
	full := func(s []result.Failure) bool { return p.sample >= 0 && len(s) >= p.sample }
	if cp.nullRows && valid != nil {
		for i := 0; i < n && !full(cs.nullSample); i++ {
			if !valid(i) {
				cs.nullSample = append(cs.nullSample, result.Failure{Row: j.offset + int64(i), Value: nil})
			}
		}
	}
	if cp.valueRows {
		for i := 0; i < n && !full(cs.valueSample); i++ {
			if valid == nil || valid(i) {
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

func (cs *colState) binValues(cp *colPlan, n int, at func(int) (float64, bool)) {
	for b, c := range cp.binned {
		edges, counts := c.Partition.Bins, cs.bins[b]
		for i := range n {
			if v, ok := at(i); ok {
				bin(edges, counts, v)
			}
		}
	}
}

// validity returns a function reporting whether element i is non-null;
// nil when the array has no nulls.
func validity(a arrow.Array) func(i int) bool {
	if a.NullN() == 0 {
		return nil
	}
	bm, off := a.NullBitmapBytes(), a.Data().Offset()
	return func(i int) bool { return bitutil.BitIsSet(bm, off+i) }
}

type integer interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

func updateInts[T integer](p *plan, cp *colPlan, cs *colState, a arrow.Array, vals []T, j job) {
	valid := validity(a)
	cs.nulls += int64(a.NullN())
	cs.count += int64(len(vals) - a.NullN())
	if cp.moments || cp.minmax || cp.values {
		floatStats(cp, cs, len(vals), func(i int) (float64, bool) {
			return float64(vals[i]), valid == nil || valid(i)
		}, j.index)
	}
	if len(cp.binned) > 0 {
		cs.binValues(cp, len(vals), func(i int) (float64, bool) { return float64(vals[i]), valid == nil || valid(i) })
	}
	if cp.nullRows || cp.valueRows {
		cs.sampleRows(p, cp, len(vals), valid, func(i int) any { return cp.display(int64(vals[i])) }, j)
	}
	if cp.freq {
		f := cs.freq.(*freq[int64])
		for i, v := range vals {
			if valid == nil || valid(i) {
				f.add(int64(v), j.offset+int64(i))
			}
		}
	}
	for k, rc := range cp.rowCheck {
		rs := &cs.row[k]
		for i, v := range vals {
			if valid != nil && !valid(i) {
				continue
			}
			if !rc.passNum(float64(v)) {
				rs.fail(p.sample, j.offset+int64(i), cp.display(int64(v)))
			}
		}
	}
}

func updateFloats[T float32 | float64](p *plan, cp *colPlan, cs *colState, a arrow.Array, vals []T, j job) {
	valid := validity(a)
	ok := func(i int) bool { return (valid == nil || valid(i)) && !math.IsNaN(float64(vals[i])) }
	var nn int64
	for i := range vals {
		if ok(i) {
			nn++
		}
	}
	cs.count += nn
	cs.nulls += int64(len(vals)) - nn
	if cp.moments || cp.minmax || cp.values {
		floatStats(cp, cs, len(vals), func(i int) (float64, bool) { return float64(vals[i]), ok(i) }, j.index)
	}
	if len(cp.binned) > 0 {
		cs.binValues(cp, len(vals), func(i int) (float64, bool) { return float64(vals[i]), ok(i) })
	}
	if cp.nullRows || cp.valueRows {
		present := ok
		if nn == int64(len(vals)) {
			present = nil
		}
		cs.sampleRows(p, cp, len(vals), present, func(i int) any { return float64(vals[i]) }, j)
	}
	if cp.freq {
		f := cs.freq.(*freq[float64])
		for i, v := range vals {
			if ok(i) {
				x := float64(v)
				if x == 0 {
					x = 0 // -0 and +0 are one value
				}
				f.add(x, j.offset+int64(i))
			}
		}
	}
	for k, rc := range cp.rowCheck {
		rs := &cs.row[k]
		for i, v := range vals {
			if ok(i) && !rc.passNum(float64(v)) {
				rs.fail(p.sample, j.offset+int64(i), float64(v))
			}
		}
	}
}

// floatStats accumulates min, max, the batch's moments and the values.
func floatStats(cp *colPlan, cs *colState, n int, at func(int) (float64, bool), batch int) {
	var m moments
	m.batch = batch
	for i := range n {
		v, ok := at(i)
		if !ok {
			continue
		}
		m.n++
		if v < cs.min {
			cs.min = v
		}
		if v > cs.max {
			cs.max = v
		}
		if cp.values {
			cs.values = append(cs.values, v)
		}
		if math.IsInf(v, 0) {
			if v > 0 {
				m.pinf++
			} else {
				m.ninf++
			}
			continue
		}
		// Neumaier's compensated summation.
		t := m.sum + v
		if math.Abs(m.sum) >= math.Abs(v) {
			m.comp += (m.sum - t) + v
		} else {
			m.comp += (v - t) + m.sum
		}
		m.sum = t
	}
	if cp.moments && m.n > 0 {
		finite := m.n - m.pinf - m.ninf
		mean := 0.0
		if finite > 0 {
			mean = (m.sum + m.comp) / float64(finite)
		}
		for i := range n {
			if v, ok := at(i); ok && !math.IsInf(v, 0) {
				d := v - mean
				m.m2 += d * d
			}
		}
		cs.moments = append(cs.moments, m)
	}
}

func (rc *rowCheck) passNum(v float64) bool {
	if rc.failAll {
		return false
	}
	if rc.numSet != nil {
		_, in := rc.numSet[v]
		return in != rc.negate
	}
	return rc.inRange(v)
}

func (rc *rowCheck) passString(s string) bool {
	switch {
	case rc.failAll:
		return false
	case rc.strSet != nil:
		_, in := rc.strSet[s]
		return in != rc.negate
	case rc.re != nil:
		return rc.re.MatchString(s)
	default:
		n := utf8.RuneCountInString(s)
		return !(rc.hasMinLen && n < rc.minLen) && !(rc.hasMaxLen && n > rc.maxLen)
	}
}

func (rs *rowState) fail(limit int, row int64, v any) {
	rs.unexpected++
	// Rows arrive in increasing order within a worker, so the first
	// failures seen are the ones with the smallest row numbers.
	if limit < 0 || len(rs.sample) < limit {
		rs.sample = append(rs.sample, result.Failure{Row: row, Value: v})
	}
}

func updateStrings(p *plan, cp *colPlan, cs *colState, a arrow.Array, value func(int) string, j job) {
	valid := validity(a)
	n := a.Len()
	cs.nulls += int64(a.NullN())
	cs.count += int64(n - a.NullN())
	if cp.nullRows || cp.valueRows {
		cs.sampleRows(p, cp, n, valid, func(i int) any { return strings.Clone(value(i)) }, j)
	}
	if cp.lengths {
		for i := range n {
			if valid == nil || valid(i) {
				l := utf8.RuneCountInString(value(i))
				cs.minLen = min(cs.minLen, l)
				cs.maxLen = max(cs.maxLen, l)
			}
		}
	}
	if cp.freq {
		f := cs.freq.(*freq[string])
		for i := range n {
			if valid == nil || valid(i) {
				f.add(value(i), j.offset+int64(i))
			}
		}
	}
	for k, rc := range cp.rowCheck {
		rs := &cs.row[k]
		for i := range n {
			if valid != nil && !valid(i) {
				continue
			}
			if s := value(i); !rc.passString(s) {
				rs.fail(p.sample, j.offset+int64(i), s)
			}
		}
	}
}

func updateDict(p *plan, cp *colPlan, cs *colState, a *array.Dictionary, j job) {
	var value func(int) string
	switch d := a.Dictionary().(type) {
	case *array.String:
		value = d.Value
	case *array.LargeString:
		value = d.Value
	case *array.StringView:
		value = d.Value
	default:
		cs.nulls += int64(a.NullN())
		cs.count += int64(a.Len() - a.NullN())
		return
	}
	updateStrings(p, cp, cs, a, func(i int) string { return value(a.GetValueIndex(i)) }, j)
}

func updateBools(p *plan, cp *colPlan, cs *colState, a *array.Boolean, j job) {
	valid := validity(a)
	n := a.Len()
	cs.nulls += int64(a.NullN())
	cs.count += int64(n - a.NullN())
	if cp.moments || cp.minmax || cp.values {
		floatStats(cp, cs, n, func(i int) (float64, bool) {
			if a.Value(i) {
				return 1, valid == nil || valid(i)
			}
			return 0, valid == nil || valid(i)
		}, j.index)
	}
	if cp.nullRows || cp.valueRows {
		cs.sampleRows(p, cp, n, valid, func(i int) any { return a.Value(i) }, j)
	}
	if cp.freq {
		f := cs.freq.(*freq[bool])
		for i := range n {
			if valid == nil || valid(i) {
				f.add(a.Value(i), j.offset+int64(i))
			}
		}
	}
	for k, rc := range cp.rowCheck {
		rs := &cs.row[k]
		for i := range n {
			if valid != nil && !valid(i) {
				continue
			}
			v := a.Value(i)
			b := 0
			if v {
				b = 1
			}
			if rc.failAll || rc.boolSet[b] == rc.negate {
				rs.fail(p.sample, j.offset+int64(i), v)
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

// freqTable counts the occurrences of each distinct value, with the first
// row of each, and for the unique check the rows of repeated values.
type freqTable interface {
	distinct() int
	mergeFrom(other freqTable, limit int)
	classes() []classCount
	duplicates(limit int) (unexpected int64, sample []result.Failure)
	match(vals []Value) (counts []int64, others []classCount)
}

type classCount struct {
	value any
	count int64
}

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
	case classInt, classTemporal:
		return &freq[int64]{index: map[int64]int32{}, dup: cp.dupRows, limit: limit, display: cp.display}
	case classFloat:
		return &freq[float64]{index: map[float64]int32{}, dup: cp.dupRows, limit: limit, display: func(v float64) any { return v }}
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
		// Strings from Arrow buffers die with the batch: keep a copy.
		if s, isStr := any(k).(string); isStr {
			k = any(strings.Clone(s)).(K)
		}
		f.index[k] = int32(len(f.keys))
		f.keys = append(f.keys, k)
		f.counts = append(f.counts, 1)
		f.first = append(f.first, row)
		return
	}
	f.counts[i]++
	if f.dup && (f.limit < 0 || len(f.later) < f.limit) {
		f.later = append(f.later, laterRow[K]{row: row, key: f.keys[i]})
	}
}

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

// merge folds every worker's state into the first.
func merge(p *plan, states []*state) *state {
	out := states[0]
	for _, s := range states[1:] {
		for i, cs := range s.cols {
			o := out.cols[i]
			o.rows += cs.rows
			o.nulls += cs.nulls
			o.count += cs.count
			o.min = math.Min(o.min, cs.min)
			o.max = math.Max(o.max, cs.max)
			o.minLen = min(o.minLen, cs.minLen)
			o.maxLen = max(o.maxLen, cs.maxLen)
			o.moments = append(o.moments, cs.moments...)
			o.values = append(o.values, cs.values...)
			cs.values = nil
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
			for k := range o.row {
				o.row[k].unexpected += cs.row[k].unexpected
				o.row[k].sample = sortedRows(append(o.row[k].sample, cs.row[k].sample...), p.sample)
			}
		}
	}
	for _, o := range out.cols {
		if o.freq != nil && len(states) == 1 {
			o.freq.mergeFrom(emptyLike(o.freq), p.sample)
		}
	}
	return out
}

// emptyLike returns an empty table of the same key type, so that merging
// it trims and sorts the later rows of a single worker's table.
func emptyLike(t freqTable) freqTable {
	switch t.(type) {
	case *freq[int64]:
		return &freq[int64]{}
	case *freq[float64]:
		return &freq[float64]{}
	case *freq[string]:
		return &freq[string]{}
	default:
		return &freq[bool]{}
	}
}
