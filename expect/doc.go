// Package expect evaluates data expectations (in the manner of Great
// Expectations and Deequ) over Apache Arrow record batches in one streaming
// pass.
//
// A Suite holds table checks (row and column counts, required or exact
// columns) and per-column checks. Decode reads a suite's `expectations`
// section from YAML; Suite.Evaluate runs it over an array.RecordReader and
// returns one result.Check per check.
//
// # Filters and rules
//
// Suite.Where, Column.Where and Check.Where filter the rows checks see:
// row expressions (package expr) that combine with AND. A row is kept
// where the filter is TRUE. Counts, fractions, mostly and statistics are
// over the kept rows, the table checks count the rows the suite's filter
// keeps, and each result states its filter and the rows it kept
// (result.Check.Where, WhereRows). Suite.Rules are row rules (Kind Rule):
// a row whose condition is NULL neither passes nor fails and is counted as
// null. Each distinct filter is evaluated once per batch, vectorised, into
// a selection shared by its checks, in the one pass; a column's checks
// under one filter share one set of accumulators, reading the column with
// the dropped rows turned into nulls, so that row numbers stay the data's.
// Options.FailedRows streams every row failing a check that names its
// failing rows (FailedRowsWriter).
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
//   - A column of Arrow's null type (every value missing) passes row-wise
//     checks vacuously; its statistics are undefined. Statistics read a
//     boolean column as 0 and 1 (its mean is the share of true).
//   - type fails every non-null value of a column whose type is not listed
//     (the sample shows them). Besides names and families it accepts a
//     timestamp's full form, "timestamp[ns]" (naive) or
//     "timestamp[ns, tz=UTC]", to tell naive from zoned.
//   - missing keeps a sample: the missing rows, or, for a check with only
//     lower bounds ({min_fraction: 1}: the values must be missing), the
//     non-missing values, which are then its unexpected values.
//   - quantiles: {bounds: [...], interpolation: m} reads quantiles with
//     numpy's linear (default), lower, higher, nearest (half to even) or
//     midpoint rule.
//   - distinct_values: {in_set: [...], contains: [...]} or {equals: [...]}
//     compares the set of distinct non-null values with a set: a subset of
//     in_set, a superset of contains, or both at once.
//   - kl_divergence: {partition, max, tail_holdout, internal_holdout}
//     passes when the Kullback-Leibler divergence (natural log) of the
//     column's distribution over the partition from the partition's
//     weights is at most max. A partition is {bins: [edges], weights,
//     tail_weights} (bin i holds edges[i] ≤ v < edges[i+1], the last bin
//     its upper edge too; the first edge may be -.inf and the last .inf) or
//     {values: [...], weights}. Values outside the bins or not listed make
//     the divergence +Inf unless tail weight is held out for them, as in
//     Great Expectations (GX.md has the rules).
//   - chi_square (also spelt chisquare): {partition: {values, weights}, alpha, tail_holdout} runs
//     Pearson's goodness-of-fit test of the value counts against n × the
//     weights and fails when the p-value (gonum's chi-squared survival
//     function) is at most alpha.
//   - The key checks of the table read rows. unique (kind unique_key)
//     fails every row whose values of its columns, taken together, occur
//     in another row; duplicate_rows counts the rows that repeat an
//     earlier row (over every column, or a list); unique_within_record
//     fails a row in which two non-missing values of its columns are
//     equal; references fails a row whose values of its columns, all
//     present, are not among the rows of the named columns of another
//     dataset (a foreign key), and row_count_ratio divides the row count
//     by another dataset's. Values compare as keys: 1 and 1.0 are equal, a
//     number never equals a string, NaN is missing, and missing values
//     equal each other (duplicate_rows, and a unique key with some values
//     present). Rows whose key values are all missing are left out of
//     unique and unique_within_record (any missing, with ignore_row_if:
//     any_value_is_missing), rows with any missing value out of
//     references; the rows left out are their null_count. Their samples
//     hold each failing row's values as a mapping from column to value.
//     Another dataset is read through Options.Open, before the pass.
//   - Row numbers in results are 0-based indexes of rows in the data as
//     read (a CSV header is not a row). A check keeps the failing values
//     with the smallest row numbers (20 by default).
//
// # Kinds as a table
//
// Each kind is declared once, in a kind_*.go file of its own or of its
// family, with register: its YAML form (decode) and rules (validate, the
// same for suites decoded and built in code), the column classes it reads
// and the shared accumulators it needs (moments, min/max, the values for
// order statistics, the frequency table, string lengths, a compiled
// row-wise predicate), how it turns their merged state into a
// result.Check (finish), and its Definition as SQL aggregates over
// mergeable state (count, sum, avg, stddev_samp, min, max, quantile,
// count_distinct, histogram, with a row-wise rule), which a SQL engine can
// compute instead of the local pass. The engine, the decoder, trusttest
// and the documentation test read the table (Kinds, Kind.RowWise,
// Kind.Example); nothing switches on kinds. Each accumulator is computed
// once per column and pass, however many checks read it. The counts,
// extremes, moments and lengths are internal/accum's, shared with package
// profile: with Options.Profile the same pass fills a profile from them,
// adding only the profile's distribution (exact counts and a sketch).
//
// # Integers
//
// On integer columns range, in_set and not_in_set compare exactly: a
// value beyond ±2^53 is never rounded to a float64 first, and an integer
// literal of a suite file keeps its exact value (9007199254740993 is not
// 9007199254740992), up to the int64 and uint64 extremes. Build exact
// values in code with IntValue and UintValue; a bound built in code is
// the float64 it is, compared exactly with each integer.
//
// # One pass, both cores, bounded memory
//
// Batches are handed round-robin to one worker per core, in slices of at
// most 65,536 rows (an Arrow IPC file's batch of a million rows is shared
// by every worker, and few are held at once). Each worker keeps
// typed accumulators per column (integers, floats, strings including
// dictionaries, booleans, temporal values), evaluated with loops over the
// Arrow value buffers and validity bitmaps, specialised for columns with
// and without nulls; the workers' states are merged at the end. Float
// sums and moments are kept per batch (a compensated sum in four lanes)
// and merged in batch order, so results do not depend on the number of
// workers. A dictionary-encoded column evaluates its row-wise checks once
// per dictionary entry that occurs in the batch.
//
// Memory is bounded by the batch size and the number of checks, except for
// checks that are inherently proportional to the data. What they keep
// grows in chunks of up to 8 MiB, which on Linux are advised to be backed
// by transparent huge pages (MADV_HUGEPAGE): each chunk is written once,
// in full, and faulting it in 2 MiB at a time takes 512 times fewer page
// faults, which on the benchmark cost more than writing the values.
//
//   - median and quantiles keep every non-null value of the column as a
//     float64, in chunks: 8 bytes per value, never copied nor sorted. The
//     order statistics are found by radix selection (a pass counting the
//     values by the top bits of their order-preserving keys, then a pass
//     gathering the few values of the buckets that hold the ranks), which
//     needs at most max(65,536, n/32) values more per bucket;
//   - unique, distinct, distinct_values, imbalance, and kl_divergence and
//     chi_square over values count the distinct values. A string or
//     boolean column, and a numeric column while a worker has seen few
//     distinct values (at most 65,536, or 4,096 when most values were new,
//     as in an identifier), keeps one entry per distinct value: the value,
//     its count and its first row, about 40 bytes plus the string bytes
//     per distinct value, per worker. Past that, a worker collects the
//     value of every row: 8 bytes per non-null value during the pass,
//     except that a batch of consecutive integers without nulls (an
//     identifier in row order) is kept as one range of keys, a few bytes
//     per batch, and marked in the bitmaps word by word at the end. At
//     the end, integers in a range at most 16 times their number (such as
//     identifiers) are marked in two bitmaps, 2 bits per integer of the
//     range (at most 4 bytes per value); other values are split into 256
//     buckets by a hash (8 bytes per value, the collected copy released)
//     and each bucket counted in a cache-sized hash table. The checks that
//     need every value with its count (imbalance, distinct_values,
//     partitions) sort the values instead, with an LSD radix sort that
//     takes 16 bytes per value more while it runs. The unique check keeps
//     the values in row order until the end, to find the rows of repeated
//     values again. Peaks per non-null value, all workers together: 8
//     bytes plus the bitmaps for dense integers, 16 bytes for other values
//     (24 when sorted). kl_divergence over bins keeps one count per bin.
//   - unique (a composite key) and duplicate_rows keep every judged
//     row's key, encoded (1 byte per column, plus 8 per number, 9 per date
//     or time, 1 per boolean, and the bytes of a string with a 1- to
//     3-byte length) in one arena per batch, with 4 bytes of offset and
//     its 8-byte hash: no hash map is filled during the pass. At the end
//     the hashes are sorted (8 bytes per row more while it runs, 16 at
//     the radix sort's peak) and only the rows whose hash repeats are
//     grouped by their key's bytes, so a hash collision is told apart and
//     the result is exact. A key of (int64, short string) takes about 30
//     bytes per row during the pass; duplicate_rows over every column
//     keeps whole rows so encoded. With Options.Reread, the pass keeps
//     6 bytes of each judged row's hash instead, and reads the rows of
//     the repeated ones again at the end.
//   - references first streams the referenced columns of the other
//     dataset into a set of their distinct keys, encoded as above: about
//     70 bytes per distinct referenced key of one integer column (measured:
//     69 for a million keys), the encoded key's bytes more for strings; the
//     pass then keeps only counts and the sample. unique_within_record and row_count_ratio
//     keep counts only.
//     (24 when sorted). kl_divergence over bins keeps one count per bin;
//   - ks_test and bootstrap_ks keep every non-null value (8 bytes each),
//     zscore every value with its row (16 bytes), monotonic ordered by a
//     column every value with its order and row (about 100 bytes);
//     cramers_v keeps one count per distinct pair of values.
//
// Kinds that read more than their column's values (column pairs, sums
// across columns, the order of rows, every value) have accumulators of
// their own per check and worker, fed each batch whole and merged at the
// end; monotonic in data order keeps each batch's first and last values
// and compares them across batch boundaries in stream order, so its
// result does not depend on batches or workers either.
//
// GX.md maps each Great Expectations expectation onto these keys and
// lists where the two differ; TestGreatExpectationsConformance runs GX's
// own test definitions through the engine.
package expect
