package main

import "runtime/debug"

// gcPercent is the garbage collector's headroom when the environment sets
// no GOGC: the heap may grow by 50% of the live heap measured at the last
// collection before the next one starts, instead of Go's default 100%. A
// run's live heap is the batches in flight and the exact checks' values;
// the garbage is decoded batches. Measured on the benchmark's 10M-row
// Parquet file (examples/bench/README.md, "Fewer page faults"), 50 lowers
// the peak RSS by about a fifth and the minor page faults by about a tenth
// at the same CPU time; 200 raises both.
const gcPercent = 50

// setGCPercent sets gcPercent unless getenv("GOGC") is set, which Go's
// runtime has then applied.
func setGCPercent(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
}
