// Package expect evaluates data expectations (in the manner of Great
// Expectations and Deequ) over Apache Arrow record batches in one streaming
// pass.
//
// A Suite holds table checks (row and column counts, required or exact
// columns) and per-column checks. Decode reads a suite's `expectations`
// section from YAML; Suite.Evaluate runs it over an array.RecordReader and
// returns one result.Check per check.
//
// # Semantics
//
//   - Nulls are not values: row-wise checks (range, in_set, not_in_set,
//     regex, length, unique) judge the non-null values only, and statistics
//     are over non-null values. The missing check governs nulls. In float
//     columns NaN counts as missing, as in pandas and Great Expectations.
//   - mostly: f on a row-wise check passes when at least the fraction f of
//     the non-null values pass. A row-wise check over no non-null values
//     passes vacuously and says so.
//   - unique: every occurrence of a value that occurs more than once fails,
//     the first one included.
//   - stddev is the sample standard deviation (n−1). median is the middle
//     value, or the mean of the two middle values; quantiles interpolate
//     linearly between order statistics (R's type 7, numpy's default).
//   - A statistic over no values (the mean of an all-null column, the
//     standard deviation of one value) is undefined: the check fails and its
//     message says why.
//   - Row numbers in results are 0-based indexes of rows in the data as
//     read (a CSV header is not a row). A check keeps the failing values
//     with the smallest row numbers (20 by default).
//
// # One pass, both cores, bounded memory
//
// Batches are handed round-robin to one worker per core. Each worker keeps
// typed accumulators per column (integers, floats, strings including
// dictionaries, booleans, temporal values), evaluated with loops over the
// Arrow value buffers and validity bitmaps; the workers' states are merged
// at the end. Float sums and moments are kept per batch and merged in batch
// order, so results do not depend on the number of workers.
//
// Memory is bounded by the batch size and the number of checks, except for
// checks that are inherently proportional to the data:
//
//   - median and quantiles keep every non-null value of the column as a
//     float64: 8 bytes per row, selected in place (no sort) for one
//     quantile;
//   - unique, distinct and imbalance keep one entry per distinct value: the
//     value, its count and its first row (about 40 bytes plus the string
//     bytes per distinct value, per worker).
package expect
