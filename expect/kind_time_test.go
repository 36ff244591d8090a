package expect_test

import (
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"

	"github.com/trustml/trustml/expect"
	"github.com/trustml/trustml/result"
)

// The run's instant: 2024-03-10T12:00:00Z, 08:00 in New York, the morning
// daylight saving time began there (02:00 EST became 03:00 EDT).
var timeNow = time.Date(2024, 3, 10, 12, 0, 0, 0, time.UTC)

var timeSchema = arrow.NewSchema([]arrow.Field{
	{Name: "zoned", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "America/New_York"}, Nullable: true},
	{Name: "naive", Type: &arrow.TimestampType{Unit: arrow.Second}, Nullable: true},
	{Name: "day", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "old", Type: &arrow.TimestampType{Unit: arrow.Second, TimeZone: "UTC"}, Nullable: true},
}, nil)

// Epoch seconds (zoned in milliseconds) and days:
//
//	zoned: 2024-03-09T04:59:59Z, 2024-03-09T05:00:00Z, 2024-03-10T12:00:00Z, 2024-03-10T12:00:01Z
//	naive: 2024-03-09T23:59:59, 2024-03-10T00:00:00, null, 2024-03-09T05:00:00
//	day:   2024-02-29, 2024-03-01, 2024-03-10, 2024-03-11
//	old:   2024-03-10T10:00:00Z, null, null, null
const timeRows = `[
 {"zoned": 1709960399000, "naive": 1710028799, "day": 19782, "old": 1710064800},
 {"zoned": 1709960400000, "naive": 1710028800, "day": 19783, "old": null},
 {"zoned": 1710072000000, "naive": null,       "day": 19792, "old": null},
 {"zoned": 1710072001000, "naive": 1709960400, "day": 19793, "old": null}
]`

func evalTimes(t *testing.T, suite string) map[string]result.Check {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := table(t, mem, timeSchema, timeRows)
	defer tbl.Release()
	return byName(evaluate(t, decode(t, suite), tbl, 2, expect.Options{Workers: 2, Now: timeNow}))
}

func TestTimeBoundsHandComputed(t *testing.T) {
	res := evalTimes(t, `
columns:
  zoned:
    range: {min: today - 1d, max: now}
    max: {max: "now + 1s"}
  naive:
    range: {max: 2024-03-10T00:00:00, strict_max: true}
    min: {min: "2024-03-09T06:00:00"}
  day:
    range: {min: 2024-03-01, max: today}
`)
	// today in New York is 2024-03-10 00:00 EST = 05:00Z; a day before,
	// 2024-03-09T05:00Z. The first value is a second early, the last a
	// second after now.
	z := res["columns.zoned.range"]
	assert.Equal(t, []int64{0, 3}, failing(z))
	assert.Equal(t, "2024-03-09T04:59:59Z", z.Sample[0].Value) // samples show instants in UTC
	assert.Equal(t, map[string]any{"min": "today - 1d", "max": "now"}, z.Expected)
	assert.Equal(t, "2 of 4 values outside [today - 1d, now] (50.0%), e.g. row 0: \"2024-03-09T04:59:59Z\"", z.Message)

	zm := res["columns.zoned.max"]
	assert.Equal(t, result.Pass, zm.Status, zm.Message)
	assert.Equal(t, "2024-03-10T08:00:01-04:00", zm.Observed) // EDT after the change

	// A naive timestamp is a wall clock: midnight itself fails a strict
	// max.
	assert.Equal(t, []int64{1}, failing(res["columns.naive.range"]))
	nm := res["columns.naive.min"]
	assert.Equal(t, result.Fail, nm.Status)
	assert.Equal(t, "min 2024-03-09T05:00:00, expected [2024-03-09T06:00:00, +∞)", nm.Message)

	// Dates: 2024-02-29 is before the first of March, 2024-03-11 after
	// today.
	assert.Equal(t, []int64{0, 3}, failing(res["columns.day.range"]))
}

func TestFreshnessHandComputed(t *testing.T) {
	res := evalTimes(t, `
columns:
  zoned: {freshness: {max_age: 36h}}
  old: {freshness: 1h}
  day: {freshness: {max_age: 1d}}
`)
	// The newest zoned value is a second after now: age −1s.
	z := res["columns.zoned.freshness"]
	assert.Equal(t, result.Pass, z.Status, z.Message)
	// 10:00Z is two hours before now.
	o := res["columns.old.freshness"]
	assert.Equal(t, result.Fail, o.Status)
	assert.Equal(t, map[string]any{"newest": "2024-03-10T10:00:00Z", "age": "2h0m0s"}, o.Observed)
	assert.Equal(t, "newest value 2024-03-10T10:00:00Z, 2h0m0s old, more than 1h0m0s", o.Message)
	assert.Equal(t, map[string]any{"now": "2024-03-10T12:00:00Z"}, o.Details)
	// A date is fresh through its day: 2024-03-11 is in the future.
	assert.Equal(t, result.Pass, res["columns.day.freshness"].Status)
}

func TestTimeBoundErrors(t *testing.T) {
	for src, want := range map[string]string{
		`columns: {t: {range: {min: "today minus 1d"}}}`:          `"today minus 1d" is not a date or time bound`,
		`columns: {t: {range: {min: yesterday}}}`:                 `must be a number, got the string "yesterday"`,
		`columns: {t: {range: {min: "now - 2x"}}}`:                `"2x" is not a duration`,
		`columns: {t: {range: {min: 2024-02-01, max: 3}}}`:        "a number beside a date or time bound",
		`columns: {t: {freshness: {max_age: -1h}}}`:               "must be a positive duration",
		`columns: {t: {freshness: {}}}`:                           "needs max_age",
		`columns: {t: {max: {min: 2024-03-02, max: 2024-03-01}}}`: "is after max",
	} {
		assert.Contains(t, decodeProblem(t, src), want, src)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := table(t, mem, timeSchema, timeRows)
	defer tbl.Release()
	rr := array.NewTableReader(tbl, 2)
	defer rr.Release()
	_, err := decode(t, `columns: {zoned: {range: {min: 0}}}`).Evaluate(t.Context(), rr, expect.Options{Now: timeNow})
	if assert.Error(t, err) {
		assert.Contains(t, err.Error(), `column "zoned" is timestamp[ms, tz=America/New_York]; range on it takes date and time bounds`)
	}
}
