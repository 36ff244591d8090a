// Package slice measures a model on slices of its evaluation rows — by
// region, season or range of a feature — with bootstrap intervals, a
// verdict per slice, and a search for the slices where the model fails.
// [Run] measures a regressor and [RunClasses] a classifier; what follows
// is said of a regressor, and [RunClasses] says what differs for a
// classifier (its metrics, rules and losses).
//
// A model good on average can be bad for one slice. [Run] cuts the
// evaluated rows as a [Spec] says, measures every slice with
// [model.Measure] (so n, MSE, RMSE, MAE, R², bias and every metric of
// [model.MetricNames] mean what they mean in package model; residuals are
// ŷ − y), and returns one [result.Check] per slice. A suite file's
// `slices` section decodes into a [Spec].
//
// # Slices
//
// A column is cut by value (each distinct value; a value seen in fewer
// than min_size rows is merged into "(other)", and the summary check lists
// which), by explicit bins, or into quantile bins. Bins are half-open,
// [a,b), except the last, which is closed, [a,b] (as in numpy.histogram);
// values below the first edge form the slice "(-Inf,e0)" and values above
// the last "(ek,+Inf)", so no row is dropped. Null, and NaN in a
// floating-point column, is always its own slice "(null)", never merged.
// Two or more cuts cross into every combination that has rows. Slices are
// named "Month=7" or "Month=7&Temp=[80,90)" and reported in the order of
// the slicings, then of the values (numbers numerically, text lexically,
// then "(other)", then "(null)"); map iteration never reaches the output.
//
// # Intervals and verdicts
//
// Each metric of a slice of at least min_size rows gets a percentile
// bootstrap interval at 95% ([Level]): n_boot resamples of the slice's
// rows with replacement, each measured with model.Measure, drawn from a
// PCG stream seeded by (seed, slice name) — the same seed gives the same
// intervals, whatever else is sliced and however the work is scheduled.
// The overall value a slice is compared with is the point estimate over
// every row; it is not resampled.
//
// A fail_if rule bounds a metric: <metric>_ratio: r fails a slice whose
// metric exceeds r × the overall value (error metrics: mse, rmse, mae,
// mape, median_ae, max_error), and bias_abs: x fails a slice whose bias
// lies outside [−x, x]. With confidence: true a rule fails only when the
// slice's whole interval lies beyond the bound, so a slice fails when its
// excess is more than resampling noise. Rules apply to slices of at least
// min_size rows; each such slice is one check of Kind "slice". Smaller
// slices get no verdict: they are listed, with their point metrics, in the
// Details of their slicing's summary check (Kind "slice_summary", severity
// warn), which passes unless rules were given and no slice was large
// enough to judge.
//
// # Finding weak slices
//
// With search, every slice of one feature and every cross of two
// (numeric features cut into quantile bins) of at least min_support rows
// is compared with the rest of the rows by its mean per-row loss
// (squared or absolute error), in the manner of SliceFinder (Chung,
// Kraska, Polyzotis, Tae and Whang, "Automated Data Slicing for Model
// Validation: A Big Data - AI Integration Approach", ICDE 2019) and
// SliceLine (Sagadeeva and Boehm, "SliceLine: Fast, Linear-Algebra-based
// Slice Finding for ML Model Debugging", SIGMOD 2021). Unlike SliceFinder
// it tests every candidate of one and two features rather than stopping at
// the first significant level, and unlike SliceLine it scores by a test
// rather than a size-weighted error. The test is Welch's one-sided t-test
// (the slice's mean loss is greater; Welch–Satterthwaite degrees of
// freedom; p-value from the Student's t distribution of gonum), corrected
// for multiplicity by Benjamini–Hochberg across every candidate tested.
// The effect size is Cohen's d: the difference of the mean losses over the
// pooled standard deviation. The check "slices.search" (Kind
// "slice_search") lists the top_k significant slices by effect size with
// n, mean losses, d, t, df, p and q. It passes when no slice is
// significant; otherwise its status follows search.severity, warn by
// default: a found slice is a lead to investigate, while fail_if states
// what the team has agreed is unacceptable. Benjamini–Hochberg controls
// the false discovery rate for independent or positively dependent tests;
// candidates that overlap (a value and its crosses) are dependent, mostly
// positively, so the rate is controlled in practice rather than by proof.
//
// # The suite file
//
//	slices:
//	  by:                      # required unless search is given
//	    - Month                # by value
//	    - {column: Temp, quantiles: 4}
//	    - [Month, {column: Wind, bins: [0, 8, 12, 25]}]   # a cross
//	  metrics: [rmse, mae, bias]   # default [mse, rmse, mae, r2, bias]; a classifier's [accuracy, balanced_accuracy, log_loss, brier]
//	  min_size: 10             # default 10
//	  fail_if: {rmse_ratio: 1.5, bias_abs: 5}   # a classifier's: {accuracy_drop: 0.05, log_loss_ratio: 1.5}
//	  confidence: true         # default false
//	  n_boot: 1000             # default 1000; 0: no intervals
//	  seed: 1                  # default 0
//	  severity: error          # of the slice verdicts; default error
//	  search:                  # or search: true for the defaults
//	    features: [Month, Temp]   # default: the columns of by, cut as by cuts them
//	    pairs: true            # default true
//	    quantiles: 4           # bins of a numeric feature; default 4
//	    min_support: 20        # default 20
//	    fdr: 0.05              # default 0.05
//	    top_k: 10              # default 10
//	    metric: squared_error  # or absolute_error; a classifier's log_loss (default with probabilities) or zero_one
//	    severity: warn         # default warn
//
// A feature of search given by its bare name is cut as by cuts it when by
// names it alone, and otherwise into quantiles if it is numeric and by
// value if not. The same columns may not be sliced twice in by (in any
// order), so that slice names are unique.
package slice
