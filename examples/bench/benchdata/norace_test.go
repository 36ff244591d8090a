//go:build !race

package benchdata_test

// raceEnabled reports whether the race detector is on.
const raceEnabled = false
