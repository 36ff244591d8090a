//go:build !race

package report_test

// raceEnabled reports whether the race detector is on.
const raceEnabled = false
