// Package pgtest starts a throwaway PostgreSQL server for tests
// (internal/pgserver: a cluster made by initdb in a temporary directory,
// on a free port of 127.0.0.1 only, run as a non-root user), stopped and
// removed when the test ends.
//
// Where the binaries are absent the test is skipped with one line naming
// the package to install, except in CI (CI=true), where every test must
// run and their absence fails the test. TRUSTML_TEST_POSTGRES, when set,
// names a server to use instead (a URL on which the test may create
// databases).
package pgtest

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/trustml/trustml/internal/pgserver"
)

// Package is the Debian package whose binaries Start runs.
const Package = pgserver.Package

// Start returns the URL of a running server on which the test may create
// databases, as the superuser "trustml" without a password. The server
// lives until the test and its subtests end.
func Start(t testing.TB) string {
	t.Helper()
	if url := os.Getenv("TRUSTML_TEST_POSTGRES"); url != "" {
		return url
	}
	return Server(t).URL
}

// Server starts a server of the test's own, which the test may kill
// (Server.Kill); it is stopped and removed when the test ends.
func Server(t testing.TB) *pgserver.Server {
	t.Helper()
	s, err := pgserver.Start(context.Background())
	switch {
	case errors.Is(err, pgserver.ErrNoBinaries) && os.Getenv("CI") == "true":
		t.Fatalf("%v, and CI runs every test", err)
	case errors.Is(err, pgserver.ErrNoBinaries), errors.Is(err, pgserver.ErrNoUser):
		t.Skip(err)
	case err != nil:
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop() })
	return s
}
