// Command simulate runs the examples/history suite over simulated days,
// recording every run in a history store, with a drift planted on one day.
//
//	go run ./examples/history/simulate [-days 30] [-drift 25] [-out examples/history/out]
//
// Day d's data is derived from the airquality data: its rows resampled with
// replacement from a generator seeded by d (so every run of the
// simulation is the same), about 150 rows on weekdays and 20% fewer at
// weekends, temperatures jittered by ±1 °F. From the drift day on, every
// temperature is 6 °F higher: within the suite's static bounds, but unlike
// any day before. Each day's result is written as out/day-NN.json, and the
// history to out/history.db.
package main

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/trustml/trustml"
	"github.com/trustml/trustml/history"
	"github.com/trustml/trustml/report"
	"github.com/trustml/trustml/result"
)

func main() {
	var c config
	flag.StringVar(&c.Suite, "suite", "examples/history/suite.yaml", "the suite to run")
	flag.StringVar(&c.Data, "data", "examples/airquality/airquality.csv", "the data each day is derived from")
	flag.StringVar(&c.Out, "out", "examples/history/out", "where the days' data, results and history go")
	flag.IntVar(&c.Days, "days", 30, "days to simulate")
	flag.IntVar(&c.DriftDay, "drift", 25, "the day the drift starts (0: none)")
	flag.Parse()
	if _, err := simulate(context.Background(), c, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "simulate:", err)
		os.Exit(2)
	}
}

type config struct {
	Suite, Data, Out string
	Days, DriftDay   int
}

// day is what one simulated day's run found.
type day struct {
	Day     int
	Passed  bool
	RunID   int64
	Flagged []string // history checks that did not pass
}

// start is the first simulated day (a Monday).
var start = time.Date(2026, 6, 1, 6, 0, 0, 0, time.UTC)

func simulate(ctx context.Context, c config, w io.Writer) ([]day, error) {
	suite, err := trustml.Load(c.Suite)
	if err != nil {
		return nil, err
	}
	header, rows, err := readCSV(c.Data)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(c.Out, 0o755); err != nil {
		return nil, err
	}
	store := filepath.Join(c.Out, "history.db")
	for _, p := range []string{store, store + "-wal", store + "-shm"} {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return nil, err
		}
	}
	var days []day
	for d := 1; d <= c.Days; d++ {
		path := filepath.Join(c.Out, fmt.Sprintf("day-%02d.csv", d))
		if err := writeCSV(path, header, derive(header, rows, d, c.DriftDay > 0 && d >= c.DriftDay)); err != nil {
			return nil, err
		}
		at := start.AddDate(0, 0, d-1)
		res, err := suite.Run(ctx, trustml.RunOptions{
			DataPath: path, History: store, Now: func() time.Time { return at },
			Tags: map[string]string{"day": strconv.Itoa(d)}, GitCommit: "simulated",
		})
		if err != nil {
			return nil, fmt.Errorf("day %d: %w", d, err)
		}
		if res.HistoryFailed() {
			return nil, fmt.Errorf("day %d: %s", d, res.History.Error)
		}
		f, err := os.Create(filepath.Join(c.Out, fmt.Sprintf("day-%02d.json", d)))
		if err != nil {
			return nil, err
		}
		err = report.WriteJSON(f, res)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, err
		}
		dd := day{Day: d, Passed: res.Passed, RunID: res.History.RunID}
		var notes []string
		for _, ch := range res.Checks {
			if ch.Section != history.Section {
				continue
			}
			if ch.Status != result.Pass {
				dd.Flagged = append(dd.Flagged, ch.Name)
				notes = append(notes, fmt.Sprintf("%s %s: %s", strings.ToUpper(string(ch.Status)), ch.Name, ch.Message))
			}
		}
		verdict := "PASSED"
		if !res.Passed {
			verdict = "FAILED"
		}
		fmt.Fprintf(w, "day %2d (%s, run %d, %d rows): %s\n", d, at.Format("Mon 02 Jan"), dd.RunID, res.Run.Data.Rows, verdict)
		for _, n := range notes {
			fmt.Fprintf(w, "        %s\n", n)
		}
		days = append(days, dd)
	}
	return days, nil
}

// derive returns day d's rows: a resample of rows, fewer at weekends,
// temperatures jittered, and 6 °F warmer when drifted.
func derive(header []string, rows [][]string, d int, drifted bool) [][]string {
	rng := rand.New(rand.NewPCG(2026, uint64(d)))
	n := 150 + rng.IntN(7)
	if wd := start.AddDate(0, 0, d-1).Weekday(); wd == time.Saturday || wd == time.Sunday {
		n = n * 4 / 5
	}
	temp := indexOf(header, "Temp")
	out := make([][]string, n)
	for i := range out {
		row := append([]string(nil), rows[rng.IntN(len(rows))]...)
		if t, err := strconv.Atoi(row[temp]); err == nil {
			t += rng.IntN(3) - 1
			if drifted {
				t += 6
			}
			row[temp] = strconv.Itoa(t)
		}
		out[i] = row
	}
	return out
}

func indexOf(header []string, name string) int {
	for i, h := range header {
		if h == name {
			return i
		}
	}
	panic("simulate: the data has no column " + name)
}

func readCSV(path string) ([]string, [][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	all, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(all) < 2 {
		return nil, nil, fmt.Errorf("%s: no rows", path)
	}
	return all[0], all[1:], nil
}

func writeCSV(path string, header []string, rows [][]string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(f)
	cw.Write(header)
	cw.WriteAll(rows)
	if err := cw.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
