package expect

import (
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow/bitutil"

	"github.com/trustml/trustml/result"
)

// Numeric frequency tables count values by an order-preserving uint64 key:
// integers (and temporal values) with their sign bit flipped, floats with
// the usual total-order transform (NaN never reaches a table, -0 is +0).
const signBit = 1 << 63

func intKey(v int64) uint64 { return uint64(v) ^ signBit }
func keyInt(k uint64) int64 { return int64(k ^ signBit) }

func floatKey(v float64) uint64 {
	b := math.Float64bits(v)
	if b&signBit != 0 {
		return ^b
	}
	return b | signBit
}

func keyFloat(k uint64) float64 {
	if k&signBit != 0 {
		return math.Float64frombits(k &^ signBit)
	}
	return math.Float64frombits(^k)
}

// A worker's numeric frequency table stops hashing and collects its keys,
// to count them at the end, past freqSwitch distinct values, or past
// freqEarly when most values so far were new (an identifier): a hash map
// of a few distinct values is fast and small, one of millions is slow (a
// cache miss per value) and larger than the 8 bytes per value that
// collecting costs.
var freqSwitch = 1 << 16

const freqEarly = 1 << 12

// denseSpan is the widest range of integer keys a batch counts in an array
// rather than in the hash map.
const denseSpan = 1 << 10

// numFreq is the frequency table of an integer, temporal or float column.
// Each worker fills one part: a hash map of distinct keys while they are
// few, then the keys of every value in row order. When its pass ends, a
// worker marks its part's keys in bitmaps (integers in a narrow range),
// splits them into buckets by a hash, or, when a check needs every key
// with its count, sorts them (LSD radix sort); finish combines the parts
// and, for the unique check, finds the rows of repeated values again in
// the parts' row order.
type numFreq struct {
	dup     bool // the unique check: keep the rows of repeated values
	keep    bool // keep every distinct key and its count (classes, match)
	limit   int  // sample size; negative keeps all
	float   bool // keys of floats rather than integers
	display func(uint64) any
	parts   []*numPart // one per worker, in worker order

	// Set by finish.
	done       bool
	ndistinct  int
	keys       []uint64 // sorted distinct keys, when keep
	counts     []int64  // parallel to keys
	unexpected int64    // occurrences of repeated values
	sample     []result.Failure
	isRepeated func(uint64) bool // whether a key occurs more than once
}

// numPart is one worker's share of a numFreq.
type numPart struct {
	// The hash phase: distinct keys in order of first occurrence, their
	// counts and first rows, and (for dup) the rows of later occurrences,
	// the first limit of them in row order.
	index  map[uint64]int32
	keys   []uint64
	counts []int64
	first  []int64
	later  []laterRow[uint64]
	seen   int64 // values counted

	// The collect phase: coll holds the hash phase's distinct keys, once
	// each, then the keys of every later value, except runs of
	// consecutive keys, which runs holds as ranges; segs locates both in
	// row order; extra holds count − 1 for the hash phase's repeated keys.
	collecting bool
	coll       chunks[uint64]
	runs       []keyRun
	segs       []segment
	extra      []keyCount

	// Set by flush: the number of values counted, and the keys marked in
	// bitmaps, split by hash or sorted.
	flushed bool
	n       int64
	bits    *bitset  // dense integers
	split   *split   // other keys, without keep
	sorted  []uint64 // with keep
}

// segment is a run of collected keys in row order: keys, or, when keys
// is nil, the keys of run, one per row.
type segment struct {
	keys    []uint64
	run     keyRun
	row0    int64  // row number of the segment's first row
	present []byte // bit i: row row0+i has a value (a key); nil when all rows have one
}

// keyRun is the n consecutive keys first, first+1, …, first+n−1: a
// batch of an identifier in row order (1, 2, 3, …) is collected as one,
// without a copy of its keys.
type keyRun struct {
	first uint64
	n     int
}

// key returns the run's i-th key.
func (r keyRun) key(i int) uint64 { return r.first + uint64(i) }

// last returns the run's last key.
func (r keyRun) last() uint64 { return r.first + uint64(r.n-1) }

// addRun collects the keys of a batch without missing values that are
// the run r (see runOf), from row row0 on.
func (f *numFreq) addRun(r keyRun, row0 int64) {
	p := f.part()
	p.runs = append(p.runs, r)
	p.segs = append(p.segs, segment{run: r, row0: row0})
}

// runOf reports whether vals, a batch's integers, are consecutive
// (v, v+1, v+2, …), and returns their keys as a run. The keys of
// consecutive integers are consecutive, but a run must not wrap around
// the largest key.
func runOf[T integer](vals []T) (keyRun, bool) {
	if len(vals) < 2 {
		return keyRun{}, false
	}
	for i := 1; i < len(vals); i++ {
		// In int64, as intKey reads them: int8 127 then -128 differ by 1
		// in int8.
		if int64(vals[i])-int64(vals[i-1]) != 1 {
			return keyRun{}, false
		}
	}
	r := keyRun{first: intKey(int64(vals[0])), n: len(vals)}
	if r.last() < r.first {
		return keyRun{}, false
	}
	return r, true
}

// expandRuns appends the keys of the part's runs to coll, for the paths
// that read every key from coll (hash split, sort).
func (p *numPart) expandRuns() {
	for _, r := range p.runs {
		dst := p.coll.reserve(r.n)
		for i := range r.n {
			dst = append(dst, r.key(i))
		}
		p.coll.commit(len(dst))
	}
	p.runs = nil
}

type keyCount struct {
	key   uint64
	count int64
}

func newNumFreq(cp *colPlan, limit int) *numFreq {
	f := &numFreq{dup: cp.dupRows, keep: cp.classes, limit: limit, float: cp.class == classFloat}
	if f.float {
		f.display = func(k uint64) any { return keyFloat(k) }
	} else {
		f.display = func(k uint64) any { return cp.display(keyInt(k)) }
	}
	f.parts = []*numPart{{index: map[uint64]int32{}}}
	return f
}

func (f *numFreq) part() *numPart { return f.parts[0] }

// collecting reports whether the worker's part collects keys.
func (f *numFreq) collecting() bool { return f.parts[0].collecting }

func (p *numPart) laterFull(limit int) bool { return limit >= 0 && len(p.later) >= limit }

// full reports whether the hash phase should end.
func (p *numPart) full() bool {
	d := len(p.keys)
	return d > freqSwitch || (d > freqEarly && int64(2*d) > p.seen)
}

func (p *numPart) add(k uint64, row int64, dup bool, limit int) {
	p.seen++
	i, ok := p.index[k]
	if !ok {
		p.index[k] = int32(len(p.keys))
		p.keys = append(p.keys, k)
		p.counts = append(p.counts, 1)
		p.first = append(p.first, row)
		return
	}
	p.counts[i]++
	if dup && !p.laterFull(limit) {
		p.later = append(p.later, laterRow[uint64]{row: row, key: k})
	}
}

// addN adds n occurrences of k, the first at row; the caller has made sure
// that no later row needs keeping.
func (p *numPart) addN(k uint64, n, row int64) {
	p.seen += n
	i, ok := p.index[k]
	if !ok {
		p.index[k] = int32(len(p.keys))
		p.keys = append(p.keys, k)
		p.counts = append(p.counts, n)
		p.first = append(p.first, row)
		return
	}
	p.counts[i] += n
}

// collect switches the part to collecting: the distinct keys so far go
// into coll once each, their further occurrences into extra.
func (p *numPart) collect(dup bool) {
	p.collecting = true
	dst := p.coll.reserve(len(p.keys))
	dst = append(dst, p.keys...)
	p.coll.commit(len(dst))
	for i, c := range p.counts {
		if c > 1 {
			p.extra = append(p.extra, keyCount{p.keys[i], c - 1})
		}
	}
	p.index, p.counts = nil, nil
	if !dup {
		p.keys, p.first = nil, nil
	}
}

// addBatch counts one batch's keys in the hash phase: keys[i] is the key
// of the i-th row with a value; pr says which rows have one. It switches
// to collecting past freqSwitch distinct keys and collects the rest of the
// batch.
func (f *numFreq) addBatch(keys []uint64, pr presence, row0 int64, dense bool) {
	p := f.part()
	if dense && (!f.dup || p.laterFull(f.limit)) && p.addDense(keys, pr, row0) {
		if p.full() {
			p.collect(f.dup)
		}
		return
	}
	r := 0 // batch row of keys[i]
	for i, k := range keys {
		if pr.bm != nil {
			for !bitutil.BitIsSet(pr.bm, pr.off+r) {
				r++
			}
		}
		p.add(k, row0+int64(r), f.dup, f.limit)
		r++
		if p.full() {
			p.collect(f.dup)
			rest := keys[i+1:]
			dst := p.coll.reserve(len(rest))
			dst = append(dst, rest...)
			p.coll.commit(len(dst))
			f.segment(dst, pr, row0, r)
			return
		}
	}
}

// addDense counts a batch of integer keys in an array indexed by key when
// they span a narrow range (a label column), and reports whether it did.
func (p *numPart) addDense(keys []uint64, pr presence, row0 int64) bool {
	if len(keys) == 0 {
		return true
	}
	lo, hi := keys[0], keys[0]
	for _, k := range keys {
		lo = min(lo, k)
		hi = max(hi, k)
	}
	if hi-lo >= denseSpan || hi-lo >= uint64(len(keys)) {
		return false
	}
	span := int(hi-lo) + 1
	counts := make([]int64, span)
	first := make([]int64, span)
	r := 0
	for _, k := range keys {
		if pr.bm != nil {
			for !bitutil.BitIsSet(pr.bm, pr.off+r) {
				r++
			}
		}
		d := k - lo
		if counts[d] == 0 {
			first[d] = row0 + int64(r)
		}
		counts[d]++
		r++
	}
	// Add keys in order of first occurrence, as the value-by-value path does.
	order := make([]int, 0, span)
	for d, c := range counts {
		if c > 0 {
			order = append(order, d)
		}
	}
	sort.Slice(order, func(a, b int) bool { return first[order[a]] < first[order[b]] })
	for _, d := range order {
		p.addN(lo+uint64(d), counts[d], first[d])
	}
	return true
}

// segment records collected keys (already in coll) that start at batch row
// r of a batch whose first row is row0.
func (f *numFreq) segment(keys []uint64, pr presence, row0 int64, r int) {
	if len(keys) == 0 {
		return
	}
	s := segment{keys: keys, row0: row0 + int64(r)}
	if pr.bm != nil {
		n := pr.n - r
		s.present = make([]byte, bitutil.BytesForBits(int64(n)))
		bitutil.CopyBitmap(pr.bm, pr.off+r, n, s.present, 0)
	}
	p := f.part()
	p.segs = append(p.segs, s)
}

// densePerKey bounds the dense path: a part whose keys span at most
// densePerKey times as many integers as it holds keys marks them in
// bitmaps (2 bits per integer of the span, at most 4 bytes per key)
// rather than sorting them.
const densePerKey = 16

// bitset marks a range of keys: bit j of word 2i is set when key
// base+64i+j occurs, bit j of word 2i+1 when it occurs more than once.
type bitset struct {
	base uint64 // a multiple of 64
	w    []uint64
}

// keys returns the marked keys in increasing order, a repeated one twice.
func (b *bitset) keys() []uint64 {
	var out []uint64
	for i := 0; i < len(b.w); i += 2 {
		for s := b.w[i]; s != 0; s &= s - 1 {
			j := uint64(bits.TrailingZeros64(s))
			k := b.base + uint64(i/2)*64 + j
			out = append(out, k)
			if b.w[i+1]&(1<<j) != 0 {
				out = append(out, k)
			}
		}
	}
	return out
}

// markKeys marks the keys of src and runs, whose smallest and largest are
// lo and hi, and the keys of extra as repeated.
func markKeys(src [][]uint64, runs []keyRun, lo, hi uint64, extra []keyCount) *bitset {
	b := &bitset{base: lo &^ 63}
	b.w = make([]uint64, 2*((hi-b.base)/64+1))
	w := b.w
	for _, c := range src {
		for _, k := range c {
			d := k - b.base
			i, bit := (d>>6)*2, uint64(1)<<(d&63)
			w[i+1] |= w[i] & bit
			w[i] |= bit
		}
	}
	// A run marks whole words at once: the bits from its first key's to
	// its last key's, word by word.
	for _, r := range runs {
		d, e := r.first-b.base, r.last()-b.base
		for i := d >> 6; i <= e>>6; i++ {
			bits := ^uint64(0)
			if i == d>>6 {
				bits &= ^uint64(0) << (d & 63)
			}
			if i == e>>6 {
				bits &= ^uint64(0) >> (63 - e&63)
			}
			w[2*i+1] |= w[2*i] & bits
			w[2*i] |= bits
		}
	}
	for _, e := range extra {
		d := e.key - b.base
		w[(d>>6)*2+1] |= 1 << (d & 63)
	}
	return b
}

// flush ends the worker's part, while the other workers may still be
// evaluating batches. When no check needs every key's count, it marks the
// part's keys in bitmaps if they are dense integers, or splits them by
// hash; otherwise it sorts them.
func (f *numFreq) flush() { f.part().flush(f) }

func (p *numPart) flush(f *numFreq) {
	if p.flushed {
		return
	}
	p.flushed = true
	if !p.collecting {
		p.collect(f.dup)
	}
	p.n = int64(p.coll.n)
	for _, r := range p.runs {
		p.n += int64(r.n)
	}
	for _, e := range p.extra {
		p.n += e.count
	}
	if p.n == 0 {
		return
	}
	if !f.keep {
		lo, hi := uint64(math.MaxUint64), uint64(0)
		for _, c := range p.coll.c {
			for _, k := range c {
				lo = min(lo, k)
				hi = max(hi, k)
			}
		}
		for _, r := range p.runs {
			lo = min(lo, r.first)
			hi = max(hi, r.last())
		}
		if hi-lo < densePerKey*uint64(p.n) {
			p.bits = markKeys(p.coll.c, p.runs, lo, hi, p.extra)
			if !f.dup {
				p.coll, p.runs = chunks[uint64]{}, nil
			}
			return
		}
		p.expandRuns()
		p.split = splitKeys(p.coll.c, p.coll.n, !f.dup)
		if !f.dup {
			p.coll = chunks[uint64]{}
		}
		return
	}
	p.sort(f)
}

// sort sorts the part's keys; without the unique check the keys in row
// order are no longer needed.
func (p *numPart) sort(f *numFreq) {
	p.expandRuns()
	p.sorted = sortKeys(p.coll.c, p.coll.n, !f.dup)
	if !f.dup {
		p.coll, p.runs, p.segs = chunks[uint64]{}, nil, nil
	}
}

func (f *numFreq) mergeFrom(other freqTable, _ int) {
	f.parts = append(f.parts, other.(*numFreq).parts...)
}

// finish counts the merged parts: the distinct keys, the repeated ones and,
// for the unique check, the rows of repeated values with the smallest row
// numbers. Parts in bitmaps combine word by word, parts split by hash
// bucket by bucket, and sorted parts by a merge that counts their runs.
func (f *numFreq) finish(int) {
	if f.done {
		return
	}
	f.done = true
	var wg sync.WaitGroup
	for _, p := range f.parts {
		wg.Go(func() { p.flush(f) })
	}
	wg.Wait()
	var total int64
	dense := true
	for _, p := range f.parts {
		total += p.n
		dense = dense && (p.bits != nil || p.n == 0)
	}
	var in func(uint64) bool
	switch {
	case dense:
		in = f.combine(total)
	case f.keep:
		in = f.walk()
	default:
		in = f.hashCount(total)
	}
	f.isRepeated = in
	if f.dup && f.unexpected > 0 {
		f.sample = f.repeatedRows(in)
	}
	for _, p := range f.parts {
		p.coll, p.runs, p.segs, p.keys, p.first, p.later = chunks[uint64]{}, nil, nil, nil, nil, nil
		p.bits, p.split, p.sorted, p.extra = nil, nil, nil, nil
	}
}

// combineSparse counts parts held in bitmaps whose union spans too wide a
// range for one bitmap, in a map of each key to its count, capped at 2.
func (f *numFreq) combineSparse(total int64) func(uint64) bool {
	m := map[uint64]uint8{}
	for _, p := range f.parts {
		if p.bits == nil {
			continue
		}
		w := p.bits.w
		for i := range uint64(len(w) / 2) {
			s, d := w[2*i], w[2*i+1]
			for s != 0 {
				b := uint64(bits.TrailingZeros64(s))
				s &= s - 1
				k := p.bits.base + i*64 + b
				c := uint8(1)
				if d&(1<<b) != 0 {
					c = 2
				}
				m[k] = min(2, m[k]+c)
			}
		}
	}
	once := 0
	for _, c := range m {
		if c == 1 {
			once++
		}
	}
	f.ndistinct += len(m)
	f.unexpected = total - int64(once)
	return func(k uint64) bool { return m[k] >= 2 }
}

// combine counts parts held in bitmaps: a key is distinct when some part
// has it, occurs once when exactly one part has it once, and the unexpected
// values are all the others. It returns the test of a repeated key.
func (f *numFreq) combine(total int64) func(uint64) bool {
	lo, hi := uint64(math.MaxUint64), uint64(0)
	for _, p := range f.parts {
		if p.bits != nil {
			lo = min(lo, p.bits.base)
			hi = max(hi, p.bits.base+uint64(len(p.bits.w)/2)*64-1)
		}
	}
	if lo > hi {
		return func(uint64) bool { return false }
	}
	if hi-lo >= densePerKey*uint64(max(total, 1)) {
		// Each part is dense but their union is not (float keys, or
		// integers far apart in different workers): count the keys.
		return f.combineSparse(total)
	}
	nw := (hi-lo)/64 + 1
	ones, twos := make([]uint64, nw), make([]uint64, nw)
	for _, p := range f.parts {
		if p.bits == nil {
			continue
		}
		o := (p.bits.base - lo) / 64
		w := p.bits.w
		for i := range uint64(len(w) / 2) {
			s, d := w[2*i], w[2*i+1]
			twos[o+i] |= d | (ones[o+i] & s)
			ones[o+i] |= s
		}
	}
	once := 0
	for i, s := range ones {
		f.ndistinct += bits.OnesCount64(s)
		once += bits.OnesCount64(s &^ twos[i])
	}
	f.unexpected = total - int64(once)
	return func(k uint64) bool {
		d := k - lo
		return k >= lo && d/64 < nw && twos[d/64]&(1<<(d&63)) != 0
	}
}

// walk merges the sorted parts (the frequency tables that keep every
// key with its count) and counts the runs. It returns the test of a
// repeated key.
func (f *numFreq) walk() func(uint64) bool {
	var extra []keyCount
	runs := make([][]uint64, 0, len(f.parts))
	for _, p := range f.parts {
		if len(p.sorted) > 0 {
			runs = append(runs, p.sorted)
			extra = append(extra, p.extra...)
		}
	}
	t := tally{dup: f.dup, keep: f.keep}
	walkRuns(runs, sumExtra(extra), &t)
	f.ndistinct, f.keys, f.counts = t.distinct, t.keys, t.counts
	for _, c := range t.counts {
		if c > 1 {
			f.unexpected += c
		}
	}
	return inSorted(t.repeated)
}

// inSorted returns the test of membership in sorted keys. The unique
// check's sample may test every value of the column, so a filter of 2^16
// bits (by the top bits of k·mixer) answers most absent keys first.
func inSorted(keys []uint64) func(uint64) bool {
	var filter [1 << 10]uint64
	for _, k := range keys {
		h := (k * mixer) >> 48
		filter[h>>6] |= 1 << (h & 63)
	}
	return func(k uint64) bool {
		if h := (k * mixer) >> 48; filter[h>>6]&(1<<(h&63)) == 0 {
			return false
		}
		_, ok := slices.BinarySearch(keys, k)
		return ok
	}
}

// mixer is the odd constant (2^64 / the golden ratio) of Fibonacci
// hashing: the top bits of k·mixer depend on every bit of k.
const mixer = 0x9E3779B97F4A7C15

// bucketOf is the bucket of key k among the 256 of a split.
func bucketOf(k uint64) int { return int((k * mixer) >> 56) }

// split holds a part's keys grouped by bucketOf: bucket b is
// keys[start[b]:start[b+1]].
type split struct {
	keys  []uint64
	start [257]int
}

func (s *split) bucket(b int) []uint64 { return s.keys[s.start[b]:s.start[b+1]] }

// splitKeys groups the n keys of src by bucketOf (a counting pass and a
// scattering pass). When release is set, src's chunks are dropped, for the
// garbage collector.
func splitKeys(src [][]uint64, n int, release bool) *split {
	s := &split{keys: make([]uint64, n)}
	for _, c := range src {
		for _, k := range c {
			s.start[bucketOf(k)+1]++
		}
	}
	for b := 1; b <= 256; b++ {
		s.start[b] += s.start[b-1]
	}
	next := s.start
	for _, c := range src {
		for _, k := range c {
			b := bucketOf(k)
			s.keys[next[b]] = k
			next[b]++
		}
	}
	if release {
		clear(src)
	}
	return s
}

// hashCount counts parts whose keys are split by bucketOf (a part held in
// bitmaps is split first, a repeated key twice): bucket by bucket, in
// parallel, an open-addressing table counts each key of the bucket from
// every part, up to 2, which is all the distinct, unique and unexpected
// counts need. Buckets of a 10-million-key column hold about 40,000 keys,
// whose table stays in the cache. It returns the test of a repeated key.
func (f *numFreq) hashCount(total int64) func(uint64) bool {
	var wg sync.WaitGroup
	for _, p := range f.parts {
		if p.bits != nil {
			wg.Go(func() {
				keys := p.bits.keys()
				p.split, p.bits = splitKeys([][]uint64{keys}, len(keys), true), nil
			})
		}
	}
	wg.Wait()
	// Keys of a hash phase with a count above 1 occur once in their part's
	// keys: adding them once more marks them repeated.
	var extra []uint64
	for _, p := range f.parts {
		for _, e := range p.extra {
			extra = append(extra, e.key)
		}
	}
	slices.SortFunc(extra, func(a, b uint64) int { return bucketOf(a) - bucketOf(b) })
	var extraStart [257]int
	for _, k := range extra {
		extraStart[bucketOf(k)+1]++
	}
	for b := 1; b <= 256; b++ {
		extraStart[b] += extraStart[b-1]
	}
	distinct, once, repeated := countBuckets(func(b int, dst [][]uint64) [][]uint64 {
		for _, p := range f.parts {
			if p.split != nil {
				dst = append(dst, p.split.bucket(b))
			}
		}
		return append(dst, extra[extraStart[b]:extraStart[b+1]])
	}, f.dup)
	f.ndistinct += int(distinct)
	f.unexpected = total - once
	return inSorted(repeated)
}

// countBuckets counts keys grouped by bucketOf (keysOf appends to dst
// the slices holding bucket b's keys) bucket by bucket, in parallel, each
// in an open-addressing table counting up to 2, which is all the distinct,
// unique and unexpected counts need. Buckets of 10 million keys hold about
// 40,000 keys each, whose table stays in the cache. It returns the number
// of distinct keys, of keys counted once, and, with dup, the keys counted
// more than once, sorted.
func countBuckets(keysOf func(b int, dst [][]uint64) [][]uint64, dup bool) (distinct, once int64, repeated []uint64) {
	most := 0
	var buf [][]uint64
	for b := range 256 {
		n := 0
		buf = keysOf(b, buf[:0])
		for _, ks := range buf {
			n += len(ks)
		}
		most = max(most, n)
	}
	workers := runtime.GOMAXPROCS(0)
	type counts struct {
		distinct, once int64
		repeated       []uint64
	}
	res := make([]counts, workers)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			t := newCounter(most)
			r := &res[w]
			var buf [][]uint64
			for b := int(next.Add(1)) - 1; b < 256; b = int(next.Add(1)) - 1 {
				buf = keysOf(b, buf[:0])
				for _, ks := range buf {
					for _, k := range ks {
						t.add(k)
					}
				}
				d, o := t.drain(&r.repeated, dup)
				r.distinct += d
				r.once += o
			}
		})
	}
	wg.Wait()
	for _, r := range res {
		distinct += r.distinct
		once += r.once
		repeated = append(repeated, r.repeated...)
	}
	slices.Sort(repeated)
	return distinct, once, repeated
}

// counter is an open-addressing hash table (linear probing) counting keys
// up to 2.
type counter struct {
	keys  []uint64
	n     []uint8 // 0: empty slot
	mask  uint64
	shift uint
}

// newCounter returns a table for up to m keys of one bucket, at most half
// full. Its slot is taken from the bits of k·mixer below the bucket's.
func newCounter(m int) *counter {
	bits := uint(max(4, bits.Len(uint(2*m))))
	return &counter{keys: make([]uint64, 1<<bits), n: make([]uint8, 1<<bits), mask: 1<<bits - 1, shift: 56 - min(bits, 56)}
}

func (t *counter) add(k uint64) {
	i := (k * mixer >> t.shift) & t.mask
	for t.n[i] != 0 && t.keys[i] != k {
		i = (i + 1) & t.mask
	}
	t.keys[i] = k
	t.n[i] = min(t.n[i]+1, 2)
}

// drain returns the number of keys in the table and of those counted once,
// appends the repeated ones to repeated when dup is set, and empties the
// table.
func (t *counter) drain(repeated *[]uint64, dup bool) (distinct, once int64) {
	// Half the slots are taken, at random: count without branches.
	for i, c := range t.n {
		distinct += int64((c + 1) >> 1)
		once += int64(c & 1)
		if c == 2 && dup {
			*repeated = append(*repeated, t.keys[i])
		}
	}
	clear(t.n)
	return distinct, once
}

// sumExtra sorts extra counts by key and adds those of equal keys.
func sumExtra(e []keyCount) []keyCount {
	slices.SortFunc(e, func(a, b keyCount) int {
		switch {
		case a.key < b.key:
			return -1
		case a.key > b.key:
			return 1
		}
		return 0
	})
	out := e[:0]
	for _, x := range e {
		if n := len(out); n > 0 && out[n-1].key == x.key {
			out[n-1].count += x.count
		} else {
			out = append(out, x)
		}
	}
	return out
}

// tally counts the distinct keys of a merge of sorted runs.
type tally struct {
	dup, keep bool
	distinct  int
	repeated  []uint64 // keys occurring more than once, for dup
	keys      []uint64 // every key, for keep
	counts    []int64
}

func (t *tally) add(k uint64, c int64) {
	t.distinct++
	if c > 1 && t.dup {
		t.repeated = append(t.repeated, k)
	}
	if t.keep {
		t.keys = append(t.keys, k)
		t.counts = append(t.counts, c)
	}
}

// walkRuns tallies each distinct key of the sorted runs, in increasing
// order, with its count over all runs plus its extra count. Every key of
// extra occurs in some run.
func walkRuns(runs [][]uint64, extra []keyCount, t *tally) {
	e := 0
	count := func(k uint64, c int64) int64 {
		if e < len(extra) && extra[e].key == k {
			c += extra[e].count
			e++
		}
		return c
	}
	if len(runs) == 2 {
		// Two workers: a plain two-way merge.
		a, b := runs[0], runs[1]
		i, j := 0, 0
		for i < len(a) && j < len(b) {
			k := min(a[i], b[j])
			c := int64(0)
			for i < len(a) && a[i] == k {
				i++
				c++
			}
			for j < len(b) && b[j] == k {
				j++
				c++
			}
			t.add(k, count(k, c))
		}
		runs = [][]uint64{a[i:], b[j:]}
	}
	pos := make([]int, len(runs))
	for {
		live := false
		var k uint64
		for w, r := range runs {
			if pos[w] < len(r) && (!live || r[pos[w]] < k) {
				k, live = r[pos[w]], true
			}
		}
		if !live {
			return
		}
		c := int64(0)
		for w, r := range runs {
			i := pos[w]
			for i < len(r) && r[i] == k {
				i++
			}
			c += int64(i - pos[w])
			pos[w] = i
		}
		t.add(k, count(k, c))
	}
}

// repeatedRows returns the occurrences of repeated keys (in reports
// whether a key is one) with the smallest row numbers: per part, the first
// rows of the hash phase's keys, its later rows, and the first limit
// occurrences among the collected keys.
func (f *numFreq) repeatedRows(in func(uint64) bool) []result.Failure {
	var cand []laterRow[uint64]
	for _, p := range f.parts {
		for i, k := range p.keys {
			if in(k) {
				cand = append(cand, laterRow[uint64]{row: p.first[i], key: k})
			}
		}
		cand = append(cand, p.later...)
		hits := 0
	scan:
		for _, s := range p.segs {
			r := 0
			n := len(s.keys)
			if s.keys == nil {
				n = s.run.n
			}
			for i := range n {
				k := s.run.key(i)
				if s.keys != nil {
					k = s.keys[i]
				}
				if s.present != nil {
					for !bitutil.BitIsSet(s.present, r) {
						r++
					}
				}
				if in(k) {
					cand = append(cand, laterRow[uint64]{row: s.row0 + int64(r), key: k})
					hits++
					if f.limit >= 0 && hits >= f.limit {
						break scan
					}
				}
				r++
			}
		}
	}
	slices.SortFunc(cand, func(a, b laterRow[uint64]) int {
		switch {
		case a.row < b.row:
			return -1
		case a.row > b.row:
			return 1
		}
		return 0
	})
	if f.limit >= 0 && len(cand) > f.limit {
		cand = cand[:f.limit]
	}
	out := make([]result.Failure, len(cand))
	for i, c := range cand {
		out[i] = result.Failure{Row: c.row, Value: f.display(c.key)}
	}
	return out
}

func (f *numFreq) distinct() int { return f.ndistinct }

func (f *numFreq) duplicates(int) (int64, []result.Failure) { return f.unexpected, f.sample }

func (f *numFreq) classes() []classCount {
	out := make([]classCount, len(f.keys))
	for i, k := range f.keys {
		out[i] = classCount{value: f.display(k), count: f.counts[i]}
	}
	return out
}

// keyOf converts a suite value to the table's key; ok is false when no
// value of the column can equal it.
func (f *numFreq) keyOf(v Value) (uint64, bool) {
	if f.float {
		x, ok := keyOf[float64](v)
		return floatKey(x), ok
	}
	x, ok := keyOf[int64](v)
	return intKey(x), ok
}

func (f *numFreq) match(vals []Value) (counts []int64, others []classCount) {
	counts = make([]int64, len(vals))
	var listed []uint64
	for i, v := range vals {
		k, ok := f.keyOf(v)
		if !ok {
			continue
		}
		listed = append(listed, k)
		if j, ok := slices.BinarySearch(f.keys, k); ok {
			counts[i] = f.counts[j]
		}
	}
	slices.Sort(listed)
	for i, k := range f.keys {
		if _, ok := slices.BinarySearch(listed, k); !ok {
			others = append(others, classCount{value: f.display(k), count: f.counts[i]})
		}
	}
	sortClasses(others)
	return counts, others
}

// varying returns the shifts of the bytes that differ between keys whose
// bits differ where diff has ones, least significant first.
func varying(diff uint64) []uint {
	var out []uint
	for s := uint(0); s < 64; s += 8 {
		if (diff>>s)&0xff != 0 {
			out = append(out, s)
		}
	}
	return out
}

// msdMin is the size of a range of keys above which sorting splits it by
// its most significant varying byte first, so that the passes over each
// part run in the cache.
const msdMin = 1 << 16

// sortKeys returns the n keys held in src, sorted, in a new slice: one
// pass splits them by their most significant varying byte, then each
// bucket is sorted by sortRange. When release is set, src's chunks are
// dropped after that pass, for the garbage collector.
func sortKeys(src [][]uint64, n int, release bool) []uint64 {
	a := make([]uint64, n)
	if n == 0 {
		return a
	}
	var first uint64
	for _, c := range src {
		if len(c) > 0 {
			first = c[0]
			break
		}
	}
	var diff uint64
	for _, c := range src {
		for _, k := range c {
			diff |= k ^ first
		}
	}
	shifts := varying(diff)
	if len(shifts) == 0 || n <= msdMin {
		i := 0
		for _, c := range src {
			i += copy(a[i:], c)
		}
		if len(shifts) > 0 {
			sortRange(a, make([]uint64, n))
		}
		return a
	}
	top := shifts[len(shifts)-1]
	var start [257]int
	for _, c := range src {
		for _, k := range c {
			start[(k>>top)&0xff+1]++
		}
	}
	for d := 1; d <= 256; d++ {
		start[d] += start[d-1]
	}
	next := start
	for _, c := range src {
		for _, k := range c {
			d := (k >> top) & 0xff
			a[next[d]] = k
			next[d]++
		}
	}
	if release {
		clear(src)
	}
	b := make([]uint64, n)
	for d := range 256 {
		if lo, hi := start[d], start[d+1]; hi-lo > 1 {
			sortRange(a[lo:hi], b[lo:hi])
		}
	}
	return a
}

// sortRange sorts x in place with tmp (as long) as scratch: a range
// larger than msdMin is split by its most significant varying byte and
// each bucket sorted again; a smaller one is sorted by an LSD radix sort
// on the bytes that vary in it.
func sortRange(x, tmp []uint64) {
	if len(x) <= 64 {
		slices.Sort(x)
		return
	}
	var diff uint64
	for _, k := range x {
		diff |= k ^ x[0]
	}
	shifts := varying(diff)
	if len(shifts) == 0 {
		return
	}
	if len(x) > msdMin && len(shifts) > 1 {
		top := shifts[len(shifts)-1]
		var start [257]int
		for _, k := range x {
			start[(k>>top)&0xff+1]++
		}
		for d := 1; d <= 256; d++ {
			start[d] += start[d-1]
		}
		next := start
		for _, k := range x {
			d := (k >> top) & 0xff
			tmp[next[d]] = k
			next[d]++
		}
		copy(x, tmp)
		for d := range 256 {
			if lo, hi := start[d], start[d+1]; hi-lo > 1 {
				sortRange(x[lo:hi], tmp[lo:hi])
			}
		}
		return
	}
	hist := make([][256]int, len(shifts))
	for _, k := range x {
		for p, s := range shifts {
			hist[p][(k>>s)&0xff]++
		}
	}
	src, dst := x, tmp
	for p, s := range shifts {
		off, sum := &hist[p], 0
		for d, c := range off {
			off[d] = sum
			sum += c
		}
		for _, k := range src {
			d := (k >> s) & 0xff
			dst[off[d]] = k
			off[d]++
		}
		src, dst = dst, src
	}
	if len(shifts)%2 == 1 {
		copy(x, src)
	}
}

// chunks is an append-only sequence of values kept in chunks of growing
// size, so that appending never copies what is already kept. Its large
// chunks are backed by transparent huge pages where the system offers
// them (newChunk): they are written once, in full.
type chunks[T any] struct {
	c [][]T
	n int
}

const (
	minChunk = 1 << 10
	maxChunk = 1 << 20
)

// reserve returns room for m more values: an empty slice with capacity for
// at least m at the end of the last chunk. Append to it, then commit.
func (b *chunks[T]) reserve(m int) []T {
	if k := len(b.c); k > 0 {
		last := b.c[k-1]
		if cap(last)-len(last) >= m {
			return last[len(last):]
		}
	}
	size := minChunk
	if k := len(b.c); k > 0 {
		size = min(2*cap(b.c[k-1]), maxChunk)
	}
	c := newChunk[T](max(size, m))
	b.c = append(b.c, c)
	return c
}

// commit keeps the m values appended to the slice reserve returned.
func (b *chunks[T]) commit(m int) {
	k := len(b.c) - 1
	b.c[k] = b.c[k][:len(b.c[k])+m]
	b.n += m
}

// presence says which rows of a batch have a value: bit off+i of bm for row
// i, or every row when bm is nil.
type presence struct {
	bm  []byte
	off int
	n   int // rows
}

func (p presence) has(i int) bool { return p.bm == nil || bitutil.BitIsSet(p.bm, p.off+i) }
