package suggest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml"
	"github.com/trustml/trustml/result"
)

const suiteFile = "airquality.suite.yaml"

// cliPath is the trustml binary built for these tests.
var cliPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "trustml-suggest-example")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cliPath = filepath.Join(dir, "trustml")
	build := exec.Command("go", "build", "-o", cliPath, "github.com/trustml/trustml/cmd/trustml")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building trustml: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// cli runs the built trustml in dir and returns its exit code and output.
func cli(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(cliPath, args...)
	cmd.Dir = dir
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), out.String(), errs.String()
	}
	require.NoError(t, err)
	return 0, out.String(), errs.String()
}

// TestSuggestedSuiteIsCurrent regenerates the committed suite with the
// README's commands and requires the same bytes, so the example follows
// any change to `trustml suggest`.
func TestSuggestedSuiteIsCurrent(t *testing.T) {
	committed, err := os.ReadFile(suiteFile)
	require.NoError(t, err)

	// From this directory, to stdout.
	code, out, errs := cli(t, ".", "suggest", "../airquality/airquality.csv", "--target", "Month")
	require.Equal(t, 0, code, errs)
	assert.Equal(t, string(committed), out,
		"%s is stale: regenerate it with the command in README.md", suiteFile)

	// From the repository's root with -o, which makes the data path
	// relative to the suite's directory: the same bytes. Run in a copy of
	// the layout so that the committed file is not written.
	root := t.TempDir()
	data, err := os.ReadFile("../airquality/airquality.csv")
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(root, "examples", "airquality"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(root, "examples", "suggest"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "examples", "airquality", "airquality.csv"), data, 0o644))
	code, _, errs = cli(t, root, "suggest", "examples/airquality/airquality.csv", "--target", "Month",
		"-o", "examples/suggest/"+suiteFile)
	require.Equal(t, 0, code, errs)
	written, err := os.ReadFile(filepath.Join(root, "examples", "suggest", suiteFile))
	require.NoError(t, err)
	assert.Equal(t, string(committed), string(written), "suggest -o from the root")
}

// TestSuggestedSuitePasses holds the suite to what suggest promises: it
// is valid, and the data it came from passes every check, through the
// command line (exit 0) and through the Go API.
func TestSuggestedSuitePasses(t *testing.T) {
	s, err := trustml.Load(suiteFile)
	require.NoError(t, err)
	res, err := s.Run(context.Background(), trustml.RunOptions{})
	require.NoError(t, err)
	require.NotEmpty(t, res.Checks)
	for _, c := range res.Checks {
		assert.Equal(t, result.Pass, c.Status, "%s: %s", c.Name, c.Message)
	}
	assert.Equal(t, 0, res.ExitCode())
	assert.Equal(t, int64(153), res.Run.Data.Rows)

	code, out, errs := cli(t, ".", "validate", suiteFile)
	assert.Equal(t, 0, code, "validate: %s%s", out, errs)
	assert.Contains(t, out, fmt.Sprintf("valid: %d checks", len(res.Checks)))

	code, out, errs = cli(t, ".", "check", suiteFile)
	assert.Equal(t, 0, code, "check: %s%s", out, errs)
	assert.Contains(t, out, fmt.Sprintf("PASSED: %d checks: %d passed, 0 failed, 0 warned, 0 errors", len(res.Checks), len(res.Checks)))
}
