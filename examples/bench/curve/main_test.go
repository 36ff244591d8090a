package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMain lets the test binary stand in for trustml and the generator,
// so that the driver's plumbing (generation, the named pipe, the child's
// resource usage, the table) is tested without building either.
func TestMain(m *testing.M) {
	switch os.Getenv("CURVE_TEST_ROLE") {
	case "trustml":
		os.Exit(fakeTrustml(os.Args[1:]))
	case "gen":
		os.Exit(fakeGen(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// fakeTrustml reads --data to the end, touches 64 MiB and exits 0, or 2
// when it read nothing.
func fakeTrustml(args []string) int {
	var data string
	for i, a := range args {
		if a == "--data" {
			data = args[i+1]
		}
	}
	b, err := os.ReadFile(data)
	if err != nil || len(b) == 0 {
		return 2
	}
	mem := make([]byte, 64<<20)
	for i := 0; i < len(mem); i += 4096 {
		mem[i] = 1
	}
	fmt.Fprintln(io.Discard, mem[len(mem)-4096])
	return 0
}

// fakeGen writes 10 bytes per row: the named formats into -dir, or CSV on
// stdout when -dir is "-".
func fakeGen(args []string) int {
	var rows int64
	var dir, formats string
	for i := 0; i+1 < len(args); i += 2 {
		switch args[i] {
		case "-rows":
			rows, _ = strconv.ParseInt(args[i+1], 10, 64)
		case "-dir":
			dir = args[i+1]
		case "-formats":
			formats = args[i+1]
		}
	}
	body := bytes.Repeat([]byte("123456789\n"), int(rows))
	if dir == "-" {
		os.Stdout.Write(body)
		return 0
	}
	os.MkdirAll(dir, 0o755)
	for _, f := range strings.Split(formats, ",") {
		if os.WriteFile(filepath.Join(dir, fileOf[f]), body, 0o644) != nil {
			return 1
		}
	}
	return 0
}

func TestCurve(t *testing.T) {
	t.Setenv("CURVE_TEST_ROLE", "") // the driver itself
	self, err := os.Executable()
	require.NoError(t, err)
	dir := t.TempDir()
	fake := func(role string) string {
		p := filepath.Join(dir, role+".sh")
		require.NoError(t, os.WriteFile(p, []byte("#!/bin/sh\nCURVE_TEST_ROLE="+role+" exec "+self+" \"$@\"\n"), 0o755))
		return p
	}
	var out, errb bytes.Buffer
	err = run([]string{"-rows", "1e3,2000", "-formats", "parquet,csv", "-stream", "-suites", "a.yaml",
		"-dir", filepath.Join(dir, "data"), "-trustml", fake("trustml"), "-gen", fake("gen")}, &out, &errb)
	require.NoError(t, err, errb.String())
	table := out.String()
	for _, row := range []string{`\| a.yaml \| parquet \| 1k \|`, `\| a.yaml \| csv \| 1k \|`, `\| a.yaml \| parquet \| 2k \|`, `\| a.yaml \| csv \| 2k \|`} {
		assert.Regexp(t, regexp.MustCompile(row), table)
	}
	// Peak RSS is the child's: at least the 64 MiB it touched.
	for _, m := range regexp.MustCompile(`(?m)^\| a\.yaml \| \w+ \| \w+ \|(?: [\d.]+ \|){6} (\d+) \|`).FindAllStringSubmatch(table, -1) {
		rss, _ := strconv.Atoi(m[1])
		assert.GreaterOrEqual(t, rss, 64, m[0])
	}
	assert.Contains(t, table, "a.yaml parquet, 1k → 2k rows: CPU per row ×")
	// Streamed: no CSV file was written; Parquet was, once.
	assert.NoFileExists(t, filepath.Join(dir, "data", "1000", "bench.csv"))
	assert.FileExists(t, filepath.Join(dir, "data", "2000", "bench.parquet"))

	// A failing trustml stops the driver, and a streaming generator left
	// waiting for a reader does not hang it.
	bad := filepath.Join(dir, "bad.sh")
	require.NoError(t, os.WriteFile(bad, []byte("#!/bin/sh\nexit 2\n"), 0o755))
	err = run([]string{"-rows", "1e3", "-formats", "csv", "-stream", "-suites", "a.yaml",
		"-dir", filepath.Join(dir, "data"), "-trustml", bad, "-gen", fake("gen")}, &out, &errb)
	assert.EqualError(t, err, "a.yaml on 1000 rows of csv: trustml exited 2")

	err = run([]string{"-rows", "1e6.5"}, &out, &errb)
	assert.EqualError(t, err, `-rows: "1e6.5" is not a positive whole number of rows`)
}
