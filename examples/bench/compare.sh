#!/usr/bin/env bash
# Times trustml and DuckDB side by side on the benchmark data, alternating
# A B A B ... so that drift in machine speed cancels, and prints for each
# format the median wall, CPU (user+sys) and peak RSS of each, and the
# median of the pairwise wall ratios. See examples/bench/README.md.
#
#   examples/bench/compare.sh [RUNS] [FORMATS...]     (default: 5 parquet csv arrow)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-5}; shift || true
formats=${*:-parquet csv arrow}
data=${BENCH_DATA:-/tmp/benchdata}
duckdb=${DUCKDB_PEER:-/tmp/benchbin/duckdbpeer}
go build -o /tmp/trustml-bench ./cmd/trustml

measure() { # measure FILE CMD... → appends "wall cpu rss_kib" to FILE
  local out=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o /tmp/bench.time "$@" >/dev/null 2>&1
  awk '{printf "%s %.2f %s\n", $1, $2+$3, $4}' /tmp/bench.time >> "$out"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

printf "%-8s %-8s %8s %8s %10s\n" format tool wall_s cpu_s peak_MiB
for f in $formats; do
  t=$(mktemp); d=$(mktemp); r=$(mktemp)
  # warm-up: page cache and binaries
  /tmp/trustml-bench check examples/bench/suite.yaml --data "$data/bench.$f" --quiet >/dev/null
  [ "$f" = arrow ] || "$duckdb" "$data/bench.$f" >/dev/null
  for _ in $(seq "$runs"); do
    measure "$t" /tmp/trustml-bench check examples/bench/suite.yaml --data "$data/bench.$f" --quiet
    # DuckDB reads Parquet and CSV; for Arrow IPC the target is against its Parquet time.
    if [ "$f" = arrow ]; then measure "$d" "$duckdb" "$data/bench.parquet"; else measure "$d" "$duckdb" "$data/bench.$f"; fi
    paste <(tail -1 "$t") <(tail -1 "$d") | awk '{print $1/$4}' >> "$r"
  done
  for tool in trustml duckdb; do
    src=$t; [ $tool = duckdb ] && src=$d
    printf "%-8s %-8s %8.2f %8.2f %10.0f\n" "$f" "$tool" \
      "$(cut -d' ' -f1 "$src" | median)" "$(cut -d' ' -f2 "$src" | median)" "$(cut -d' ' -f3 "$src" | median | awk '{print $1/1024}')"
  done
  label="trustml/duckdb"; [ "$f" = arrow ] && label="trustml(arrow)/duckdb(parquet)"
  printf "%-8s ratio %s wall: %.2f (median of %d pairs)\n" "$f" "$label" "$(median < "$r")" "$runs"
  rm -f "$t" "$d" "$r"
done
