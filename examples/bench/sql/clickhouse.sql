-- The benchmark's twelve numbers (examples/bench/README.md, E1–E12) for the
-- Distributed table bench over two ClickHouse shards, written by hand: the
-- best single query a person would send. One scan; counts are cast to
-- Int64 (ClickHouse's count() is UInt64), the median of an even number of
-- values is the mean of the two middle ones, as percentile_cont's.
-- Columns, in this order (sqlbench reads them by position):
SELECT
  toInt64(count())                                         AS row_count,     -- E1
  toInt64(uniqExact(id))                                   AS distinct_ids,  -- E2 (unique when = row_count)
  toInt64(countIf(age >= 0 AND age <= 120))                AS age_in_range,  -- E3
  toInt64(count() - count(age))                            AS age_nulls,     -- E4
  toInt64(count() - count(income))                         AS income_nulls,  -- E5
  min(income)                                              AS income_min,    -- E6
  toInt64(count() - count(score))                          AS score_nulls,
  avg(score)                                               AS score_mean,    -- E7
  stddevSamp(score)                                        AS score_stddev,  -- E8
  (arrayElement(arraySort(groupArray(score)), intDiv(count(score) + 1, 2)) +
   arrayElement(arraySort(groupArray(score)), intDiv(count(score), 2) + 1)) / 2
                                                           AS score_median,  -- E9
  toInt64(countIf(region NOT IN
    ('north', 'south', 'east', 'west', 'central', 'coast', 'mountain', 'island')))
                                                           AS region_out,    -- E10
  toInt64(countIf(label = 0))                              AS label_0,       -- E11
  toInt64(countIf(label = 1))                              AS label_1,       -- E11
  min(x)                                                   AS x_min,         -- E12
  max(x)                                                   AS x_max,         -- E12
  toInt64(count() - count(y))                              AS y_nulls        -- E12
FROM bench
