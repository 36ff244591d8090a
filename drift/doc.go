// Package drift compares a dataset with a reference, column by column, from
// their profiles (package profile): the `drift` section of a suite.
//
// Each test of a column is a result.Check in section "drift", named
// "drift.<column>.<test>", that fails (or warns) when its statistic is
// past the suite's bound.
//
// # Numeric columns
//
// The distributions compared are the exact value counts when both profiles
// have them (columns of at most profile.DefaultMaxDistinct distinct
// values), else both sketches' buckets, each bucket at its representative
// value (within the relative accuracy α of every value it holds).
//
// ks: the two-sample Kolmogorov–Smirnov statistic (Kolmogorov 1933;
// Smirnov 1948) D = sup_x |F_ref(x) − F_cur(x)| for n reference and m
// current values, and its p-value: exact and ties-aware (the permutation
// distribution, as R ≥ 4.2's ks.test(exact = TRUE); see KSPValueExact) when
// n·m ≤ ExactKSMaxProduct (10000) and the values are exact, else
// asymptotic, Q_KS(√(n·m/(n+m))·D), Q_KS(λ) = 2 Σ_{k≥1} (−1)^{k−1}
// e^{−2k²λ²} (see KSPValue). The check's observed value names the method in
// p_value_method ("exact" or "asymptotic"). From sketches, the CDFs
// are compared at bucket boundaries only, where they are exact, so the
// statistic is never larger than the exact one and smaller by at most the
// largest fraction of either sample in one bucket; the check's observed
// value reports that bound as max_error.
//
// psi: the Population Stability Index as used in credit scoring (e.g.
// Siddiqi, Credit Risk Scorecards, 2006; Yurdakul, "Statistical properties
// of population stability index", 2018): PSI = Σ_i (c_i − r_i)·ln(c_i/r_i)
// over bins, r_i and c_i the reference and current fractions in bin i. The
// bins are cut at the reference's distinct deciles (at most ten bins, fewer
// for discrete data), (−∞, q₁], (q₁, q₂], …, (q₉, +∞); an empty fraction is
// replaced with Epsilon (1e-4). Rules of thumb read PSI < 0.1 as stable,
// 0.1–0.25 as a moderate shift and > 0.25 as a major one.
//
// wasserstein: the first Wasserstein (earth mover's) distance, in the
// column's units, W₁ = ∫₀¹ |Q_ref(u) − Q_cur(u)| du = ∫ |F_ref(x) − F_cur(x)| dx
// (Vaserstein 1969; Villani, Optimal Transport, 2009). From sketches each
// value is moved by at most α·|x|, so W₁ is within α·(E|X_ref| + E|X_cur|)
// of the exact distance.
//
// # Categorical columns
//
// Strings, booleans, and numeric columns with exact counts compare their
// categories; a column of high cardinality cannot be (the check is an
// error).
//
// chi_square: Pearson's chi-square test of homogeneity of the 2×k table of
// reference and current counts (see ChiSquare), p-value from the
// chi-square distribution with k − 1 degrees of freedom.
//
// psi: as above, over the categories instead of bins.
//
// new_categories: the values of the current data that never occur in the
// reference, by name, and the rows holding them.
//
// # Label and prediction drift
//
// The section's label key tests the model's target column, and its
// prediction key the model's predictions: its predictions on the current
// data against its predictions on the reference, whatever the model's
// source (the root package runs the model on both and profiles the
// outputs; this package does not know models). A classifier's labels are
// compared as categories whatever their type (chi_square, psi over the
// classes, new_categories); prediction: {class: C} compares the
// probability of class C as a number (ks, psi over deciles, wasserstein).
// A regressor's target and predictions are numbers. The checks are named
// "drift.label.<test>" and "drift.prediction.<test>".
//
// Large samples make every difference significant: with hundreds of
// thousands of rows a p-value bound fails on shifts too small to matter,
// so prefer bounds on effect sizes (D, PSI, W₁) for big data.
package drift
