// Package profile summarises the columns of Arrow record batches in one
// streaming pass: a Profile says, per column, how many values and nulls
// there are and how the values are distributed, compactly enough to be
// saved as JSON and compared with a later dataset (package drift), drawn in
// a report, or turned into a starting suite (trustml suggest).
//
// # What a column's profile holds
//
// Every column: its Arrow type, its Kind, the count of non-null values and
// the count of nulls. In float columns NaN counts as null, as in package
// expect.
//
// Numeric columns (signed and unsigned integers, float32, float64) add the
// minimum, the maximum, the mean, the sample standard deviation (n − 1) and
// a quantile sketch. The statistics are kept in the accumulators package
// expect's checks read (internal/accum), so that a run that evaluates
// expectations and profiles the data computes each of them once per batch
// (expect.Options.Profile). Each batch's compensated sum and sum of
// squared deviations are computed in two passes over the batch, and the
// batches are merged in batch order with the pairwise update of Chan,
// Golub & LeVeque (1979):
//
//	δ = mean_b − mean_a,  n = n_a + n_b
//	mean = mean_a + δ·n_b/n
//	M2 = M2_a + M2_b + δ²·n_a·n_b/n
//
// The sketch is a DDSketch (Masson, Rim & Lee, "DDSketch: A fast and
// fully-mergeable quantile sketch with relative-error guarantees", VLDB
// 2019) with a cubically interpolated index mapping and unbounded dense
// stores (github.com/DataDog/sketches-go). A value x > 0 falls in bucket
// i = ⌈log_γ x⌉ (approximately; the cubic mapping avoids the logarithm),
// γ = (1+α)/(1−α), and the bucket is represented by a value within the
// relative accuracy α of every value it holds (negative values mirror
// positive ones, and values closer to 0 than about 1e-308 count as 0). So
// a quantile read from the sketch is within a relative α of the true
// quantile's value: |q̂ − q| ≤ α·|q| (for the rank convention of Sketch.Quantile).
// Counts in buckets are exact, so the CDF read at a bucket boundary is
// exact, and merging two sketches equals sketching the union. α is
// DefaultRelativeAccuracy unless Options say otherwise; the memory is one
// counter per bucket between the smallest and largest magnitude seen
// (about ln(max/min)/(2α) counters per sign).
//
// ±Inf values are values: they enter the minimum and maximum, the sketch
// (as the largest magnitude it can track) and make the mean and standard
// deviation infinite or undefined.
//
// # Exact values and cardinality
//
// Every numeric, string (utf8, large_utf8, utf8_view, and dictionaries of
// those) and boolean column also counts its values exactly, while it has at
// most Options.MaxDistinct distinct non-null values (DefaultMaxDistinct).
// Past that the column is marked HighCardinality, the counts are dropped,
// and the number of distinct values is unknown: it is not estimated. So a
// low-cardinality numeric column (a month, a rating, a count) has its exact
// distribution, and comparisons and quantiles on it are exact. Integers
// beyond ±2^53 are counted as the nearest float64.
//
// String columns add the shortest and longest value, in characters (runes),
// as expect's length check counts them.
//
// Other types (temporal, decimal, binary, nested) are counted (values and
// nulls) only.
//
// # Cost
//
// Per numeric value: a comparison for min and max, two additions for the
// moments, and either a map update (while the column is of low cardinality;
// the sketch is then built from the counts) or a sketch insertion (a bucket
// index from the float's bits and a counter increment).
// Per string value: a map update while the column is of low cardinality, and
// a rune count. See BenchmarkProfiler for the measured cost per value.
//
// # Determinism
//
// A Profile depends only on the values and their order: exact values are
// listed sorted, sketch buckets by index. Merging profilers in another order
// gives the same counts, sketch and extremes, and moments equal up to
// floating-point rounding.
package profile
