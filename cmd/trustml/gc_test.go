package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLiveLimit(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		h    heapStats
		want int64
	}{
		{heapStats{live: 4 * mib, nonHeap: 3 * mib}, 71 * mib},           // the floor: 4+3+64
		{heapStats{live: 100 * mib, nonHeap: 10 * mib}, 174 * mib},       // 100/4 < 64: the floor
		{heapStats{live: 256 * mib}, 320 * mib},                          // 256/4 = 64
		{heapStats{live: 1024 * mib, nonHeap: 20 * mib}, 1300 * mib},     // 1024+20+256
		{heapStats{live: math.MaxUint64 / 2, nonHeap: 1}, math.MaxInt64}, // no overflow
	} {
		assert.Equal(t, c.want, liveLimit(c.h), "%+v", c.h)
	}
}

func TestReadHeap(t *testing.T) {
	keep := make([]byte, 32<<20) // pointer-free, live across the collection
	runtime.GC()
	h := readHeap()
	assert.GreaterOrEqual(t, h.live, uint64(len(keep)))
	assert.Positive(t, h.nonHeap, "stacks and runtime metadata")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	assert.Less(t, h.nonHeap, ms.Sys, "a part of what the runtime holds")
	runtime.KeepAlive(keep)
}

func TestEveryGC(t *testing.T) {
	calls := make(chan int, 10)
	n := 0
	everyGC(func() bool {
		n++
		calls <- n
		return n < 3
	})
	for want := 1; want <= 3; want++ {
		got := waitGC(t, calls)
		require.Equal(t, want, got)
	}
	runtime.GC()
	runtime.GC()
	select {
	case got := <-calls:
		t.Fatalf("called again (%d) after returning false", got)
	case <-time.After(50 * time.Millisecond):
	}
}

// waitGC collects until a value arrives on c.
func waitGC(t *testing.T, c chan int) int {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		runtime.GC()
		select {
		case v := <-c:
			return v
		case <-deadline:
			t.Fatal("no call after collections for 10s")
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func TestTuneGC(t *testing.T) {
	oldPercent := debug.SetGCPercent(100)
	defer debug.SetGCPercent(oldPercent)
	oldLimit := debug.SetMemoryLimit(math.MaxInt64)
	defer debug.SetMemoryLimit(oldLimit)
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }

	// GOGC or GOMEMLIMIT set: left to the runtime.
	for _, kv := range []map[string]string{{"GOGC": "300"}, {"GOMEMLIMIT": "1GiB"}} {
		stop := tuneGC(env(kv))
		runtime.GC()
		runtime.GC()
		time.Sleep(20 * time.Millisecond)
		assert.Equal(t, 100, debug.SetGCPercent(100), "%v", kv)
		assert.Equal(t, int64(math.MaxInt64), debug.SetMemoryLimit(-1), "%v", kv)
		stop()
	}

	// Neither: GOGC=50, and after each collection a limit that follows
	// the live heap.
	stop := tuneGC(env(nil))
	assert.Equal(t, gcPercent, debug.SetGCPercent(-1))
	limitSet := func() bool { return debug.SetMemoryLimit(-1) != math.MaxInt64 }
	waitFor(t, limitSet)
	keep := make([]byte, 96<<20) // live across the collections
	waitFor(t, func() bool { return debug.SetMemoryLimit(-1) >= int64(len(keep))*5/4 })
	lim := debug.SetMemoryLimit(-1)
	h := readHeap()
	assert.InDelta(t, float64(liveLimit(h)), float64(lim), 8<<20, "the limit of the live heap measured")
	runtime.KeepAlive(keep)

	// Stopped: the limit stays where it was.
	stop()
	runtime.GC() // runs the armed finalizer, which stops
	debug.SetMemoryLimit(math.MaxInt64)
	runtime.GC()
	runtime.GC()
	time.Sleep(20 * time.Millisecond)
	assert.Equal(t, int64(math.MaxInt64), debug.SetMemoryLimit(-1), "no update after stop")
}

// waitFor collects until cond holds, for at most 10s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for start := time.Now(); !cond(); {
		if time.Since(start) > 10*time.Second {
			t.Fatal("condition not met after collections for 10s")
		}
		runtime.GC()
		time.Sleep(5 * time.Millisecond)
	}
}
