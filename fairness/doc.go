// Package fairness measures whether a binary decision treats the groups of
// a sensitive feature alike: each group's selection rate, true positive
// rate and false positive rate, the differences between groups, and the
// four group metrics regulators and Fairlearn's documentation name.
//
// The input is one row per decision ([Outcomes]): whether the row's actual
// label is the positive class, whether the model selected it (predicted the
// positive class), and the row's group. For a multiclass model the caller
// chooses the class of interest (one class against the rest).
//
// # Definitions
//
// For a group g with n_g rows, of which P_g are actually positive and N_g
// actually negative:
//
//	selection rate  SR_g  = selected rows / n_g
//	true positive   TPR_g = selected actual positives / P_g
//	false positive  FPR_g = selected actual negatives / N_g
//
// and over the groups:
//
//	demographic_parity_difference = max_g SR_g − min_g SR_g
//	demographic_parity_ratio      = min_g SR_g / max_g SR_g
//	equal_opportunity_difference  = max_g TPR_g − min_g TPR_g
//	equalized_odds_difference     = max(max_g TPR_g − min_g TPR_g,
//	                                    max_g FPR_g − min_g FPR_g)
//
// These are the "between groups" forms of Fairlearn's
// demographic_parity_difference/ratio, equal_opportunity_difference and
// equalized_odds_difference (worst case of the two rates). A rate of a
// group with no rows of its kind (TPR of a group with no actual positives)
// is undefined, and so is every metric that needs it: the metric is NaN
// and [Metric] says why. The ratio of two zero selection rates is
// undefined too.
//
// # Uncertainty
//
// Every rate, every group-vs-group difference and every metric carries a
// percentile bootstrap interval (package internal/bootstrap's type 7):
// rows are resampled with replacement within each group, so group sizes
// stay as observed. Replicates in which a rate is undefined are left out
// of that rate's interval, and the count kept is reported.
//
// Whether a metric shows any disparity at all is a permutation test: the
// group labels are shuffled (for demographic parity, across all rows; for
// the two odds metrics, within the actual positives and within the actual
// negatives, which keeps each group's class balance), and the p-value is
// (1 + the number of shuffles whose metric is at least the observed one) /
// (1 + shuffles). The q-values adjust the p-values of one [Assess] call for
// multiple testing by Benjamini and Hochberg's step-up rule.
//
// Every random draw comes from a seeded source: the same outcomes, options
// and seed give the same assessment.
//
// # The suite file
//
// A suite's fairness section judges a classifier (task: classification)
// on the rows its metrics are measured on: the test split's, or every
// row with split none. The actual labels are the target's; the decisions
// are the labels the model is judged on (its own, or its probabilities
// cut at the threshold, as the model section says).
//
//	fairness:
//	  feature: sex           # required: a text, boolean or integer column; null is the group "(null)"
//	  # feature: {column: age, bins: [0, 35, 65, 120]}   # or a numeric column cut into bins, as slices cut
//	  class: malignant       # the class whose prediction is a selection; default the positive class (binary)
//	  confidence: true       # fail a bound only when the whole interval lies beyond it; default false
//	  n_boot: 1000           # bootstrap resamples; default 1000
//	  permutations: 999      # shuffles of each permutation test; default 999
//	  seed: 1                # default the suite's seed
//	  severity: error        # of the bound checks; default error
//	  demographic_parity_difference: {max: 0.1}
//	  demographic_parity_ratio: {min: 0.8}
//	  equalized_odds_difference: {max: 0.1, severity: warn}
//	  equal_opportunity_difference: {max: 0.1}
//
// [Check] turns it into checks: "fairness.<feature>", which reports every
// group's rates and every pair's differences with their intervals, and
// one "fairness.<metric>" per bound. A column the data lacks, one that is
// not categorical, more than [MaxGroups] groups, fewer than two, or a
// bounded metric that is undefined stop or error the run; a fairness
// section on a regressor or without a model is a suite error.
package fairness
