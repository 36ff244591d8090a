// Command curve measures how trustml scales with the rows: for each row
// count it generates the benchmark table (package benchdata), runs
// `trustml check` on it in each format with each suite, and records the
// child's wall time, user and system CPU, peak RSS and minor page faults
// (getrusage of the child). From the repository root:
//
//	go run ./examples/bench/curve -rows 1e6,1e7            # about 5 minutes on 2 cores
//	go run ./examples/bench/curve -rows 1e6,1e7,1e8 -stream # 100M rows: ~4 GB of Parquet under -dir, CSV streamed
//
// Data go to -dir (default: $TMPDIR/trustml-curve), one directory per row
// count, generated once and reused while its marker file says it is
// complete. With -stream the CSV is not written: the generator writes it
// into a named pipe that trustml reads, so 100M rows (about 9 GB of CSV)
// need no disk; the generator's CPU is then not in trustml's figures but
// competes with it for the cores (wall time). It prints a Markdown table,
// then each suite and format's time per row and peak RSS from the
// smallest-but-one to the largest row count (the bounds: at most
// +10% per row, RSS at most 1.2× for suites without exact checks).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "curve:", err)
		os.Exit(2)
	}
}

// measurement is one run of trustml.
type measurement struct {
	Suite, Format string
	Rows          int64
	Wall, User    time.Duration
	Sys           time.Duration
	MaxRSSKiB     int64
	MinorFaults   int64
	ExitCode      int
	Load1         string // the 1-minute load average when the run ended
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("curve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rowsFlag := fs.String("rows", "1e6,1e7", "comma-separated row counts (1e6 or 1000000)")
	formatsFlag := fs.String("formats", "parquet,csv", "comma-separated formats: parquet, csv, arrow")
	suitesFlag := fs.String("suites", "examples/bench/suite.yaml,examples/bench/suite-streaming.yaml", "comma-separated suite files")
	dir := fs.String("dir", filepath.Join(os.TempDir(), "trustml-curve"), "where the data are generated")
	bin := fs.String("trustml", "", "the trustml binary (default: go build ./cmd/trustml into -dir)")
	genBin := fs.String("gen", "", "the generator binary (default: go build ./examples/bench/gen into -dir)")
	stream := fs.Bool("stream", false, "stream the CSV from the generator through a named pipe instead of writing it")
	runs := fs.Int("runs", 1, "runs per suite, format and row count (the median-wall run is reported)")
	seed := fs.Uint64("seed", 1, "the generator's seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	rowCounts, err := parseRows(*rowsFlag)
	if err != nil {
		return err
	}
	formats := strings.Split(*formatsFlag, ",")
	for _, f := range formats {
		if f != "parquet" && f != "csv" && f != "arrow" {
			return fmt.Errorf("-formats: unknown format %q (parquet, csv, arrow)", f)
		}
	}
	suites := strings.Split(*suitesFlag, ",")
	if *runs < 1 {
		return errors.New("-runs must be at least 1")
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return err
	}
	if *bin == "" {
		*bin = filepath.Join(*dir, "trustml")
		if err := goBuild(*bin, "./cmd/trustml", stderr); err != nil {
			return err
		}
	}
	gen := *genBin
	if gen == "" {
		gen = filepath.Join(*dir, "gen")
		if err := goBuild(gen, "./examples/bench/gen", stderr); err != nil {
			return err
		}
	}
	var all []measurement
	for _, n := range rowCounts {
		d := filepath.Join(*dir, strconv.FormatInt(n, 10))
		var files []string
		for _, f := range formats {
			if f == "csv" && *stream {
				continue
			}
			files = append(files, f)
		}
		if err := generate(gen, d, n, *seed, files, stderr); err != nil {
			return err
		}
		for _, suite := range suites {
			for _, f := range formats {
				var ms []measurement
				for range *runs {
					m, err := measure(*bin, gen, suite, d, f, n, *seed, f == "csv" && *stream)
					if err != nil {
						return err
					}
					if m.ExitCode >= 2 {
						return fmt.Errorf("%s on %d rows of %s: trustml exited %d", suite, n, f, m.ExitCode)
					}
					fmt.Fprintf(stderr, "%s %s %d rows: %.2fs wall, %.2fs user, %.2fs sys, %d MiB, load %s\n",
						filepath.Base(suite), f, n, m.Wall.Seconds(), m.User.Seconds(), m.Sys.Seconds(), m.MaxRSSKiB>>10, m.Load1)
					ms = append(ms, m)
				}
				all = append(all, medianWall(ms))
			}
		}
	}
	report(stdout, all)
	return nil
}

// parseRows reads "1e6,10000000".
func parseRows(s string) ([]int64, error) {
	var out []int64
	for f := range strings.SplitSeq(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || v < 1 || v != float64(int64(v)) {
			return nil, fmt.Errorf("-rows: %q is not a positive whole number of rows", f)
		}
		out = append(out, int64(v))
	}
	return out, nil
}

var fileOf = map[string]string{"parquet": "bench.parquet", "csv": "bench.csv", "arrow": "bench.arrow"}

// generate writes the formats into d unless its marker says they are
// there for these rows and seed.
func generate(gen, d string, rows int64, seed uint64, formats []string, stderr io.Writer) error {
	if len(formats) == 0 {
		return nil
	}
	marker := filepath.Join(d, ".complete")
	want := fmt.Sprintf("rows=%d seed=%d formats=%s\n", rows, seed, strings.Join(formats, ","))
	if b, err := os.ReadFile(marker); err == nil && string(b) == want {
		return nil
	}
	os.Remove(marker)
	cmd := exec.Command(gen, "-rows", strconv.FormatInt(rows, 10), "-seed", strconv.FormatUint(seed, 10),
		"-dir", d, "-formats", strings.Join(formats, ","))
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("generating %d rows: %w", rows, err)
	}
	return os.WriteFile(marker, []byte(want), 0o644)
}

// measure runs trustml once and reads its resource usage. With stream,
// the CSV comes through a named pipe the generator writes.
func measure(bin, genBin, suite, d, format string, rows int64, seed uint64, stream bool) (measurement, error) {
	m := measurement{Suite: filepath.Base(suite), Format: format, Rows: rows}
	data := filepath.Join(d, fileOf[format])
	genDone := make(chan error, 1)
	if stream {
		pipeDir, err := os.MkdirTemp(d, "pipe")
		if err != nil {
			return m, err
		}
		defer os.RemoveAll(pipeDir)
		data = filepath.Join(pipeDir, "bench.csv")
		if err := syscall.Mkfifo(data, 0o600); err != nil {
			return m, err
		}
		// The generator's own stdout is the pipe: it writes CSV there.
		gen := exec.Command(genBin, "-rows", strconv.FormatInt(rows, 10), "-seed", strconv.FormatUint(seed, 10), "-formats", "csv", "-dir", "-")
		gen.Stderr = os.Stderr
		go func() {
			// Opening blocks until trustml opens the pipe to read.
			w, err := os.OpenFile(data, os.O_WRONLY, 0)
			if err != nil {
				genDone <- err
				return
			}
			gen.Stdout = w
			err = gen.Run()
			w.Close()
			genDone <- err
		}()
	}
	cmd := exec.Command(bin, "check", suite, "--data", data, "--quiet")
	start := time.Now()
	err := cmd.Run()
	m.Wall = time.Since(start)
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return m, err
	}
	if stream {
		// Unblock a generator still waiting for a reader (trustml failed
		// before opening the pipe): it then fails on the closed pipe.
		if r, err := os.OpenFile(data, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
			r.Close()
		}
		if gerr := <-genDone; gerr != nil && cmd.ProcessState.ExitCode() == 0 {
			return m, fmt.Errorf("streaming the CSV: %w", gerr)
		}
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return m, errors.New("no resource usage for the child")
	}
	m.ExitCode = cmd.ProcessState.ExitCode()
	m.User = time.Duration(ru.Utime.Nano())
	m.Sys = time.Duration(ru.Stime.Nano())
	m.MaxRSSKiB = ru.Maxrss // KiB on Linux
	m.MinorFaults = ru.Minflt
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		m.Load1 = strings.Fields(string(b))[0]
	}
	return m, nil
}

// goBuild builds the package at pkg (relative to the repository root,
// the working directory) into out.
func goBuild(out, pkg string, stderr io.Writer) error {
	build := exec.Command("go", "build", "-o", out, pkg)
	build.Stdout, build.Stderr = stderr, stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build %s: %w", pkg, err)
	}
	return nil
}

// rowsText writes 1000000 as 1M.
func rowsText(n int64) string {
	switch {
	case n%1_000_000_000 == 0:
		return fmt.Sprintf("%dG", n/1_000_000_000)
	case n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n%1_000 == 0:
		return fmt.Sprintf("%dk", n/1_000)
	}
	return strconv.FormatInt(n, 10)
}

func medianWall(ms []measurement) measurement {
	for i := 1; i < len(ms); i++ {
		for j := i; j > 0 && ms[j].Wall < ms[j-1].Wall; j-- {
			ms[j], ms[j-1] = ms[j-1], ms[j]
		}
	}
	return ms[len(ms)/2]
}

// report prints every measurement, then the growth of time per row and of
// peak RSS between the two largest row counts of each suite and format.
func report(w io.Writer, all []measurement) {
	fmt.Fprintln(w, "| suite | format | rows | wall s | user s | sys s | CPU s | ns/row (CPU) | peak RSS MiB | minor faults | load |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|")
	for _, m := range all {
		cpu := m.User + m.Sys
		fmt.Fprintf(w, "| %s | %s | %s | %.2f | %.2f | %.2f | %.2f | %.1f | %d | %d | %s |\n", m.Suite, m.Format, rowsText(m.Rows),
			m.Wall.Seconds(), m.User.Seconds(), m.Sys.Seconds(), cpu.Seconds(), float64(cpu.Nanoseconds())/float64(m.Rows), m.MaxRSSKiB>>10, m.MinorFaults, m.Load1)
	}
	type key struct{ suite, format string }
	var order []key
	by := map[key][]measurement{}
	for _, m := range all {
		k := key{m.Suite, m.Format}
		if by[k] == nil {
			order = append(order, k)
		}
		by[k] = append(by[k], m)
	}
	fmt.Fprintln(w)
	for _, k := range order {
		ms := by[k]
		if len(ms) < 2 {
			continue
		}
		a, b := ms[len(ms)-2], ms[len(ms)-1]
		perRow := func(m measurement) float64 { return float64((m.User + m.Sys).Nanoseconds()) / float64(m.Rows) }
		wallRow := func(m measurement) float64 { return float64(m.Wall.Nanoseconds()) / float64(m.Rows) }
		fmt.Fprintf(w, "%s %s, %s → %s rows: CPU per row ×%.2f, wall per row ×%.2f, peak RSS ×%.2f\n", k.suite, k.format,
			rowsText(a.Rows), rowsText(b.Rows), perRow(b)/perRow(a), wallRow(b)/wallRow(a), float64(b.MaxRSSKiB)/float64(a.MaxRSSKiB))
	}
}
