package main

import (
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// freeAddr returns a loopback address nothing listens on (one just
// freed), for a refused connection.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().String()
}

// sqlFault is a fault of a SQL source that must stop a check: the suite's
// source and columns lines (see ordersSQLSuite), extra arguments, a DSN
// of its own (else the engine's), an action run while the check runs,
// and what stderr must say.
type sqlFault struct {
	name, dsn, source, columns string
	args                       []string
	during                     func() // runs while the check does
	want                       string
}

// checkFaults runs trustml check on suite(t, source, columns) for each
// fault, with the environment variable env set to dsn or the fault's own
// DSN and its action run alongside: each must exit 2 with its words on
// stderr, write no result file, and leave no secret in its outputs or
// files (clean).
func checkFaults(t *testing.T, env, dsn string, suite func(t *testing.T, source, columns string) (dir, path string), faults []sqlFault, clean func(t *testing.T, dir string, outputs ...string)) {
	for _, tc := range faults {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(env, dsn)
			if tc.dsn != "" {
				t.Setenv(env, tc.dsn)
			}
			dir, path := suite(t, tc.source, tc.columns)
			done := make(chan struct{})
			if tc.during != nil {
				go func() { defer close(done); tc.during() }()
			} else {
				close(done)
			}
			code, out, errs := cli(t, append([]string{"check", path}, tc.args...)...)
			<-done
			assert.Equal(t, 2, code, out+errs)
			assert.Contains(t, errs, tc.want)
			t.Logf("%s: exit %d: %s", tc.name, code, strings.TrimSpace(errs))
			assert.NoFileExists(t, filepath.Join(dir, "out.json"))
			clean(t, dir, out, errs)
		})
	}
}
