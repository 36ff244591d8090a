package expect

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"golang.org/x/sync/errgroup"

	"github.com/trustml/trustml/internal/accum"
	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/profile"
	"github.com/trustml/trustml/result"
)

// Options configure Evaluate. The zero value works.
type Options struct {
	// Schema is the schema of the whole table, for the table checks on
	// columns; nil means the reader's schema. Pass the file's schema when
	// the reader was projected onto the suite's columns.
	Schema *arrow.Schema
	// Workers is the number of goroutines evaluating batches; 0 means
	// runtime.GOMAXPROCS(0).
	Workers int
	// SampleSize is the number of failing values kept per check, the ones
	// with the smallest row numbers; 0 means 20, a negative value keeps all.
	SampleSize int
	// FailedRows, when set, receives every row that failed a check able
	// to name its failing rows, with the names of the checks it failed
	// and its key columns, in row order and in bounded memory (see
	// FailedRowsWriter). The samples in the results are unchanged. With a
	// key check (unique, unique_key, duplicate_rows) it needs Reread.
	FailedRows FailedRowsWriter
	// Now is the run's instant, fixed once per run: now() and today() in
	// rules and filters, relative date bounds (now - 2d) and freshness are
	// evaluated against it. The zero value means the time Evaluate starts.
	Now time.Time
	// Open reads the other datasets that references and row_count_ratio
	// compare with, before the pass; nil makes those checks an error.
	Open OpenFunc
	// Reread, when set, reads the data again for what one pass cannot
	// finish: the composite keys (unique_key) and duplicate rows whose
	// hashes repeat (56 bits of them) are told apart from hash collisions
	// by their values read again, so that the pass keeps 6 bytes per row
	// whatever the keys. When nil, those checks keep every row's key, encoded, in
	// memory during the pass.
	Reread RereadFunc
	// Profile, when set, is filled in the same pass: its columns' counts,
	// extremes, moments, lengths and distributions come from the
	// accumulators the checks read, each computed once per batch (a
	// column the suite does not check is read for the profile alone). It
	// must have been made for rr's schema; Evaluate adds the rows it read
	// to it with Profiler.Absorb once the pass is complete, and leaves it
	// untouched when it returns an error.
	Profile *profile.Profiler
}

// DefaultSampleSize is the number of failing values a check keeps.
const DefaultSampleSize = 20

// Evaluate runs every check of the suite over the record batches of rr in
// one pass and returns one result per check: table checks first, then
// column checks in suite order.
//
// Batches are spread over Options.Workers goroutines, each with its own
// typed accumulators, merged at the end; results do not depend on the
// number of workers, and counts do not depend on batch boundaries (float
// statistics may differ in the last bits). Evaluate retains each batch only
// while it is evaluated.
//
// A check that fails is a result. Evaluate returns an error only when the
// suite cannot be evaluated on this data: a column is missing or has a type
// a check cannot read, the reader fails, or ctx is cancelled.
func (s *Suite) Evaluate(ctx context.Context, rr array.RecordReader, opts Options) ([]result.Check, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	p, err := compile(s, rr.Schema(), opts)
	if err != nil {
		return nil, err
	}
	if err := p.prepareRows(ctx, opts.Open); err != nil {
		return nil, err
	}
	nw := opts.Workers
	if nw <= 0 {
		nw = runtime.GOMAXPROCS(0)
	}
	states := make([]*state, nw)
	jobs := make([]chan job, nw)
	g, gctx := errgroup.WithContext(ctx)
	// The failed rows go to one writer, in row order.
	var runs chan failedRun
	var written chan error
	if p.out != nil && len(p.out.lates) > 0 {
		// The failures known as the pass goes wait in a spill file for
		// the late ones (failedrows.go).
		if p.out.spill, err = os.CreateTemp("", "trustml-failed-*"); err != nil {
			return nil, fmt.Errorf("expect: failed rows: %w", err)
		}
		defer func() {
			p.out.spill.Close()
			os.Remove(p.out.spill.Name())
		}()
	}
	if p.out != nil {
		runs = make(chan failedRun, 2*nw)
		written = make(chan error, 1)
		go func() { written <- p.out.writeFailed(runs) }()
	}
	var workers sync.WaitGroup
	for w := range nw {
		states[w] = newState(p)
		jobs[w] = make(chan job, 2)
		workers.Add(1)
		g.Go(func() error {
			defer workers.Done()
			var err error
			for j := range jobs[w] {
				if err == nil && gctx.Err() == nil {
					err = states[w].update(p, j)
					switch {
					case err != nil || runs == nil:
					case p.out.spill != nil:
						runs <- failedRun{index: j.index, pairs: states[w].fails.spillPairs(j)}
					default:
						var rec arrow.RecordBatch
						rec, err = states[w].fails.record(gctx, p.out, j)
						runs <- failedRun{index: j.index, rec: rec}
					}
				}
				j.batch.Release()
			}
			if err == nil && gctx.Err() == nil {
				states[w].flush()
			}
			return err
		})
	}
	var rows int64
	idx := 0
	cancelled := false
	for !cancelled && rr.Next() {
		b := rr.RecordBatch()
		// A large batch (an Arrow IPC file's, say) goes out in slices, so
		// that every worker shares it and few batches are held at once.
		for lo := int64(0); lo < b.NumRows() && !cancelled; lo += sliceRows {
			var s arrow.RecordBatch
			if b.NumRows() <= sliceRows {
				s = b
				s.Retain()
			} else {
				s = b.NewSlice(lo, min(lo+sliceRows, b.NumRows()))
			}
			select {
			case jobs[idx%nw] <- job{batch: s, index: idx, offset: rows}:
			case <-gctx.Done():
				s.Release()
				cancelled = true
			}
			rows += s.NumRows()
			idx++
		}
	}
	for _, c := range jobs {
		close(c)
	}
	err = g.Wait()
	if runs != nil {
		workers.Wait()
		close(runs)
		if werr := <-written; err == nil && werr != nil {
			err = fmt.Errorf("expect: failed rows: %w", werr)
		}
	}
	if err != nil {
		return nil, err
	}
	if err := rr.Err(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st := merge(p, states)
	if err := p.resolveKeys(ctx, st, rows); err != nil {
		return nil, err
	}
	if p.out != nil && p.out.spill != nil {
		if err := p.writeLate(ctx, st, rows); err != nil {
			return nil, fmt.Errorf("expect: failed rows: %w", err)
		}
	}
	if opts.Profile != nil {
		cols := make([]*accum.Column, len(p.profiled))
		for i, cp := range p.profiled {
			cols[i] = st.cols[cp].Column
		}
		// The checks below read the merged accumulators; the profile gets
		// copies of what they sort or trim.
		opts.Profile.Absorb(rows, cloneColumns(cols))
	}
	return p.finish(rows, st), nil
}

// cloneColumns returns copies of cols that share nothing the caller may
// change afterwards (the moments' order, the distribution's maps).
func cloneColumns(cols []*accum.Column) []*accum.Column {
	out := make([]*accum.Column, len(cols))
	for i, c := range cols {
		cp := *c
		cp.Batches = slices.Clone(c.Batches)
		out[i] = &cp
	}
	return out
}

// sliceRows is the most rows a worker evaluates at once.
const sliceRows = 1 << 16

type job struct {
	batch  arrow.RecordBatch
	index  int    // batch number in stream order
	offset int64  // row number of the batch's first row
	sel    []byte // the rows the column's filter keeps; nil: every row
}

// selected reports whether the job's filter keeps row i.
func (j job) selected(i int) bool { return j.sel == nil || bitutil.BitIsSet(j.sel, i) }

// class is how the engine reads a column's values.
type class int

const (
	classOther    class = iota // only missing and type checks
	classInt                   // signed and unsigned integers
	classFloat                 // float16/32/64; NaN counts as missing
	classString                // utf8, large_utf8, utf8_view, dictionary of those
	classBool                  //
	classTemporal              // dates, times, timestamps, durations: by their integer value
	classNull                  // Arrow's null type: every value missing, nothing to read
)

func classOf(dt arrow.DataType) class {
	switch {
	case isInteger(dt):
		return classInt
	case isFloat(dt):
		return classFloat
	case isString(dt):
		return classString
	case dt.ID() == arrow.BOOL:
		return classBool
	case isTemporal(dt):
		return classTemporal
	case dt.ID() == arrow.NULL:
		return classNull
	}
	return classOther
}

func (c class) String() string {
	return [...]string{"other", "integer", "float", "string", "boolean", "temporal", "null"}[c]
}

// plan is a suite bound to a schema.
type plan struct {
	suite      *Suite
	schema     *arrow.Schema // table schema, for table checks
	readSchema *arrow.Schema // the reader's schema, the batches'
	cols       []*colPlan
	rows       []*rowsPlan // the table checks that read rows, in suite order
	sample     int
	now        time.Time // now() and today() in filters and rules

	// Filters and rules (filter.go): the distinct predicates, the
	// distinct conjunctions of them, the suite's filter (-1: none), each
	// column check's filter, and the rules.
	preds       []*predPlan
	predIdx     map[string]int
	filters     []*filterPlan
	filterIdx   map[string]int
	tableFilter int
	checkFilter map[*Check]int
	colOf       map[*Check]int // column check → its colPlan
	rules       []*rulePlan
	out         *failedPlan // the failed-rows output, nil without one
	reread      RereadFunc  // Options.Reread

	// profile is Options.Profile; profiled holds, per column of the
	// profile, the index of its colPlan.
	profile  *profile.Profiler
	profiled []int
}

type colPlan struct {
	filter  int // the filter its checks share, -1 for none
	name    string
	hint    string // from the field's "trustml.hint" metadata
	idx     int
	dt      arrow.DataType
	class   class
	moments bool // mean, stddev, sum
	values  bool // median, quantiles
	// deviations: a pushdown sums the squared deviations from the mean in
	// a second pass over the table, for stddev.
	deviations bool
	minmax     bool
	freq       bool // distinct, imbalance, unique
	dupRows    bool // unique
	classes    bool // every distinct value with its count: imbalance, distinct_values, categorical partitions
	lengths    bool // observed string lengths
	// profiled is the column's index in Options.Profile, -1 when not
	// profiled; numbers and strs turn on the profile's distribution.
	profiled      int
	numbers, strs bool
	rowCheck      []*rowCheck
	// nullRows and valueRows keep the rows of missing and of non-missing
	// values, for the missing check's sample.
	nullRows, valueRows bool
	binned              []*Check  // kl_divergence checks over bins, in colState.bins order
	quantiles           []float64 // the fractions whose order statistics checks read
	// schema is the reader's schema, for checks that read other columns
	// too; custom are the checks with accumulators of their own, in
	// colState.custom order.
	schema *arrow.Schema
	custom []*customCheck
	sample int       // failing values kept per check (Options.SampleSize)
	now    time.Time // the run's instant (Options.Now), for time bounds and freshness
}

// rowCheck is a compiled row-wise check.
type rowCheck struct {
	check                *Check
	lo, hi               float64
	hasLo, hasHi         bool
	strictLo, strictHi   bool
	numSet               *numberSet
	strSet               *stringSet
	boolSet              [2]bool
	re                   *regexp.Regexp
	ints                 *intBounds // range on an integer column: the bounds, exactly
	negate               bool       // not_in_set
	failAll              bool       // type: the column's type is not listed
	minLen, maxLen       int
	hasMinLen, hasMaxLen bool
	// pred judges a string value (not_regex, regex lists, like, date,
	// json); it must be safe for concurrent use.
	pred func(string) bool
}

func compile(s *Suite, rs *arrow.Schema, opts Options) (*plan, error) {
	p := &plan{suite: s, schema: opts.Schema, readSchema: rs, sample: opts.SampleSize, now: opts.Now,
		checkFilter: map[*Check]int{}, colOf: map[*Check]int{}, reread: opts.Reread}
	if p.schema == nil {
		p.schema = rs
	}
	if p.sample == 0 {
		p.sample = DefaultSampleSize
	}
	if p.now.IsZero() {
		p.now = time.Now()
	}
	errs := p.compileRows(s, rs)
	for ci := range s.Columns {
		if name := s.Columns[ci].Name; len(rs.FieldIndices(name)) == 0 {
			errs = append(errs, MissingColumnError(name, rs))
		}
	}
	for _, k := range s.Key {
		if len(rs.FieldIndices(k)) == 0 {
			errs = append(errs, fmt.Errorf("expect: key: %w", MissingColumnError(k, p.schema)))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if xerrs := p.compileExpressions(s, p.schema, rs); len(xerrs) > 0 {
		return nil, xerrs
	}
	// One colPlan per column and filter: the checks under one filter
	// share its accumulators.
	byKey := map[string]int{}
	for ci := range s.Columns {
		col := &s.Columns[ci]
		for i := range col.Checks {
			c := &col.Checks[i]
			f := p.checkFilter[c]
			key := col.Name + "\x00" + strconv.Itoa(f)
			k, ok := byKey[key]
			if !ok {
				k = p.addColumn(rs, col.Name, f)
				byKey[key] = k
			}
			p.colOf[c] = k
			if err := p.cols[k].bind(c); err != nil {
				errs = append(errs, fmt.Errorf("expect: %s: %w", c.Name(), err))
			}
		}
	}
	if opts.Profile != nil {
		p.profile = opts.Profile
		for i, name := range opts.Profile.Columns() {
			if len(rs.FieldIndices(name)) == 0 {
				errs = append(errs, MissingColumnError(name, rs))
				continue
			}
			// The profile reads the column's unfiltered accumulators.
			key := name + "\x00" + strconv.Itoa(-1)
			k, ok := byKey[key]
			if !ok {
				k = p.addColumn(rs, name, -1)
				byKey[key] = k
			}
			cp := p.cols[k]
			cp.profiled = i
			p.profiled = append(p.profiled, k)
			// What the profile reads of a column of its kind.
			switch opts.Profile.Kind(i) {
			case profile.Numeric:
				cp.need(accMoments | accMinMax)
				cp.numbers = true
			case profile.String:
				cp.need(accLengths)
				cp.strs = true
			case profile.Boolean:
				cp.strs = true
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if opts.FailedRows != nil {
		if err := p.planFailedRows(opts.FailedRows); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// addColumn adds the plan of column name (which rs holds) under filter f
// (-1: none) and returns its index in p.cols.
func (p *plan) addColumn(rs *arrow.Schema, name string, f int) int {
	idx := rs.FieldIndices(name)
	dt := rs.Field(idx[0]).Type
	cp := &colPlan{name: name, idx: idx[0], dt: dt, class: classOf(dt), filter: f, schema: rs, sample: p.sample, now: p.now, profiled: -1}
	// The reader's note on how the type was inferred, if any.
	cp.hint, _ = rs.Field(idx[0]).Metadata.GetValue("trustml.hint")
	p.cols = append(p.cols, cp)
	return len(p.cols) - 1
}

// MissingColumnError describes a column the suite names that the data
// lacks, with a near-miss hint and the columns that exist.
func MissingColumnError(name string, schema *arrow.Schema) error {
	names := make([]string, schema.NumFields())
	for i, f := range schema.Fields() {
		names[i] = f.Name
	}
	msg := fmt.Sprintf("expect: column %q is not in the data", name)
	if h := yamlx.Suggest(name, names); h != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", h)
	}
	return errors.New(msg + "; columns are: " + strings.Join(names, ", "))
}

// canMatch reports an error when v can never equal a value of the column
// (a quoted number against a numeric column, for example).
func (cp *colPlan) canMatch(v Value) error {
	switch cp.class {
	case classInt, classFloat:
		if !v.IsNum {
			return fmt.Errorf("column %q is %s; the value %q can never match it (write numbers without quotes)", cp.name, cp.dt, v.Text)
		}
	case classBool:
		if !v.IsBool {
			return fmt.Errorf("column %q is bool; the value %q can never match it (use true or false)", cp.name, v.Text)
		}
	}
	return nil
}

// sortedRows orders failures by row and keeps at most n (all when n < 0).
func sortedRows(f []result.Failure, n int) []result.Failure {
	sort.Slice(f, func(i, j int) bool { return f[i].Row < f[j].Row })
	if n >= 0 && len(f) > n {
		f = f[:n]
	}
	return f
}
