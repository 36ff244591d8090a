package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mainEnv makes the test binary run main() (see TestMain), so that tests
// can send signals to a real trustml process.
const mainEnv = "TRUSTML_CLI_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(mainEnv) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// commandsDir holds the Python command models of the model package's tests.
var commandsDir, _ = filepath.Abs("../../model/testdata/commands")

func needPython(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed")
	}
}

// modelSuite writes a CSV of y = 2x and a suite whose model is the given
// command (a YAML value), and returns the suite's path.
func modelSuite(t *testing.T, dir, command string) string {
	var b strings.Builder
	b.WriteString("x,y\n")
	for i := range 40 {
		fmt.Fprintf(&b, "%d,%d\n", i, 2*i)
	}
	writeFile(t, dir, "d.csv", b.String())
	return writeFile(t, dir, "s.yaml", `
data: {path: d.csv}
model:
  target: y
  features: [x]
  command: `+command+`
  metrics: {r2: {min: 0.99}}
`)
}

// Class 2: a command model that never answers is stopped by its timeout:
// exit 2, no result, and the error says what was sent and came back.
func TestCheckCommandTimeout(t *testing.T) {
	needPython(t)
	for _, script := range []string{"buffered.py", "readall.py", "stderronly.py"} {
		t.Run(script, func(t *testing.T) {
			dir := t.TempDir()
			suite := modelSuite(t, dir, fmt.Sprintf("{argv: [python3, %q], timeout: 1s}", filepath.Join(commandsDir, script)))
			jsonPath := filepath.Join(dir, "r.json")
			start := time.Now()
			code, out, errs := cli(t, "check", suite, "--json", jsonPath)
			assert.Equal(t, 2, code, out+errs)
			assert.Less(t, time.Since(start), 30*time.Second)
			// The row is named as a data row (0-based, as everywhere).
			assert.Contains(t, errs, "data row 0: no prediction within 1s (the timeout): sent ")
			assert.Contains(t, errs, `rows (the first: {"x":0}), got no line back`)
			assert.Contains(t, errs, "flush its standard output")
			assert.NoFileExists(t, jsonPath)
		})
	}
}

// A command following the protocol passes with the default timeout.
func TestCheckCommandFlushed(t *testing.T) {
	needPython(t)
	dir := t.TempDir()
	suite := modelSuite(t, dir, fmt.Sprintf("[python3, %q]", filepath.Join(commandsDir, "flushed.py")))
	code, out, errs := cli(t, "check", suite)
	assert.Equal(t, 0, code, out+errs)
	assert.Contains(t, out, "PASSED: 1 checks")
}

// Class 3: more lines than rows is an error naming the counts, not a wrong
// r².
func TestCheckCommandExtraLines(t *testing.T) {
	needPython(t)
	dir := t.TempDir()
	suite := modelSuite(t, dir, fmt.Sprintf("[python3, %q]", filepath.Join(commandsDir, "twice.py")))
	code, out, errs := cli(t, "check", suite)
	assert.Equal(t, 2, code, out+errs)
	assert.Regexp(t, `printed \d+ output lines for \d+ rows sent \(\d+ extra`, errs)
	assert.NotContains(t, out, "PASSED")
}

// Suite decoding of command: {argv, timeout}.
func TestCommandTimeoutKey(t *testing.T) {
	dir := t.TempDir()
	suite := modelSuite(t, dir, "{argv: [python3, p.py], timeout: soon}")
	code, _, errs := cli(t, "validate", suite)
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, `s.yaml:6:45: model.command.timeout: must be a positive duration such as 30s or 2m, got "soon"`)
	suite = modelSuite(t, dir, "{timeout: 5s, agrv: [x]}")
	code, _, errs = cli(t, "validate", suite)
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, `model.command.agrv: unknown key "agrv" (did you mean "argv"?)`)
	assert.Contains(t, errs, `model.command.argv: missing`)
}

// Class 3: an empty flag value (an unset variable) is a usage error.
func TestEmptyFlagValues(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "d.csv", "a\n1\n")
	suite := writeFile(t, dir, "s.yaml", "data: {path: d.csv}\nexpectations: {columns: {a: {missing: 0}}}\n")
	before, err := os.ReadFile(suite)
	require.NoError(t, err)
	for _, args := range [][]string{
		{"check", suite, "--data", ""},
		{"check", suite, "--json", ""},
		{"check", suite, "--junit="},
		{"check", suite, "--html", ""},
		{"check", suite, "--cpuprofile", ""},
		{"check", ""},
		{"validate", ""},
		{"profile", filepath.Join(dir, "d.csv"), "-o", ""},
		{"profile", filepath.Join(dir, "d.csv"), "--columns", ""},
		{"suggest", filepath.Join(dir, "d.csv"), "--target", ""},
		{"suggest", filepath.Join(dir, "d.csv"), "-o", ""},
	} {
		code, out, errs := cli(t, args...)
		assert.Equal(t, 2, code, "%q: %s%s", args, out, errs)
		assert.Contains(t, errs, "empty", "%q", args)
		assert.Empty(t, out, "%q", args)
	}
	after, err := os.ReadFile(suite)
	require.NoError(t, err)
	assert.Equal(t, before, after)
}

// Class 4: an output that is an input is refused before anything is read
// or written; the inputs are left intact.
func TestOutputIsAnInput(t *testing.T) {
	needPython(t)
	dir := t.TempDir()
	data := writeFile(t, dir, "d.csv", "x,y\n1,2\n2,4\n3,6\n")
	ref := writeFile(t, dir, "ref.csv", "x,y\n1,2\n2,4\n3,6\n")
	script := writeFile(t, dir, "m.py", "import sys\nfor l in sys.stdin: print(1, flush=True)\n")
	suite := writeFile(t, dir, "s.yaml", `
data: {path: d.csv, reference: ref.csv}
drift: {columns: {x: {ks: {max_statistic: 1}}}}
model:
  target: y
  features: [x]
  command: [python3, m.py]
`)
	require.NoError(t, os.Symlink(data, filepath.Join(dir, "link.csv")))
	other := writeFile(t, dir, "other.csv", "x,y\n1,2\n")
	snapshot := func() map[string]string {
		m := map[string]string{}
		for _, p := range []string{data, ref, script, suite, other} {
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			m[p] = string(b)
		}
		return m
	}
	before := snapshot()
	t.Chdir(dir)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--json", data}, "--json " + data + " is an input of the run"},
		{[]string{"--json", "d.csv"}, "--json d.csv is an input of the run"},
		{[]string{"--json", suite}, "is an input of the run"},
		{[]string{"--junit", ref}, "is an input of the run"},
		{[]string{"--html", "m.py"}, "--html m.py is an input of the run"},
		{[]string{"--cpuprofile", data}, "--cpuprofile " + data + " is an input of the run"},
		{[]string{"--json", filepath.Join(dir, "link.csv")}, "is an input of the run"},              // a symlink: os.SameFile
		{[]string{"--json", "./sub/../d.csv"}, "is an input of the run"},                            // by path, once cleaned
		{[]string{"--data", other, "--json", other}, "is an input of the run"},                      // the --data file
		{[]string{"--json", "r.out", "--junit", "r.out"}, "--json and --junit both write to r.out"}, // two outputs
		{[]string{"--json", "-", "--html", "-"}, "--json and --html both write to standard output"}, // two on stdout
		{[]string{"--json", dir}, "is a directory"},                                                 // a directory
		{[]string{"--cpuprofile", "-"}, "--cpuprofile: give a file, not -"},                         // a profile is binary
	} {
		code, out, errs := cli(t, append([]string{"check", suite}, tc.args...)...)
		assert.Equal(t, 2, code, "%q: %s%s", tc.args, out, errs)
		assert.Contains(t, errs, tc.want, "%q", tc.args)
	}
	assert.Equal(t, before, snapshot(), "no input was touched")
	assert.NoFileExists(t, filepath.Join(dir, "r.out"))

	// profile and suggest: -o may not be the data.
	code, _, errs := cli(t, "profile", data, "-o", data)
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "-o "+data+" is an input of the run")
	code, _, errs = cli(t, "suggest", data, "-o", "link.csv")
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "is an input of the run")
	assert.Equal(t, before, snapshot(), "no input was touched")
}

// Class 4: "-" writes to stdout, and the human lines go to stderr.
func TestJSONToStdout(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "d.csv", "a\n1\n500\n")
	suite := writeFile(t, dir, "s.yaml", "data: {path: d.csv}\nexpectations: {columns: {a: {range: {max: 100}}}}\n")
	code, out, errs := cli(t, "check", suite, "--json", "-")
	assert.Equal(t, 1, code)
	var res struct{ Passed *bool }
	require.NoError(t, json.Unmarshal([]byte(out), &res), out)
	require.NotNil(t, res.Passed)
	assert.False(t, *res.Passed)
	assert.Contains(t, errs, "FAIL  columns.a.range")
	assert.Contains(t, errs, "FAILED: 1 checks")

	// profile and suggest take - as well.
	code, out, _ = cli(t, "profile", filepath.Join(dir, "d.csv"), "-o", "-")
	assert.Equal(t, 0, code)
	assert.True(t, json.Valid([]byte(out)))
	code, out, _ = cli(t, "suggest", filepath.Join(dir, "d.csv"), "-o", "-")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "expectations:")
}

// Class 4: devices and FIFOs are written directly, never replaced.
func TestSpecialOutputs(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no devices or FIFOs")
	}
	dir := t.TempDir()
	writeFile(t, dir, "d.csv", "a\n1\n")
	suite := writeFile(t, dir, "s.yaml", "data: {path: d.csv}\nexpectations: {columns: {a: {missing: 0}}}\n")
	code, out, errs := cli(t, "check", suite, "--json", "/dev/null", "--junit", "/dev/null", "--quiet")
	assert.Equal(t, 0, code, out+errs)
	fi, err := os.Stat("/dev/null")
	require.NoError(t, err)
	assert.NotZero(t, fi.Mode()&os.ModeCharDevice, "/dev/null is still a device")

	fifo := filepath.Join(dir, "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	got := make(chan []byte, 1)
	go func() {
		b, _ := os.ReadFile(fifo)
		got <- b
	}()
	code, out, errs = cli(t, "check", suite, "--json", fifo)
	assert.Equal(t, 0, code, out+errs)
	select {
	case b := <-got:
		assert.True(t, json.Valid(b), string(b))
	case <-time.After(10 * time.Second):
		t.Fatal("nothing came through the FIFO")
	}
	fi, err = os.Lstat(fifo)
	require.NoError(t, err)
	assert.NotZero(t, fi.Mode()&os.ModeNamedPipe, "the FIFO is still a FIFO")
}

// Class 4: the outputs are all-or-nothing. When one cannot be written,
// none is put in place and earlier files keep their content.
func TestOutputsAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "d.csv", "a\n1\n500\n")
	suite := writeFile(t, dir, "s.yaml", "data: {path: d.csv}\nexpectations: {columns: {a: {range: {max: 100}}}}\n")
	stale := writeFile(t, dir, "r.json", `{"passed": true}`)
	blocker := writeFile(t, dir, "blocker", "a file, not a directory")
	junit := filepath.Join(dir, "r.xml")
	for _, bad := range []string{filepath.Join(blocker, "r.html"), "/dev/full"} {
		if _, err := os.Stat(bad); bad == "/dev/full" && err != nil {
			continue
		}
		code, out, errs := cli(t, "check", suite, "--json", stale, "--junit", junit, "--html", bad)
		assert.Equal(t, 2, code, out+errs)
		if bad == "/dev/full" {
			assert.Contains(t, errs, "no result written")
		}
		b, err := os.ReadFile(stale)
		require.NoError(t, err)
		assert.JSONEq(t, `{"passed": true}`, string(b), "the former result is untouched")
		assert.NoFileExists(t, junit)
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		for _, e := range entries {
			assert.False(t, strings.HasSuffix(e.Name(), ".tmp") || strings.HasSuffix(e.Name(), ".old"), "left behind: %s", e.Name())
		}
	}
	// When every output can be written, they all are.
	code, _, _ := cli(t, "check", suite, "--json", stale, "--junit", junit, "--html", filepath.Join(dir, "r.html"))
	assert.Equal(t, 1, code)
	b, err := os.ReadFile(stale)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"passed": false`)
	assert.FileExists(t, junit)
	assert.FileExists(t, filepath.Join(dir, "r.html"))
}

// Class 4: ±Inf and NaN in failing samples and in a model's metrics do not
// break --json, and the JSON decodes.
func TestNonFiniteJSON(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "d.csv", "a,y,p\ninf,1,1\n-inf,1,1\nNaN,1,1\n5,1,1\n")
	suite := writeFile(t, dir, "s.yaml", `
data: {path: d.csv, null_values: [""]}
expectations: {columns: {a: {range: {min: 0, max: 10}}, y: {mean: {max: 0}}}}
model:
  target: y
  features: [a]
  predictions: p
  split: {method: none}
  metrics: {r2: {min: 0.5}, mape: {max: 1}}
`)
	jsonPath := filepath.Join(dir, "r.json")
	code, out, errs := cli(t, "check", suite, "--json", jsonPath, "--junit", filepath.Join(dir, "r.xml"), "--html", filepath.Join(dir, "r.html"))
	assert.Equal(t, 2, code, out+errs) // r² of a constant target is undefined: a check error
	assert.Contains(t, out, "FAIL  columns.a.range")
	b, err := os.ReadFile(jsonPath)
	require.NoError(t, err, errs)
	var res map[string]any
	require.NoError(t, json.Unmarshal(b, &res))
	assert.Contains(t, string(b), `"value": "+Inf"`)
	assert.Contains(t, string(b), `"value": "-Inf"`)
}

// Class 5: sampled values are cut, so outputs stay small whatever the data.
func TestSampleValuesBounded(t *testing.T) {
	dir := t.TempDir()
	const n, size = 25, 500_000
	var b strings.Builder
	b.WriteString("s\n")
	for i := range n {
		b.WriteString(strings.Repeat(string(rune('a'+i%26)), size-1))
		b.WriteString("é\n") // a two-byte rune at the end
	}
	writeFile(t, dir, "d.csv", b.String())
	suite := writeFile(t, dir, "s.yaml", "data: {path: d.csv}\nexpectations: {columns: {s: {in_set: [x]}}}\n")
	jsonPath, htmlPath, junitPath := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.html"), filepath.Join(dir, "r.xml")
	code, out, errs := cli(t, "check", suite, "--json", jsonPath, "--html", htmlPath, "--junit", junitPath)
	assert.Equal(t, 1, code, errs)
	assert.Less(t, len(out), 2000, "stdout")
	assert.Contains(t, out, fmt.Sprintf(`e.g. row 0: "%s…" (%d bytes)`, strings.Repeat("a", 200), size+1))
	for _, p := range []string{jsonPath, htmlPath, junitPath} {
		fi, err := os.Stat(p)
		require.NoError(t, err)
		assert.Less(t, fi.Size(), int64(200_000), p)
	}
	var res struct {
		Checks []struct {
			Sample []struct {
				Row        int64
				Value      string
				ValueBytes int `json:"value_bytes"`
			}
		}
	}
	data, err := os.ReadFile(jsonPath)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &res))
	require.NotEmpty(t, res.Checks[0].Sample)
	for _, s := range res.Checks[0].Sample {
		assert.Equal(t, size+1, s.ValueBytes)
		assert.Equal(t, 201, len([]rune(s.Value)))
	}
}

// startMain runs trustml (this test binary in main mode) with args.
func startMain(t *testing.T, dir string, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), mainEnv+"=1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	require.NoError(t, cmd.Start())
	return cmd, &out, &errb
}

// Class 3: SIGINT or SIGTERM during a model call ends the run with exit 2
// and writes nothing.
func TestInterruptedRun(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("signals")
	}
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			// A model that says it started, then takes a minute to answer.
			started := filepath.Join(dir, "started")
			suite := modelSuite(t, dir, fmt.Sprintf("{argv: [sh, -c, 'touch %s; sleep 60'], timeout: 2m}", started))
			jsonPath := filepath.Join(dir, "r.json")
			cmd, out, errb := startMain(t, dir, "check", suite, "--json", jsonPath)
			// Signal once the run is inside the model call.
			deadline := time.Now().Add(60 * time.Second)
			for {
				if _, err := os.Stat(started); err == nil {
					break
				}
				if time.Now().After(deadline) {
					_ = cmd.Process.Kill()
					t.Fatalf("the model never started: %s", errb.String())
				}
				time.Sleep(20 * time.Millisecond)
			}
			require.NoError(t, cmd.Process.Signal(sig))
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatal("trustml did not stop")
			}
			assert.Equal(t, 2, cmd.ProcessState.ExitCode(), out.String()+errb.String())
			assert.NotContains(t, out.String(), "PASSED")
			assert.Contains(t, errb.String(), "interrupted")
			assert.NoFileExists(t, jsonPath)
		})
	}
}

// Every row of the README's exit-code table, through the CLI.
func TestExitCodeTable(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "d.csv", "a,y,p\n1,1,1\n2,1,1\n3,1,2\n")
	write := func(name, body string) string { return writeFile(t, dir, name, body) }
	pass := write("pass.yaml", "data: {path: d.csv}\nexpectations: {columns: {a: {range: {min: 0}}}}\n")
	warn := write("warn.yaml", "data: {path: d.csv}\nexpectations: {columns: {a: {range: {max: 1}, severity: warn}}}\n")
	fail := write("fail.yaml", "data: {path: d.csv}\nexpectations: {columns: {a: {range: {max: 1}}}}\n")
	// r² of a constant target is undefined: the check's status is error.
	checkErr := write("err.yaml", "data: {path: d.csv}\nmodel: {target: y, features: [a], predictions: p, split: {method: none}, metrics: {r2: {min: 0}}}\n")
	badSuite := write("bad.yaml", "data: {path: d.csv}\nexpectations: {columns: {a: {rnage: {}}}}\n")
	noData := write("nodata.yaml", "data: {path: none.csv}\nexpectations: {columns: {a: {missing: 0}}}\n")

	for _, tc := range []struct {
		name  string
		args  []string
		code  int
		files bool // whether the result files are written
	}{
		{"every check passed", []string{"check", pass}, 0, true},
		{"only warnings failed", []string{"check", warn}, 0, true},
		{"an error-severity check failed", []string{"check", fail}, 1, true},
		{"a check could not be evaluated", []string{"check", checkErr}, 2, true},
		{"bad flags", []string{"check", pass, "--bogus"}, 2, false},
		{"a malformed suite", []string{"check", badSuite}, 2, false},
		{"missing data", []string{"check", noData}, 2, false},
		{"an output cannot be written", []string{"check", pass, "--html", filepath.Join(pass, "x.html")}, 2, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "r.json")
			code, stdout, errs := cli(t, append(tc.args, "--json", out)...)
			assert.Equal(t, tc.code, code, stdout+errs)
			if tc.files {
				assert.FileExists(t, out)
			} else {
				assert.NoFileExists(t, out)
			}
		})
	}
	// Interrupted: exit 2, no file (TestInterruptedRun sends real signals).
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := filepath.Join(t.TempDir(), "r.json")
	code := run(ctx, []string{"check", pass, "--json", out}, &bytes.Buffer{}, &bytes.Buffer{})
	assert.Equal(t, 2, code)
	assert.NoFileExists(t, out)
}

// Class 6: a non-finite prediction in a suite with slices names the data
// row it was made from, not its position in the test split. The command
// predicts NaN for x = 17 only: with a random split, data row 17 sits at
// another position among the held-out rows. The command adapter refuses
// the line first; model.PredictAll and slice.Run refuse a non-finite value
// from any other model as a *model.RowError too, and the run names data
// rows in each with model.AtDataRows (slice's own case, which the CLI's
// earlier checks make unreachable, is TestRunRowErrorsNameDataRows).
func TestNonFinitePredictionNamesDataRow(t *testing.T) {
	needPython(t)
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("x,g,y\n")
	for i := range 40 {
		fmt.Fprintf(&b, "%d,%s,%d\n", i, []string{"a", "b"}[i%2], 2*i)
	}
	writeFile(t, dir, "d.csv", b.String())
	script := writeFile(t, dir, "nan17.py", `import json, sys
for line in sys.stdin:
    x = json.loads(line)["x"]
    print("nan" if x == 17 else 2 * x, flush=True)
`)
	suite := writeFile(t, dir, "s.yaml", fmt.Sprintf(`
data: {path: d.csv}
model:
  target: y
  features: [x]
  command: [python3, %q]
  split: {method: random, test_fraction: 0.5, seed: 3}
  metrics: {r2: {min: 0.99}}
slices:
  by: [g]
  min_size: 2
`, script))
	jsonPath := filepath.Join(dir, "r.json")
	code, out, errs := cli(t, "check", suite, "--json", jsonPath)
	assert.Equal(t, 2, code, out+errs)
	assert.Contains(t, errs, `data row 17: output line "nan" is not a finite number`)
	assert.NotRegexp(t, `row \d+ of \d+`, errs)
	assert.NoFileExists(t, jsonPath)
}

// Class 2, through the CLI: `validate` (and so `check`, before any data is
// read) refuses a sweep of 10¹⁰ steps and a 4 KB MFT template whose vary
// lists multiply to 10⁹ cases through YAML aliases, at once, with exit 2.
func TestValidateRefusesUnboundedWork(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "d.csv", "x,y\n1,2\n2,4\n")
	vals := make([]string, 32)
	for i := range vals {
		vals[i] = fmt.Sprint(i)
	}
	model := "data: {path: d.csv}\nmodel: {target: y, features: [x], train: {algorithm: linear}, split: {method: none}}\n"
	for _, tc := range []struct{ name, checklist, want string }{
		{"sweep", "checklist: [{name: s, type: DIR, sweep: {column: x, steps: 10000000000}, expect: increasing}]\n",
			"checklist[0].sweep.steps: must be between 2 and 10000, got 10000000000"},
		{"aliases", "checklist:\n  - name: bomb\n    type: MFT\n    expect: {min: 0}\n    templates:\n      - vary:\n" +
			"          a: &v [" + strings.Join(vals, ", ") + "]\n          b: *v\n          c: *v\n          d: *v\n          e: *v\n          f: *v\n",
			"checklist[0]: expands to more than 100000 cases"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			suite := writeFile(t, dir, tc.name+".yaml", model+tc.checklist)
			for _, cmd := range []string{"validate", "check"} {
				start := time.Now()
				code, out, errs := cli(t, cmd, suite)
				assert.Equal(t, 2, code, cmd+": "+out+errs)
				assert.Contains(t, errs, tc.name+".yaml:", cmd)
				assert.Contains(t, errs, tc.want, cmd)
				assert.Less(t, time.Since(start), 10*time.Second, cmd)
			}
		})
	}
}

// Class 3, through the CLI: integers beyond 2^53 meet sets and bounds
// exactly (the ids of the issue), and the sum of an all-null column is
// undefined, not 0.
func TestSilentWrongAnswers(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "d.csv", "id,empty\n9007199254740993,\n9007199254740992,\n")
	suite := writeFile(t, dir, "s.yaml", `
data: {path: d.csv}
expectations:
  columns:
    id:
      in_set: [9007199254740992]
      range: {max: 9007199254740992}
      not_in_set: [9007199254740993]
    empty:
      sum: {min: -1, max: 1}
`)
	jsonPath := filepath.Join(dir, "r.json")
	code, out, errs := cli(t, "check", suite, "--json", jsonPath)
	assert.Equal(t, 1, code, out+errs)
	for _, name := range []string{"columns.id.in_set", "columns.id.range", "columns.id.not_in_set"} {
		assert.Contains(t, out, "FAIL  "+name+": 1 of 2", name)
	}
	assert.Contains(t, out, "FAIL  columns.empty.sum: sum undefined (no non-null values)")
	b, err := os.ReadFile(jsonPath)
	require.NoError(t, err)
	var res struct {
		Checks []struct {
			Name   string `json:"name"`
			Sample []struct {
				Value json.Number `json:"value"`
			} `json:"sample"`
		} `json:"checks"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&res))
	got := map[string]string{}
	for _, c := range res.Checks {
		if len(c.Sample) == 1 {
			got[c.Name] = c.Sample[0].Value.String()
		}
	}
	// Hand-computed: the one value that is out, written exactly.
	assert.Equal(t, map[string]string{
		"columns.id.in_set":     "9007199254740993",
		"columns.id.range":      "9007199254740993",
		"columns.id.not_in_set": "9007199254740993",
	}, got)
}

// Class 3, through the CLI: the drift example's KS p-values are exact
// (ties-aware) for 61 against 61 rows, as R 4.2's ks.test(exact = TRUE)
// gives them (pinned in drift/ksexact_test.go), and the result says so.
func TestDriftKSExactPValues(t *testing.T) {
	jsonPath := filepath.Join(t.TempDir(), "r.json")
	code, out, errs := cli(t, "check", "../../examples/drift/suite.yaml", "--json", jsonPath)
	assert.Equal(t, 1, code, out+errs)
	assert.Contains(t, out, "KS statistic 0.360656 (exact p-value 0.000373592)")
	b, err := os.ReadFile(jsonPath)
	require.NoError(t, err)
	var res struct {
		Checks []struct {
			Name     string          `json:"name"`
			Observed json.RawMessage `json:"observed"`
		} `json:"checks"`
	}
	require.NoError(t, json.Unmarshal(b, &res))
	want := map[string]float64{"drift.Temp.ks": 0.000373592292458369, "drift.Wind.ks": 0.132729603542902}
	for _, c := range res.Checks {
		if p, ok := want[c.Name]; ok {
			var obs struct {
				P      float64 `json:"p_value"`
				Method string  `json:"p_value_method"`
			}
			require.NoError(t, json.Unmarshal(c.Observed, &obs), c.Name)
			assert.Equal(t, "exact", obs.Method, c.Name)
			assert.InEpsilon(t, p, obs.P, 1e-9, c.Name)
			delete(want, c.Name)
		}
	}
	assert.Empty(t, want, "every KS check is in the JSON")
}

// Class 6, through the CLI: a level the fitted model never saw is named by
// its data row, not by its position in the test split (the issue's
// `row 0: level "c"` for a later data row). With a time split the test rows
// are the latest; level "c" appears only in data row 38.
func TestUnseenLevelNamesDataRow(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("t,x,c,y\n")
	for i := range 40 {
		c := []string{"a", "b"}[i%2]
		if i == 38 {
			c = "c"
		}
		fmt.Fprintf(&b, "%d,%d,%s,%d\n", i, i%7, c, 3*(i%7)+i%2)
	}
	writeFile(t, dir, "d.csv", b.String())
	suite := writeFile(t, dir, "s.yaml", `
data: {path: d.csv}
model:
  target: y
  features: [x, c]
  train: {algorithm: linear}
  split: {method: time, by: t, test_fraction: 0.25}
  metrics: {r2: {min: 0.5}}
`)
	code, out, errs := cli(t, "check", suite)
	assert.Equal(t, 2, code, out+errs)
	assert.Contains(t, errs, `column "c": data row 38: level "c" was not seen in training`)
	assert.NotRegexp(t, `row \d+ of \d+`, errs)
}

// Class 6, through the CLI: a behavioural test's model error names the data
// row its input was made from. The command fails only on x = 17.75, which
// only the perturbation of data row 17 (x = 17.25, + 0.5) produces.
func TestChecklistErrorNamesDataRow(t *testing.T) {
	needPython(t)
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("x,y\n")
	for i := range 40 {
		fmt.Fprintf(&b, "%d.25,%d.5\n", i, 2*i)
	}
	writeFile(t, dir, "d.csv", b.String())
	script := writeFile(t, dir, "bad1775.py", `import json, sys
for line in sys.stdin:
    x = json.loads(line)["x"]
    print("nan" if x == 17.75 else 2 * x, flush=True)
`)
	suite := writeFile(t, dir, "s.yaml", fmt.Sprintf(`
data: {path: d.csv}
model:
  target: y
  features: [x]
  command: [python3, %q]
  split: {method: none}
  metrics: {r2: {min: 0.9}}
checklist:
  - name: half a step
    type: INV
    n: 40
    perturb: {column: x, add: 0.5}
    tolerance: {abs: 5}
`, script))
	code, out, errs := cli(t, "check", suite)
	assert.Equal(t, 2, code, out+errs)
	assert.Contains(t, errs, `data row 17: output line "nan" is not a finite number`)
}

// Class 4, the reproduction: `--json /dev/stdout` writes through
// the device link to the process's standard output (here a pipe), and
// leaves /dev/stdout as it was, which a temporary file renamed over it
// replaced when trustml ran as root.
func TestJSONToDevStdout(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no /dev/stdout")
	}
	before, err := os.Lstat("/dev/stdout")
	if err != nil {
		t.Skip("no /dev/stdout")
	}
	dir := t.TempDir()
	writeFile(t, dir, "d.csv", "a\n1\n500\n")
	suite := writeFile(t, dir, "s.yaml", "data: {path: d.csv}\nexpectations: {columns: {a: {range: {max: 100}}}}\n")
	cmd, out, errb := startMain(t, dir, "check", suite, "--json", "/dev/stdout", "--quiet")
	require.Error(t, cmd.Wait()) // exit 1: the check fails
	assert.Equal(t, 1, cmd.ProcessState.ExitCode(), errb.String())
	// The JSON, then the totals line (only `-` moves the human lines to
	// standard error).
	var res struct{ Passed *bool }
	require.NoError(t, json.NewDecoder(out).Decode(&res), out.String())
	require.NotNil(t, res.Passed)
	assert.False(t, *res.Passed)
	after, err := os.Lstat("/dev/stdout")
	require.NoError(t, err)
	assert.Equal(t, before.Mode(), after.Mode(), "/dev/stdout is what it was")
	assert.True(t, os.SameFile(before, after))
}
