package model

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"gonum.org/v1/gonum/stat"
)

// Cross-validation methods of [Tune].
const (
	CVKFold = "kfold" // k folds of the training rows, shuffled with a seed
	CVTime  = "time"  // rolling origin: each fold validates on later rows than it trains on
)

// Tune chooses a ridge or logistic penalty among Alphas by
// cross-validation over the training rows only ([FitOptions].Rows).
type Tune struct {
	// Alphas are the candidate penalties, each > 0.
	Alphas []float64 `json:"alphas"`
	// Folds is the number of folds, ≥ 2.
	Folds int `json:"folds"`
	// Method is CVKFold (the default when empty) or CVTime.
	Method string `json:"method"`
	// By is the time column of CVTime.
	By string `json:"by,omitempty"`
	// Seed shuffles the rows of CVKFold (PCG seeded with (Seed, Seed)).
	Seed uint64 `json:"seed"`
}

// Candidate is one penalty's cross-validated score: Mean and SD (the
// sample standard deviation, 0 for one fold) of Scores, one per fold.
type Candidate struct {
	Alpha  float64   `json:"alpha"`
	Mean   float64   `json:"mean"`
	SD     float64   `json:"sd"`
	Scores []float64 `json:"scores"`
}

// Tuning records a cross-validation: the score (rmse for ridge, log_loss
// for logistic: lower is better), each fold's size, every candidate, and
// the chosen penalty, the lowest mean score (the larger penalty on a tie).
type Tuning struct {
	Tune
	Score      string      `json:"score"`
	TrainRows  int         `json:"train_rows"`
	FoldRows   []int       `json:"fold_rows"`
	Candidates []Candidate `json:"candidates"`
	Alpha      float64     `json:"alpha"`
}

// Validate reports every problem of the tuning settings.
func (t Tune) Validate() error {
	var errs []error
	if len(t.Alphas) == 0 {
		errs = append(errs, errors.New("alpha: list at least one candidate penalty"))
	}
	for _, a := range t.Alphas {
		if !(a > 0) || math.IsInf(a, 0) {
			errs = append(errs, fmt.Errorf("alpha: every candidate must be a finite number > 0, got %v", a))
			break
		}
	}
	if t.Folds < 2 {
		errs = append(errs, fmt.Errorf("cv.folds: must be ≥ 2, got %d", t.Folds))
	}
	switch t.Method {
	case "", CVKFold:
		if t.By != "" {
			errs = append(errs, errors.New("cv.by: applies to method: time"))
		}
	case CVTime:
		if t.By == "" {
			errs = append(errs, errors.New("cv.by: missing: rolling-origin cross-validation needs the time column"))
		}
	default:
		errs = append(errs, fmt.Errorf("cv.method: unknown method %q; methods are kfold and time", t.Method))
	}
	return errors.Join(errs...)
}

// TuneAlpha cross-validates opts (AlgorithmRidge or AlgorithmLogistic)
// over each of t.Alphas on the rows opts.Rows of batches, and only those:
// no other row is read, fitted or scored. opts.Rows must be set.
//
// CVKFold shuffles the rows and deals them into t.Folds folds; each fold
// is scored by the model fitted on the others. CVTime orders the rows by
// t.By and cuts them into t.Folds + 1 consecutive blocks (rows of equal
// time kept in one block); fold k trains on blocks 0..k-1 and is scored on
// block k. The score is the RMSE (ridge) or the log loss (logistic) of the
// fold's rows. A logistic fold's classes are opts.Classes.
func TuneAlpha(ctx context.Context, batches []arrow.RecordBatch, opts FitOptions, t Tune) (*Tuning, error) {
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("model: tune: %w", err)
	}
	if opts.Rows == nil {
		return nil, errors.New("model: tune: the training rows are required")
	}
	if opts.Algorithm != AlgorithmRidge && opts.Algorithm != AlgorithmLogistic {
		return nil, fmt.Errorf("model: tune: tunes ridge or logistic, not %q", opts.Algorithm)
	}
	rows := slices.Sorted(slices.Values(opts.Rows))
	rows = slices.Compact(rows)
	if len(rows) < t.Folds+1 {
		return nil, fmt.Errorf("model: tune: %d training rows are too few for %d folds", len(rows), t.Folds)
	}
	trains, valids, err := folds(batches, rows, t)
	if err != nil {
		return nil, err
	}
	all, err := concatBatches(batches)
	if err != nil {
		return nil, err
	}
	defer all.Release()
	tu := &Tuning{Tune: t, Score: "rmse", TrainRows: len(rows)}
	if tu.Method == "" {
		tu.Method = CVKFold
	}
	if opts.Algorithm == AlgorithmLogistic {
		tu.Score = "log_loss"
	}
	for _, v := range valids {
		tu.FoldRows = append(tu.FoldRows, len(v))
	}
	vbatches := make([]arrow.RecordBatch, len(valids))
	defer func() {
		for _, b := range vbatches {
			if b != nil {
				b.Release()
			}
		}
	}()
	for k, v := range valids {
		if vbatches[k], err = TakeRows(ctx, all, v); err != nil {
			return nil, err
		}
	}
	for _, alpha := range t.Alphas {
		c := Candidate{Alpha: alpha}
		for k := range valids {
			o := opts
			o.Alpha, o.Rows = alpha, trains[k]
			s, err := foldScore(ctx, []arrow.RecordBatch{all}, vbatches[k], o)
			if err != nil {
				return nil, fmt.Errorf("model: tune: alpha %v, fold %d: %w", alpha, k+1, err)
			}
			c.Scores = append(c.Scores, s)
		}
		c.Mean = stat.Mean(c.Scores, nil)
		if len(c.Scores) > 1 {
			c.SD = stat.StdDev(c.Scores, nil)
		}
		tu.Candidates = append(tu.Candidates, c)
	}
	best := tu.Candidates[0]
	for _, c := range tu.Candidates[1:] {
		if c.Mean < best.Mean || (c.Mean == best.Mean && c.Alpha > best.Alpha) {
			best = c
		}
	}
	tu.Alpha = best.Alpha
	return tu, nil
}

// foldScore fits o and scores it on the validation batch.
func foldScore(ctx context.Context, data []arrow.RecordBatch, valid arrow.RecordBatch, o FitOptions) (float64, error) {
	if o.Algorithm == AlgorithmRidge {
		lin, err := Fit(ctx, data, o)
		if err != nil {
			return 0, err
		}
		yhat, err := PredictAll(ctx, lin, []arrow.RecordBatch{valid})
		if err != nil {
			return 0, err
		}
		y, err := Float64s([]arrow.RecordBatch{valid}, o.Target)
		if err != nil {
			return 0, err
		}
		m := Measure(y, yhat)
		if !m.RMSE.Defined {
			return 0, errors.New(m.RMSE.Reason)
		}
		return m.RMSE.V, nil
	}
	lg, err := FitLogistic(ctx, data, o)
	if err != nil {
		return 0, err
	}
	out, err := ClassifyAll(ctx, lg, []arrow.RecordBatch{valid}, lg.Classes)
	if err != nil {
		return 0, err
	}
	labels, _, err := Labels([]arrow.RecordBatch{valid}, o.Target)
	if err != nil {
		return 0, err
	}
	y := make([]int, len(labels))
	for i, l := range labels {
		if y[i] = slices.Index(lg.Classes, l); y[i] < 0 {
			return 0, fmt.Errorf("label %q of a validation row is not a class", l)
		}
	}
	return logLoss(y, out.Proba), nil
}

// folds returns, per fold, the rows it trains on and those it validates.
func folds(batches []arrow.RecordBatch, rows []int, t Tune) (trains, valids [][]int, err error) {
	k := t.Folds
	if t.Method != CVTime {
		order := slices.Clone(rows)
		r := rand.New(rand.NewPCG(t.Seed, t.Seed))
		for i := len(order) - 1; i > 0; i-- {
			j := boundedUint(r, uint64(i+1))
			order[i], order[j] = order[j], order[i]
		}
		valids = make([][]int, k)
		for i, row := range order {
			valids[i%k] = append(valids[i%k], row)
		}
		for f := range k {
			slices.Sort(valids[f])
			var tr []int
			for g := range k {
				if g != f {
					tr = append(tr, valids[g]...)
				}
			}
			slices.Sort(tr)
			trains = append(trains, tr)
		}
		return trains, valids, nil
	}
	ints, fl, err := readTimes(batches, t.By, "tune: cv")
	if err != nil {
		return nil, nil, err
	}
	if fl != nil {
		for _, r := range rows {
			if math.IsNaN(fl[r]) {
				return nil, nil, fmt.Errorf("model: tune: cv: time column %q is NaN in row %d", t.By, r)
			}
		}
		trains, valids, err = rollingOrigin(rows, fl, k)
	} else {
		trains, valids, err = rollingOrigin(rows, ints, k)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("model: tune: the %d training rows %w of %q for %d rolling-origin folds", len(rows), err, t.By, k)
	}
	return trains, valids, nil
}

// rollingOrigin orders rows by time and cuts them into k+1 blocks.
func rollingOrigin[T cmp.Ordered](rows []int, times []T, k int) (trains, valids [][]int, err error) {
	order := slices.Clone(rows)
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(times[a], times[b]) })
	n := len(order)
	cuts := []int{0}
	for b := 1; b <= k; b++ {
		c := max(int(math.Round(float64(b)*float64(n)/float64(k+1))), cuts[len(cuts)-1])
		for c < n && c > 0 && times[order[c]] == times[order[c-1]] {
			c++ // rows of one time stay in one block
		}
		cuts = append(cuts, c)
	}
	cuts = append(cuts, n)
	for f := 1; f <= k; f++ {
		if cuts[f] == 0 || cuts[f+1] == cuts[f] {
			return nil, nil, errors.New("have too few distinct times")
		}
		trains = append(trains, slices.Sorted(slices.Values(order[:cuts[f]])))
		valids = append(valids, slices.Sorted(slices.Values(order[cuts[f]:cuts[f+1]])))
	}
	return trains, valids, nil
}

func concatBatches(batches []arrow.RecordBatch) (arrow.RecordBatch, error) {
	if len(batches) == 0 {
		return nil, errors.New("model: tune: no batches")
	}
	if len(batches) == 1 {
		batches[0].Retain()
		return batches[0], nil
	}
	cols := make([]arrow.Array, batches[0].NumCols())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	var n int64
	for _, b := range batches {
		n += b.NumRows()
	}
	for i := range cols {
		parts := make([]arrow.Array, len(batches))
		for j, b := range batches {
			parts[j] = b.Column(i)
		}
		c, err := array.Concatenate(parts, memory.DefaultAllocator)
		if err != nil {
			return nil, fmt.Errorf("model: tune: %w", err)
		}
		cols[i] = c
	}
	return array.NewRecordBatch(batches[0].Schema(), cols, n), nil
}

// TakeRows returns the rows of b at the given positions, in that order (a
// position may repeat). The caller releases the batch.
func TakeRows(ctx context.Context, b arrow.RecordBatch, rows []int) (arrow.RecordBatch, error) {
	ib := array.NewInt64Builder(memory.DefaultAllocator)
	defer ib.Release()
	for _, r := range rows {
		ib.Append(int64(r))
	}
	idx := ib.NewArray()
	defer idx.Release()
	cols := make([]arrow.Array, b.NumCols())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for i := range cols {
		c, err := compute.TakeArray(ctx, b.Column(i), idx)
		if err != nil {
			return nil, fmt.Errorf("model: select rows: %w", err)
		}
		cols[i] = c
	}
	return array.NewRecordBatch(b.Schema(), cols, int64(len(rows))), nil
}

// tuneAlpha sets opts.Alpha by TuneAlpha over opts.Rows when opts.Tune is
// set (every row when Rows is nil).
func tuneAlpha(ctx context.Context, data []arrow.RecordBatch, opts *FitOptions) (*Tuning, error) {
	if opts.Tune == nil {
		return nil, nil
	}
	o := *opts
	if o.Rows == nil {
		n := 0
		for _, b := range data {
			n += int(b.NumRows())
		}
		o.Rows = make([]int, n)
		for i := range o.Rows {
			o.Rows[i] = i
		}
	}
	tu, err := TuneAlpha(ctx, data, o, *opts.Tune)
	if err != nil {
		return nil, err
	}
	opts.Alpha = tu.Alpha
	return tu, nil
}
