package trustml

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/trustml/trustml/dataset"
	"github.com/trustml/trustml/drift"
	"github.com/trustml/trustml/expect"
	"github.com/trustml/trustml/history"
	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/model"
	"github.com/trustml/trustml/profile"
	"github.com/trustml/trustml/result"
)

// RunOptions adjust a run. The zero value runs the suite as written.
type RunOptions struct {
	// DataPath replaces the suite's data path (the same suite on each
	// day's file): a file, a glob or a directory, relative to the working
	// directory.
	DataPath string
	// Source, when set, is read instead of the suite's data section (its
	// path and reading options): an Arrow table or record reader built in
	// Go (dataset.FromTable, dataset.FromRecordReader) or any other Source.
	// The run scans it once; the caller keeps ownership of what it wraps.
	Source dataset.Source
	// Workers is the number of goroutines evaluating expectations, and
	// the most files of a set open at once; 0 means one per CPU.
	Workers int
	// BatchSize is the number of rows per batch; 0 means the dataset default.
	BatchSize int
	// SampleSize is the number of failing values kept per check; 0 means 20.
	SampleSize int
	// Now returns the run's instant, called once per run: it is recorded as
	// RunInfo.Start, and now(), today(), relative date bounds and freshness
	// are evaluated against it. nil means time.Now.
	Now func() time.Time
	// Progress, when set, is called about five times a second while the
	// data is read, and once at the end, with how far reading has got:
	// bytes of the file or rows, of a total that is 0 when unknown (see
	// dataset.Reader.Progress). It runs on its own goroutine.
	Progress func(done, total int64, unit string)
	// Fingerprint is the hash algorithm of the data's fingerprint
	// (RunInfo.Data, and the reference's): "" keeps the suite's
	// data.fingerprint, whose default is dataset.DefaultHash (XXH3-128);
	// dataset.SHA256 on request. A Source built in Go takes its own
	// (dataset.WithFingerprint).
	Fingerprint dataset.HashAlgorithm
	// Profile asks for the profile of the columns the expectations and the
	// drift section name (Result.Profile), built in the same pass.
	Profile bool
	// FailedRows, when set, receives every row that failed a row-wise
	// check or a rule, streamed in row order as the pass goes (see
	// expect.FailedRowsWriter; NewFailedRowsWriter writes Parquet or CSV).
	FailedRows expect.FailedRowsWriter

	// History records the run in this store (an SQLite file, or a
	// postgres:// URL) instead of the suite's history section's, and turns
	// recording on for a suite without one.
	History string
	// HistoryOptions adjust how the store is opened.
	HistoryOptions history.Options
	// Tags and GitCommit are recorded with the run in the history.
	Tags      map[string]string
	GitCommit string
	// LookupEnv resolves ${NAME} in the history section's dsn; nil uses
	// os.LookupEnv.
	LookupEnv func(string) (string, bool)
}

// Result is the outcome of a run: what the JSON output holds.
type Result struct {
	SchemaVersion int            `json:"schema_version"`
	Passed        bool           `json:"passed"`
	Summary       Summary        `json:"summary"`
	Checks        []result.Check `json:"checks"`
	Model         *ModelResult   `json:"model,omitempty"`
	// Profile is the current data's profile when RunOptions.Profile asked
	// for it.
	Profile *profile.Profile `json:"profile,omitempty"`
	Run     RunInfo          `json:"run"`
	// History says where the run was recorded, when history is on.
	History *HistoryInfo `json:"history,omitempty"`
}

// Summary counts checks by status, overall and per section.
type Summary struct {
	result.Summary
	Sections map[result.Section]result.Summary `json:"sections"`
}

// RunInfo records what was run, on what, by which version, and when.
type RunInfo struct {
	Suite       string              `json:"suite"`
	SuiteSHA256 string              `json:"suite_sha256"`
	Name        string              `json:"name,omitempty"`
	Data        dataset.Fingerprint `json:"data"`
	Reference   *ReferenceInfo      `json:"reference,omitempty"`
	Seeds       map[string]uint64   `json:"seeds"`
	Version     string              `json:"trustml_version"`
	// Start is the run's instant: now() and today() in rules, relative
	// date bounds and freshness were evaluated against it (--now fixes it).
	Start           time.Time `json:"start"`
	DurationSeconds float64   `json:"duration_seconds"`
}

// ExitCode maps a result to the command line's exit code: 0 when every
// error-severity check passed, 1 when one failed, 2 when a check could not
// be evaluated.
func (r *Result) ExitCode() int {
	switch {
	case r.Summary.Error > 0:
		return 2
	case r.Summary.Fail > 0:
		return 1
	}
	return 0
}

// Run reads the suite's data once and evaluates every check. It returns an
// error when the run cannot happen (the data is missing, malformed or
// empty, a column the suite names is absent, ctx is cancelled); failed
// checks are in the Result.
func (s *Suite) Run(ctx context.Context, opts RunOptions) (*Result, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	start := now()
	clock := time.Now()

	path := s.Data.Path
	if opts.DataPath != "" {
		path = opts.DataPath
	}
	dopts := s.Data.Options
	dopts.Columns = s.columns()
	if opts.BatchSize > 0 {
		dopts.BatchSize = opts.BatchSize
	}
	if opts.Fingerprint != "" {
		dopts.Fingerprint = opts.Fingerprint
	}
	var ref *profile.Profile
	var refInfo *ReferenceInfo
	if s.Drift != nil {
		var err error
		if ref, refInfo, err = s.loadReference(ctx, opts); err != nil {
			return nil, err
		}
	}
	src := opts.Source
	expectations := s.Expectations
	var sq *sqlRun
	if src == nil && s.sqlSpec(opts) != nil {
		var err error
		if sq, err = s.openSQL(ctx, opts, start); err != nil {
			return nil, s.dataError(err)
		}
		defer sq.src.Close()
		src, expectations = sq.src, sq.local
		// Stream only what is not pushed down: the columns of the checks
		// computed locally, the model's, and the profiled ones.
		cols := append(sq.local.Names(), s.modelColumns()...)
		dopts.Columns = distinct(append(cols, s.profileColumns(opts.Profile)...))
		if sq.local.ReadsEveryColumn() {
			return nil, s.dataError(errors.New("duplicate_rows over every column reads the whole table: name its columns (duplicate_rows: {columns: [...]}) for a SQL source"))
		}
	}
	if src == nil {
		dopts.Workers = opts.Workers
		var err error
		if src, err = dataset.OpenSource(ctx, dataset.FileKind, path, dopts); err != nil {
			return nil, s.dataError(err)
		}
	}
	var rdr dataset.Scan
	var err error
	if sq != nil && len(dopts.Columns) == 0 {
		// Every check is pushed down and nothing else reads the data.
		rdr = sq.empty()
	} else {
		rdr, err = s.scan(ctx, src, dopts.Columns)
	}
	if err != nil {
		return nil, s.dataError(err)
	}
	defer rdr.Close()
	// The model needs its columns in memory; keep them as the one pass
	// over the data goes by.
	var keep *keeper
	var in array.RecordReader = rdr
	if s.Model != nil {
		keep = &keeper{RecordReader: rdr, columns: s.modelColumns()}
		defer keep.release()
		in = keep
	}
	// The drift section and the report need the data's profile; the
	// expectations' pass fills it from the accumulators its checks read.
	var prof *profile.Profiler
	if cols := s.profileColumns(opts.Profile); len(cols) > 0 {
		if prof, err = profile.New(rdr.Schema(), cols, profile.Options{}); err != nil {
			return nil, err
		}
	}
	stopProgress := reportProgress(rdr, opts.Progress)
	checks, err := expectations.Evaluate(ctx, in, expect.Options{
		Schema:     rdr.TableSchema(),
		Workers:    opts.Workers,
		SampleSize: opts.SampleSize,
		Now:        start,
		Open:       s.openOther(opts),
		Reread:     rereader(src, path, opts.Source != nil, dopts.Columns),
		FailedRows: opts.FailedRows,
		Profile:    prof,
	})
	stopProgress()
	if err != nil {
		return nil, s.dataError(err)
	}
	if loc, ok := rdr.(dataset.RowLocator); ok {
		locate(checks, loc)
	}
	var current *profile.Profile
	if prof != nil {
		current = prof.Finish()
	}
	fp, err := rdr.Fingerprint()
	if err != nil {
		return nil, s.dataError(err)
	}
	if sq != nil {
		// The scan is over; the session is free for the pushed queries.
		rdr.Close()
		var rows int64
		if checks, rows, err = sq.pd.Run(ctx, sq.src, checks); err != nil {
			return nil, err
		}
		fp = sq.src.Fingerprint(rows)
		path = sq.src.Location()
	}
	if fp.Rows == 0 {
		return nil, fmt.Errorf("%s: %w", path, dataset.ErrEmpty)
	}
	seeds := map[string]uint64{}
	if s.Drift != nil {
		dchecks, err := drift.Compare(s.Drift, ref, current)
		if err != nil {
			return nil, err
		}
		checks = append(checks, dchecks...)
	}
	var mres *ModelResult
	if s.Model != nil {
		var mchecks []result.Check
		mres, mchecks, err = s.runModel(ctx, keep, seeds)
		if err != nil {
			return nil, err
		}
		checks = append(checks, mchecks...)
	}
	var shown *profile.Profile
	if opts.Profile {
		shown = boundProfile(current)
	}
	res := &Result{
		SchemaVersion: SchemaVersion,
		Checks:        checks,
		Model:         mres,
		Profile:       shown,
		Run: RunInfo{
			Suite:       s.Path,
			SuiteSHA256: s.SHA256,
			Name:        s.Name,
			Data:        fp,
			Reference:   refInfo,
			Seeds:       seeds,
			Version:     version(),
			Start:       start.UTC(),
		},
	}
	res.finish()
	res.Run.DurationSeconds = time.Since(clock).Seconds()
	// The history checks judge the run's numbers against the runs before;
	// a store that fails is reported in res.History, not as an error.
	s.record(ctx, res, opts)
	return res, nil
}

// runModel runs the sections that need the model, in order: its
// objectives and the comparison with a champion, the behavioural tests,
// the slices. keep holds the model's columns of every row read; seeds
// gains the seed of each random step taken.
func (s *Suite) runModel(ctx context.Context, keep *keeper, seeds map[string]uint64) (*ModelResult, []result.Check, error) {
	mr, checks, run, err := runModelSpec(ctx, s.Model, keep.batches, memory.DefaultAllocator)
	if err != nil {
		return nil, nil, s.modelError(err)
	}
	defer run.release()
	keep.release()
	if mr.Partition.Method == model.SplitRandom {
		seeds["split"] = s.Model.Split.Seed
	}
	if mr.Tuning != nil && mr.Tuning.Method == model.CVKFold {
		seeds["tune"] = mr.Tuning.Seed
	}
	if s.Model.CompareTo != nil {
		cmp, cchecks, err := compare(ctx, s.Model, run, s.Slices, s.Seed)
		if err != nil {
			return nil, nil, s.modelError(err)
		}
		mr.Comparison = cmp
		checks = append(checks, cchecks...)
		seeds["compare"] = cmp.Seed
	}
	if len(s.Checklist) > 0 {
		cchecks, err := s.runChecklist(ctx, run)
		if err != nil {
			return nil, nil, err
		}
		checks = append(checks, cchecks...)
		seeds["checklist"] = s.Seed
	}
	if s.Slices != nil {
		schecks, err := runSlices(ctx, s.Slices, s.Model, run)
		if err != nil {
			return nil, nil, fmt.Errorf("%s:%d:%d: %w", s.Path, s.slicesLine, s.slicesCol, model.AtDataRows(err, run.testRows))
		}
		checks = append(checks, schecks...)
		seeds["slices"] = s.Slices.Seed
	}
	if s.Drift != nil && s.Drift.Prediction != nil {
		dchecks, err := s.predictionDrift(ctx, run)
		if err != nil {
			return nil, nil, err
		}
		checks = append(checks, dchecks...)
	}
	if s.Fairness != nil {
		fchecks, err := s.runFairness(run)
		if err != nil {
			return nil, nil, err
		}
		checks = append(checks, fchecks...)
		seeds["fairness"] = s.Fairness.Seed
	}
	if err := run.close(); err != nil {
		return nil, nil, s.modelError(err)
	}
	return mr, checks, nil
}

// boundProfile returns p for a result: a copy whose string values are cut
// to result.MaxValueRunes runes, so that the result's size is bounded
// whatever the data (p itself, a drift input, is left whole).
func boundProfile(p *profile.Profile) *profile.Profile {
	if p == nil {
		return nil
	}
	cp := *p
	cp.Columns = slices.Clone(p.Columns)
	for i := range cp.Columns {
		c := &cp.Columns[i]
		if c.Values == nil {
			continue
		}
		c.Values = slices.Clone(c.Values)
		for j := range c.Values {
			c.Values[j].Value, _ = result.Cut(c.Values[j].Value, result.MaxValueRunes)
		}
	}
	return &cp
}

func (r *Result) finish() {
	for i := range r.Checks {
		r.Checks[i].Bound()
	}
	r.Summary = Summary{Summary: result.Summarize(r.Checks), Sections: map[result.Section]result.Summary{}}
	bySection := map[result.Section][]result.Check{}
	for _, c := range r.Checks {
		bySection[c.Section] = append(bySection[c.Section], c)
	}
	for sec, cs := range bySection {
		r.Summary.Sections[sec] = result.Summarize(cs)
	}
	r.Passed = r.Summary.Passed()
}

// reportProgress calls report with rdr's progress five times a second
// until the returned function is called, which reports once more and
// waits for the reporting goroutine to end.
func reportProgress(rdr dataset.Scan, report func(done, total int64, unit string)) (stop func()) {
	if report == nil {
		return func() {}
	}
	quit, ended := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(ended)
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				report(rdr.Progress())
			case <-quit:
				report(rdr.Progress())
				return
			}
		}
	}()
	return func() {
		close(quit)
		<-ended
	}
}

// modelError places a model error at the suite's model section.
func (s *Suite) modelError(err error) error {
	if s.Model == nil || s.Model.Line == 0 {
		return err
	}
	return fmt.Errorf("%s:%d:%d: %w", s.Path, s.Model.Line, s.Model.Col, err)
}

// keeper is a RecordReader that keeps the named columns of every batch
// that passes through it.
type keeper struct {
	array.RecordReader
	columns []string
	batches []arrow.RecordBatch
}

func (k *keeper) Next() bool {
	if !k.RecordReader.Next() {
		return false
	}
	b := k.RecordReader.RecordBatch()
	if b.NumRows() == 0 {
		return true
	}
	fields := make([]arrow.Field, 0, len(k.columns))
	cols := make([]arrow.Array, 0, len(k.columns))
	for _, name := range k.columns {
		idx := b.Schema().FieldIndices(name)
		if len(idx) == 0 {
			continue // reported by whoever needs the column
		}
		fields = append(fields, b.Schema().Field(idx[0]))
		cols = append(cols, b.Column(idx[0]))
	}
	k.batches = append(k.batches, array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, b.NumRows()))
	return true
}

func (k *keeper) release() {
	for _, b := range k.batches {
		b.Release()
	}
	k.batches = nil
}

// scan starts the pass over cols. A column that only the expectations'
// filters and rules name, and that the data lacks, is matched
// case-insensitively (as expr matches names) or left out, for Evaluate to
// report at its place in the expression with a "did you mean" hint.
func (s *Suite) scan(ctx context.Context, src dataset.Source, cols []string) (dataset.Scan, error) {
	rdr, err := src.Scan(ctx, cols)
	var mc *dataset.MissingColumnsError
	if err == nil || !errors.As(err, &mc) {
		return rdr, err
	}
	named := map[string]bool{}
	for _, c := range s.Expectations.Columns {
		named[c.Name] = true
		for _, k := range c.Checks {
			named[k.With], named[k.OrderBy] = true, true
			for _, w := range k.WithColumns {
				named[w] = true
			}
		}
	}
	for _, c := range s.Expectations.Table {
		for _, name := range c.Columns {
			named[name] = true
		}
	}
	for _, c := range s.modelColumns() {
		named[c] = true
	}
	for _, c := range s.Drift.Names() {
		named[c] = true
	}
	for _, m := range mc.Missing {
		if named[m] {
			return nil, err
		}
	}
	var out []string
	for _, c := range cols {
		if !slices.Contains(mc.Missing, c) {
			out = append(out, c)
		}
	}
	for _, m := range mc.Missing {
		var match []string
		for _, a := range mc.Available {
			if strings.EqualFold(a, m) {
				match = append(match, a)
			}
		}
		if len(match) == 1 && !slices.Contains(out, match[0]) {
			out = append(out, match[0])
		}
	}
	return src.Scan(ctx, out)
}

// dataError places a missing-column error at the column's key in the
// suite, so the message reads "suite.yaml:12:5: expectations.columns.agee: ...".
func (s *Suite) dataError(err error) error {
	var pe *expect.PositionError
	if errors.As(err, &pe) && pe.Line > 0 {
		return &yamlx.Error{File: s.Path, Problems: []yamlx.Problem{{Line: pe.Line, Col: pe.Col, Path: pe.Path, Msg: pe.Err.Error()}}}
	}
	var xe expect.ExpressionErrors
	if errors.As(err, &xe) && len(xe) > 0 && xe[0].Line > 0 {
		ye := &yamlx.Error{File: s.Path}
		for _, e := range xe {
			ye.Problems = append(ye.Problems, yamlx.Problem{Line: e.Line, Col: e.Col, Path: e.Path, Msg: e.Error()})
		}
		slices.SortStableFunc(ye.Problems, func(a, b yamlx.Problem) int { return cmp.Or(a.Line-b.Line, a.Col-b.Col) })
		return ye
	}
	var mc *dataset.MissingColumnsError
	if !errors.As(err, &mc) || len(mc.Missing) == 0 {
		return err
	}
	for _, col := range s.Expectations.Columns {
		if col.Name == mc.Missing[0] && col.Line > 0 {
			return &yamlx.Error{File: s.Path, Problems: []yamlx.Problem{{
				Line: col.Line, Col: col.Col,
				Path: "expectations.columns." + col.Name,
				Msg:  err.Error(),
			}}}
		}
	}
	for _, c := range s.Expectations.Table {
		if slices.Contains(c.Columns, mc.Missing[0]) && c.Line > 0 {
			return &yamlx.Error{File: s.Path, Problems: []yamlx.Problem{{
				Line: c.Line, Col: c.Col, Path: "expectations." + c.Key(), Msg: err.Error(),
			}}}
		}
	}
	if e := s.driftError(mc.Missing[0], err); e != nil {
		return e
	}
	if e := s.fairnessColumnError(mc.Missing[0], err); e != nil {
		return e
	}
	if s.Model != nil && slices.Contains(s.Model.Columns(), mc.Missing[0]) {
		return &yamlx.Error{File: s.Path, Problems: []yamlx.Problem{{
			Line: s.Model.Line, Col: s.Model.Col, Path: "model", Msg: err.Error(),
		}}}
	}
	return err
}

// openOther opens the other datasets the expectations compare with
// (references, row_count_ratio), each with its own reading options,
// projected onto the columns asked for; nil columns: one column, enough
// to count the rows.
func (s *Suite) openOther(opts RunOptions) expect.OpenFunc {
	return func(ctx context.Context, d *expect.Dataset, columns []string) (array.RecordReader, error) {
		var dopts dataset.Options
		if spec, ok := d.Options.(*DataSpec); ok {
			dopts = spec.Options
		}
		if opts.BatchSize > 0 {
			dopts.BatchSize = opts.BatchSize
		}
		dopts.Workers = opts.Workers
		fail := func(err error) error {
			var mc *dataset.MissingColumnsError
			switch {
			case errors.Is(err, os.ErrNotExist):
				return fmt.Errorf("%s: no such file", d.Path)
			case errors.As(err, &mc):
				return noColumn{err}
			}
			return err
		}
		src, err := dataset.OpenSource(ctx, dataset.FileKind, d.Path, dopts)
		if err != nil {
			return nil, fail(err)
		}
		if columns == nil {
			sc, err := src.Scan(ctx, nil)
			if err != nil {
				return nil, fail(err)
			}
			if fs := sc.TableSchema().Fields(); len(fs) > 0 {
				columns = []string{fs[0].Name}
			}
			sc.Close()
		}
		sc, err := src.Scan(ctx, columns)
		if err != nil {
			return nil, fail(err)
		}
		return sc, nil
	}
}

// noColumn is a missing column of another dataset, for expect.
type noColumn struct{ error }

func (noColumn) Is(target error) bool { return target == expect.ErrNoColumn }
func (e noColumn) Unwrap() error      { return e.error }

// ReferenceInfo records the reference a drift section compared with.
type ReferenceInfo struct {
	Path string `json:"path"`
	// Format is "profile" for a saved profile, else the data format read.
	Format string `json:"format"`
	Bytes  int64  `json:"bytes"`
	// Algorithm and Hash are the reference's fingerprint (a saved
	// profile's bytes are hashed with the run's algorithm too).
	Algorithm dataset.HashAlgorithm `json:"algorithm"`
	Hash      string                `json:"hash"`
	Rows      int64                 `json:"rows"`
	// Source is what a saved profile says it was made from (the data
	// fingerprint `trustml profile` records), as written in it.
	Source any `json:"source,omitempty"`
}

// UnmarshalJSON reads a reference, including one written before the
// algorithm was recorded, whose hash was the "sha256" key.
func (r *ReferenceInfo) UnmarshalJSON(b []byte) error {
	type plain ReferenceInfo
	var v struct {
		plain
		Legacy string `json:"sha256"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*r = ReferenceInfo(v.plain)
	if r.Hash == "" && v.Legacy != "" {
		r.Algorithm, r.Hash = dataset.SHA256, v.Legacy
	}
	return nil
}

// loadReference reads the reference's profile: a saved profile (.json), or
// the drift columns of a data file profiled here, before the run's pass.
func (s *Suite) loadReference(ctx context.Context, opts RunOptions) (*profile.Profile, *ReferenceInfo, error) {
	path := s.Data.Reference
	at := func(err error) error {
		return &yamlx.Error{File: s.Path, Problems: []yamlx.Problem{{Line: s.Data.RefLine, Col: s.Data.RefCol, Path: "data.reference", Msg: err.Error()}}}
	}
	if strings.EqualFold(filepath.Ext(path), ".json") {
		src, err := profile.ReadFile(path)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, nil, at(fmt.Errorf("%s: no such file", path))
			}
			return nil, nil, at(err)
		}
		p, err := profile.Decode(path, src)
		if err != nil {
			return nil, nil, fmt.Errorf("reference profile: %w", err)
		}
		alg, sum, err := dataset.HashBytes(s.fingerprint(opts), src)
		if err != nil {
			return nil, nil, at(err)
		}
		return p, &ReferenceInfo{Path: path, Format: "profile", Bytes: int64(len(src)), Algorithm: alg, Hash: sum, Rows: p.Rows, Source: p.Source}, nil
	}
	dopts := s.Data.Options
	dopts.Format = ""
	dopts.Fingerprint = s.fingerprint(opts)
	dopts.Columns = s.Drift.Names()
	if opts.BatchSize > 0 {
		dopts.BatchSize = opts.BatchSize
	}
	dopts.Workers = opts.Workers
	src, err := dataset.OpenSource(ctx, dataset.FileKind, path, dopts)
	if err != nil {
		return nil, nil, s.referenceError(err, at)
	}
	rdr, err := src.Scan(ctx, dopts.Columns)
	if err != nil {
		return nil, nil, s.referenceError(err, at)
	}
	defer rdr.Close()
	p, err := profile.Read(ctx, rdr, dopts.Columns)
	if err != nil {
		return nil, nil, s.referenceError(err, at)
	}
	fp, err := rdr.Fingerprint()
	if err != nil {
		return nil, nil, at(err)
	}
	return p, &ReferenceInfo{Path: path, Format: string(fp.Format), Bytes: fp.Bytes, Algorithm: fp.Algorithm, Hash: fp.Hash, Rows: fp.Rows}, nil
}

// fingerprint is the run's fingerprint algorithm: RunOptions.Fingerprint,
// else the suite's data.fingerprint.
func (s *Suite) fingerprint(opts RunOptions) dataset.HashAlgorithm {
	return cmp.Or(opts.Fingerprint, s.Data.Options.Fingerprint)
}

// referenceError places a column the reference lacks at the drift
// section's column, and every other problem at data.reference.
func (s *Suite) referenceError(err error, at func(error) error) error {
	var mc *dataset.MissingColumnsError
	if errors.As(err, &mc) && len(mc.Missing) > 0 {
		if e := s.driftError(mc.Missing[0], fmt.Errorf("the reference: %w", err)); e != nil {
			return e
		}
	}
	if errors.Is(err, os.ErrNotExist) {
		return at(fmt.Errorf("%s: no such file", s.Data.Reference))
	}
	return at(err)
}

// driftError places err at the drift section's key for column, or returns
// nil when the drift section does not name it.
func (s *Suite) driftError(column string, err error) error {
	if s.Drift == nil {
		return nil
	}
	for _, c := range s.Drift.Columns {
		if c.Name == column {
			return &yamlx.Error{File: s.Path, Problems: []yamlx.Problem{{
				Line: c.Line, Col: c.Col, Path: "drift.columns." + c.Name, Msg: err.Error(),
			}}}
		}
	}
	return nil
}

// profileColumns lists the columns whose profile the run builds: the drift
// section's, and the expectations' too when the caller asks for the profile.
func (s *Suite) profileColumns(all bool) []string {
	cols := s.Drift.Names()
	if all {
		cols = append(cols, s.Expectations.Names()...)
	}
	return distinct(cols)
}

// locate names the file of each failing row of a set of files, and the
// row within it, in the samples and in the messages that cite the first.
func locate(checks []result.Check, loc dataset.RowLocator) {
	for i := range checks {
		c := &checks[i]
		for j := range c.Sample {
			f := &c.Sample[j]
			global := f.Row
			f.File, f.Row = loc.Locate(global)
			if j == 0 {
				// expect writes the first sample as ", e.g. row N: value".
				c.Message = strings.Replace(c.Message, fmt.Sprintf("e.g. row %d:", global), "e.g. "+f.Where()+":", 1)
			}
		}
	}
}

// rereader returns how the checks read the data again (expect.Options.Reread):
// a new scan of src, projected onto the columns asked for (nil: the
// pass's columns). Files (a regular file, a directory, a glob), SQL
// sources and Sources built in Go that may be scanned again
// (dataset.Repeatable) can be read twice: a pipe, a device or a
// once-only Source give nil, and the checks keep in memory what they
// would read again.
func rereader(src dataset.Source, path string, given bool, columns []string) expect.RereadFunc {
	switch {
	case given:
		if !dataset.Repeatable(src) {
			return nil
		}
	case path != "":
		if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() && !st.IsDir() {
			return nil
		}
	}
	return func(ctx context.Context, cols []string) (array.RecordReader, error) {
		if cols == nil {
			cols = columns
		}
		return src.Scan(ctx, cols)
	}
}
