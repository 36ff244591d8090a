-- The benchmark's twelve numbers (examples/bench/README.md, E1–E12) for the
-- table bench, written by hand for PostgreSQL: the best single query a
-- person would send. One scan; the distinct count and the median sort.
-- Columns, in this order (sqlbench reads them by position):
SELECT
  count(*)                                                 AS row_count,     -- E1
  count(DISTINCT id)                                       AS distinct_ids,  -- E2 (unique when = row_count)
  count(*) FILTER (WHERE age BETWEEN 0 AND 120)            AS age_in_range,  -- E3
  count(*) - count(age)                                    AS age_nulls,     -- E4
  count(*) - count(income)                                 AS income_nulls,  -- E5
  min(income)                                              AS income_min,    -- E6
  count(*) - count(score)                                  AS score_nulls,
  avg(score)                                               AS score_mean,    -- E7
  stddev_samp(score)                                       AS score_stddev,  -- E8
  percentile_cont(0.5) WITHIN GROUP (ORDER BY score)       AS score_median,  -- E9
  count(*) FILTER (WHERE region NOT IN
    ('north', 'south', 'east', 'west', 'central', 'coast', 'mountain', 'island'))
                                                           AS region_out,    -- E10
  count(*) FILTER (WHERE label = 0)                        AS label_0,       -- E11
  count(*) FILTER (WHERE label = 1)                        AS label_1,       -- E11
  min(x)                                                   AS x_min,         -- E12
  max(x)                                                   AS x_max,         -- E12
  count(*) - count(y)                                      AS y_nulls        -- E12
FROM bench
