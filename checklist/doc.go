// Package checklist runs behavioural tests against any regressor or
// classifier over tabular Arrow data, after CheckList (Ribeiro, Wu, Guestrin and Singh,
// "Beyond Accuracy: Behavioral Testing of NLP Models with CheckList", ACL
// 2020): the model is a black box, tested with three test types.
//
//   - MFT, minimum functionality test: listed inputs, or templates
//     expanded to every combination of some columns' values, each with an
//     interval its prediction must fall in ("every combination of these
//     regions and sizes predicts a non-negative price").
//   - INV, invariance test: a perturbation of a base row must not move the
//     prediction by more than a tolerance ("the day of the month is
//     irrelevant").
//   - DIR, directional expectation test: a perturbation must move the
//     prediction up, or down, or by an amount within bounds ("hotter days
//     never lower ozone"); a sweep runs one column over a grid and expects
//     the predictions to be monotone.
//
// # Data model
//
// As in CheckList, a test is a list of test cases, and a case is a base
// row plus zero or more variant rows. An expectation gives each example a
// margin, how far it is inside the expectation, or finds it not
// applicable:
//
//   - MFT: each case is one row (a listed case, or one combination of a
//     template); its example is the row, with margin min(ŷ − min, max − ŷ),
//     or tolerance − |ŷ − value|.
//   - INV: each variant compared with its base, with margin
//     tolerance − |ŷ_variant − ŷ_base|, where tolerance = abs + rel × scale
//     and scale is the sample standard deviation of the target column in
//     the data, or |ŷ_base| when asked (a multiplication, never a division
//     by ŷ: a zero or negative prediction does not make a test pass).
//   - DIR: each variant compared with its base, Δ = ŷ_variant − ŷ_base,
//     with margin Δ + slack (increase), slack − Δ (decrease), or
//     min(Δ − min_change, max_change − Δ). A sweep's case is one base row,
//     and its examples are the steps between consecutive grid points.
//
// An example passes when its margin is ≥ 0: bounds include their
// boundary, as CheckList's Expect.inv and Expect.monotonic compare with ≤
// and ≥, so "increase" means "never lowers" and a zero tolerance demands
// an unchanged prediction. A prediction that is NaN or ±Inf fails every
// example it takes part in. A variant equal to its base row (the
// perturbation changed nothing: a shuffle that drew the row's own value, a
// null under add) is not applicable, and is not sent to the model.
//
// A case passes when all its applicable examples pass, and is applicable
// when it has at least one. The failure rate is failed cases / applicable
// cases, reported with its 95% Wilson score interval ([Wilson]); a test
// passes when the rate is at most max_failure_rate (default 0). A test
// with no applicable case fails: it tested nothing.
//
// # Base rows and randomness
//
// INV and DIR tests perturb base rows: the rows listed in the test, or a
// sample of n rows (default 100) drawn without replacement from the data's
// complete rows (no feature null, NaN or ±Inf), in data order, all of them
// when there are no more than n. Columns a listed row, an MFT case or a
// template does not name take the data's median (numeric columns; the
// mean of the two middle values, rounded on integer columns) or mode
// (other columns; the smallest of equally frequent values).
//
// Every random choice comes from math/rand/v2's PCG seeded with the
// test's seed (or Options.Seed): the sample from one stream, shuffles,
// random swaps and noise from another, in row order. The same seed gives
// the same cases and results; tests with the same seed and n share their
// base rows.
//
// # Perturbations
//
// A perturbation acts on one column: set a value, add, multiply, add
// Gaussian noise (a standard deviation, or a multiple of the column's),
// shuffle the column across the base rows (a seeded permutation), swap the
// value for each other value of the column in the data (one variant each)
// or for one at random, or set it to null. A list of perturbations is
// applied in order to make each variant; a swap of each value multiplies
// the variants of the steps after it. A null stays null under add,
// multiply and noise. On integer columns explicit numbers (set, add, case
// values) must be integers, and computed ones (multiply, noise, sweep grid
// points, medians) are rounded to the nearest integer. A perturbation that
// does not fit its column (add on a text column, a swap of a column with
// more than MaxLevels values) is an error.
//
// # Running
//
// [Run] builds all rows of a test (bases and variants) and sends them to
// the [model.Regressor] in record batches of up to Options.BatchSize rows
// (default 1024), holding the feature columns in their data types: a
// model endpoint sees few requests. Each test becomes one result.Check in
// section checklist, named "checklist.<name>", of kind MFT, INV or DIR,
// observing the failure rate against max_failure_rate, with [Details] (the
// counts, the Wilson interval, the number of Predict calls and the worst
// failing examples). Memory holds the feature columns of the data (8 bytes
// per numeric value, the string per other value) and the rows of one test.
//
// # The suite's checklist section
//
// Decode reads a YAML list of tests; unknown keys, wrong types and
// impossible values are reported with their position and key path, all at
// once. Keys of a test:
//
//	name: text                       required, unique
//	type: MFT | INV | DIR            required
//	capability: text                 optional, groups tests (Monotonicity, Invariance, Sanity, Fairness, ...)
//	severity: error | warn           default error
//	max_failure_rate: fraction       default 0
//	seed: integer ≥ 0                default: the run's seed
//
//	# MFT
//	cases:                           listed inputs, one case each
//	  - {input: {column: value, ...}, expect: BOUNDS}
//	templates:                       one case per combination (the last column varies fastest)
//	  - {vary: {column: [value, ...], ...}, fixed: {column: value, ...}, expect: BOUNDS}
//	expect: BOUNDS                   for cases and templates without their own
//	BOUNDS = {min: x, max: y}        either or both, or
//	       | {value: v, tolerance: t}    |ŷ − v| ≤ t, tolerance default 0
//
//	# INV and DIR: base rows
//	n: integer ≥ 1                   rows sampled from the data, default 100, or
//	rows: [{column: value, ...}, ...]    listed base rows
//	perturb: STEP | [STEP, ...]      applied in order
//	STEP = {column: name, set: value}
//	     | {column: name, add: x} | {column: name, multiply: x}
//	     | {column: name, noise: {stddev: s}} | {column: name, noise: {relative: f}}
//	     | {column: name, shuffle: true}
//	     | {column: name, swap: each | random}
//	     | {column: name, set_null: true}
//
//	# INV
//	tolerance: {abs: a, rel: r, scale: target | prediction}   abs + rel × scale, default abs 0; scale default target
//
//	# DIR
//	expect: increase | decrease
//	      | {direction: increase | decrease, slack: s}
//	      | {min_change: a, max_change: b}                    either or both
//	sweep: {column: name, from: a, to: b, steps: k}          instead of perturb; from/to default to the
//	                                                          column's range, steps default 11
//	expect: increasing | decreasing | {direction: increasing | decreasing, slack: s}   with a sweep
//
// # Classifiers
//
// [RunClassifier] runs the same tests against a model.Classifier, judging
// its predicted label or the probability of a class; the suite's model
// section says task: classification. The keys that differ:
//
//	# MFT
//	expect: {label: L}                          the predicted label is L, or
//	expect: {class: C, min: a, max: b}          a ≤ P(C) ≤ b (or value and tolerance)
//
//	# INV
//	(no tolerance)                              the predicted label does not change
//	tolerance: {abs: a}                         no class's probability moves more than a
//	tolerance: {class: C, abs: a}               |ΔP(C)| ≤ a
//
//	# DIR
//	expect: {class: C, direction: increase | decrease, slack: s}
//	expect: {class: C, min_change: a, max_change: b}
//	expect: {class: C, direction: increasing}   with a sweep
//
// A binary classifier's probability tests may leave class out: they judge
// the positive class (expect: increase raises P(positive)). A multiclass
// test must name it. Labels and classes are written as the target's values
// (a string, an integer, true or false). The label of a row is the
// model's, or, for a model that gives probabilities only, its most
// probable class (binary: the positive class at P ≥ the model section's
// threshold, 0.5 by default). A test of probabilities against a model that
// gives labels only is an error naming the model.
//
// For example:
//
//	checklist:
//	  - {name: hotter days never lower ozone, type: DIR, perturb: {column: Temp, add: 5}, expect: increase}
//	  - {name: day of month is irrelevant, type: INV, perturb: {column: Day, shuffle: true}, tolerance: {abs: 0.5}}
//	  - {name: a calm hot sunny day, type: MFT, cases: [{input: {Solar.R: 250, Wind: 3, Temp: 92}, expect: {min: 60}}]}
//	  - name: ozone rises with temperature
//	    type: DIR
//	    capability: Monotonicity
//	    sweep: {column: Temp, from: 50, to: 100, steps: 11}
//	    expect: increasing
//	    max_failure_rate: 0.05
//	  - name: wind and sun together stay plausible
//	    type: MFT
//	    capability: Sanity
//	    templates: [{vary: {Wind: [2, 10, 20], Solar.R: [0, 150, 300]}}]
//	    expect: {min: 0, max: 200}
//	  - name: small measurement noise is harmless
//	    type: INV
//	    n: 50
//	    seed: 7
//	    perturb: [{column: Wind, noise: {relative: 0.05}}, {column: Solar.R, multiply: 1.02}]
//	    tolerance: {abs: 1, rel: 0.05, scale: prediction}
//	    severity: warn
package checklist
