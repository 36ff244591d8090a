#!/usr/bin/env bash
# Times trustml and DuckDB side by side on the benchmark data, alternating
# A B A B ... so that drift in machine speed cancels, and prints for each
# format the median wall, CPU (user+sys) and peak RSS of each, the median
# of the pairwise wall ratios and of the pairwise peak-RSS ratios, then a
# table of those ratios against the issue's targets. See
# examples/bench/README.md.
#
#   examples/bench/compare.sh [RUNS] [FORMATS...]     (default: 5 parquet csv arrow)
#
# It runs from a clone: the data are generated with the repository's own
# generator (10M rows, seed 1) into BENCH_DATA (default /tmp/benchdata) when
# missing. DuckDB is optional: without the binary DUCKDB_PEER names, only
# trustml is timed.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-5}; shift || true
formats=${*:-parquet csv arrow}
data=${BENCH_DATA:-/tmp/benchdata}
duckdb=${DUCKDB_PEER:-/tmp/benchbin/duckdbpeer}
go build -o /tmp/trustml-bench ./cmd/trustml
need=()
for f in $formats; do
  [ -f "$data/bench.$f" ] || need+=("$f")
  # DuckDB runs on Parquet for the Arrow IPC comparison.
  [ "$f" = arrow ] && [ -x "$duckdb" ] && [ ! -f "$data/bench.parquet" ] && need+=(parquet)
done
if [ ${#need[@]} -gt 0 ]; then
  list=$(printf '%s\n' "${need[@]}" | sort -u | paste -sd,)
  echo "generating $list (10M rows, seed 1) into $data" >&2
  go run ./examples/bench/gen -rows 10000000 -seed 1 -dir "$data" -formats "$list"
fi
peer=1
[ -x "$duckdb" ] || { peer=0; echo "no DuckDB peer at $duckdb (set DUCKDB_PEER): timing trustml alone" >&2; }
load() { cut -d' ' -f1 /proc/loadavg; }
summary=$(mktemp)

measure() { # measure FILE CMD... → appends "wall cpu rss_kib" to FILE
  local out=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o /tmp/bench.time "$@" >/dev/null 2>&1
  awk '{printf "%s %.2f %s\n", $1, $2+$3, $4}' /tmp/bench.time >> "$out"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

printf "%-8s %-8s %8s %8s %10s\n" format tool wall_s cpu_s peak_MiB
for f in $formats; do
  t=$(mktemp); d=$(mktemp); r=$(mktemp); m=$(mktemp)
  # warm-up: page cache and binaries
  /tmp/trustml-bench check examples/bench/suite.yaml --data "$data/bench.$f" --quiet >/dev/null
  if [ $peer = 1 ] && [ "$f" != arrow ]; then "$duckdb" "$data/bench.$f" >/dev/null; fi
  load0=$(load)
  for _ in $(seq "$runs"); do
    measure "$t" /tmp/trustml-bench check examples/bench/suite.yaml --data "$data/bench.$f" --quiet
    [ $peer = 1 ] || continue
    # DuckDB reads Parquet and CSV; for Arrow IPC the target is against its Parquet time.
    if [ "$f" = arrow ]; then measure "$d" "$duckdb" "$data/bench.parquet"; else measure "$d" "$duckdb" "$data/bench.$f"; fi
    paste -d' ' <(tail -1 "$t") <(tail -1 "$d") | awk '{print $1/$4}' >> "$r"
    paste -d' ' <(tail -1 "$t") <(tail -1 "$d") | awk '{print $3/$6}' >> "$m"
  done
  tools=trustml; [ $peer = 1 ] && tools="trustml duckdb"
  for tool in $tools; do
    src=$t; [ $tool = duckdb ] && src=$d
    printf "%-8s %-8s %8.2f %8.2f %10.0f\n" "$f" "$tool" \
      "$(cut -d' ' -f1 "$src" | median)" "$(cut -d' ' -f2 "$src" | median)" "$(cut -d' ' -f3 "$src" | median | awk '{print $1/1024}')"
  done
  printf "%-8s load average %s → %s\n" "$f" "$load0" "$(load)"
  if [ $peer = 1 ]; then
    label="trustml/duckdb"; [ "$f" = arrow ] && label="trustml(arrow)/duckdb(parquet)"
    printf "%-8s ratio %s wall: %.2f, peak RSS: %.2f (medians of %d pairs)\n" "$f" "$label" "$(median < "$r")" "$(median < "$m")" "$runs"
    echo "$f $(median < "$r") $(median < "$m") $load0 $(load)" >> "$summary"
  fi
  rm -f "$t" "$d" "$r" "$m"
done
if [ -s "$summary" ]; then
  echo
  echo "| format | wall ratio to DuckDB | target | peak RSS ratio | target | load average |"
  echo "|---|---|---|---|---|---|"
  while read -r f w m l0 l1; do
    case $f in parquet) name=Parquet; tw=0.45 ;; csv) name=CSV; tw=0.35 ;; arrow) name="Arrow IPC (vs DuckDB on Parquet)"; tw=0.25 ;; esac
    printf "| %s | %.2f | ≤ %s | %.2f | ≤ 0.8 | %s → %s |\n" "$name" "$w" "$tw" "$m" "$l0" "$l1"
  done < "$summary"
fi
rm -f "$summary"
