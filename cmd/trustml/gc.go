package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// gcPercent is the garbage collector's headroom when the environment sets
// no GOGC: the heap may grow by 50% of the live heap measured at the last
// collection before the next one starts, instead of Go's default 100%. A
// run's live heap is the batches in flight and the exact checks' values;
// the garbage is decoded batches. Measured on the benchmark's 10M-row
// Parquet file (examples/bench/README.md, "GC headroom"), 50 lowers
// the peak RSS by about a fifth and the minor page faults by about a tenth
// at the same CPU time; 200 raises both.
const gcPercent = 50

// tuneGC sets the garbage collector's headroom for a run: gcPercent, and a
// soft memory limit that follows the live heap (see liveLimit), unless the
// environment sets GOGC or GOMEMLIMIT, which Go's runtime has then applied
// and which are left alone. It returns a function that stops the limit's
// updates (for tests; a run never calls it).
func tuneGC(getenv func(string) string) (stop func()) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	debug.SetGCPercent(gcPercent)
	var stopped atomic.Bool
	everyGC(func() bool {
		if stopped.Load() {
			return false
		}
		debug.SetMemoryLimit(liveLimit(readHeap()))
		return true
	})
	return func() { stopped.Store(true) }
}

// The memory limit allows limitFraction of the live heap above it, at
// least limitFloor bytes, where GOGC=50 allows half. Below 2×limitFloor of
// live heap GOGC's goal is the lower and rules; above, the collection
// starts earlier than GOGC's goal, so that the heap of a run whose exact
// checks hold hundreds of megabytes of values grows by a quarter of them
// rather than half before it is collected. Those values hold no pointers:
// collecting more often over them costs little. Measured on the
// benchmark's 10M-row Parquet file (alternated runs against GOGC=50
// alone): the 12-check suite's peak RSS fell from 332-346 MiB to 305-314
// MiB, a suite of exact checks holding about 500 MB of values from 750 to
// 683-692 MiB, at the same CPU time; CSV's did not change. A tenth (floor
// 32 MiB) took the exact suite to 674-678 MiB but cost 7% more CPU.
const (
	limitFloor    = 64 << 20
	limitFraction = 0.25
)

// heapStats is what liveLimit reads from runtime/metrics.
type heapStats struct {
	live    uint64 // /gc/heap/live:bytes: the heap marked at the last collection
	nonHeap uint64 // memory the runtime holds outside heap spans (stacks, metadata, ...)
}

// liveLimit is the soft memory limit for the heap h: the memory the runtime
// holds outside the heap, plus the live heap, plus headroom.
func liveLimit(h heapStats) int64 {
	head := max(limitFloor, uint64(float64(h.live)*limitFraction))
	l := h.nonHeap + h.live + head
	if l > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(l)
}

var heapMetrics = []string{
	"/gc/heap/live:bytes",
	"/memory/classes/total:bytes",
	"/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/unused:bytes",
	"/memory/classes/heap/free:bytes",
	"/memory/classes/heap/released:bytes",
}

// readHeap reads heapStats from runtime/metrics.
func readHeap() heapStats {
	s := make([]metrics.Sample, len(heapMetrics))
	for i, name := range heapMetrics {
		s[i].Name = name
	}
	metrics.Read(s)
	v := make([]uint64, len(s))
	for i := range s {
		if s[i].Value.Kind() == metrics.KindUint64 {
			v[i] = s[i].Value.Uint64()
		}
	}
	h := heapStats{live: v[0]}
	if heap := v[2] + v[3] + v[4] + v[5]; v[1] > heap {
		h.nonHeap = v[1] - heap
	}
	return h
}

// everyGC calls f on the finalizer goroutine after each garbage collection
// (the first after the next one) for as long as f returns true.
func everyGC(f func() bool) {
	// A finalizer runs once its object is found unreachable, that is after
	// the collection that finds it; each call arms the next. The object
	// holds a pointer so that it is not batched with others by the tiny
	// allocator, whose objects may never be finalized.
	type sentinel struct{ _ *byte }
	runtime.SetFinalizer(&sentinel{}, func(*sentinel) {
		if f() {
			everyGC(f)
		}
	})
}
