// Package pgtest starts a throwaway PostgreSQL server for tests, from the
// binaries of Debian's postgresql-15 package: a cluster made by initdb in
// a temporary directory, listening on a free port of 127.0.0.1 only, run
// as a non-root user (the package's postgres user when the test runs as
// root), and stopped and removed when the test ends.
//
// Where the binaries are absent the test is skipped with one line naming
// the package to install, except in CI (CI=true), where every test must
// run and their absence fails the test. TRUSTML_TEST_POSTGRES, when set, names a server
// to use instead (a URL on which the test may create databases).
package pgtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Package is the Debian package whose binaries Start runs.
const Package = "postgresql-15"

// Start returns the URL of a running server on which the test may create
// databases, as the superuser "trustml" without a password. The server
// lives until the test and its subtests end.
func Start(t testing.TB) string {
	t.Helper()
	if url := os.Getenv("TRUSTML_TEST_POSTGRES"); url != "" {
		return url
	}
	bin := binDir()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL binaries not found, and CI runs every test: apt-get install %s", Package)
		}
		t.Skipf("PostgreSQL binaries not found: apt-get install %s", Package)
	}
	cred, err := runAs()
	if err != nil {
		t.Skipf("PostgreSQL cannot run as root and %v", err)
	}
	root, err := os.MkdirTemp("", "trustml-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	data := filepath.Join(root, "data")
	if err := os.Mkdir(data, 0o700); err != nil {
		t.Fatal(err)
	}
	if cred != nil {
		// The server's user owns the data directory and must reach it.
		for _, p := range []string{root, data} {
			if err := os.Chown(p, int(cred.Uid), int(cred.Gid)); err != nil {
				t.Fatal(err)
			}
		}
	}
	run := func(name string, args ...string) *exec.Cmd {
		c := exec.Command(filepath.Join(bin, name), args...)
		c.Env = append(os.Environ(), "LC_ALL=C")
		if cred != nil {
			c.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		}
		return c
	}
	if out, err := run("initdb", "-D", data, "-U", "trustml", "--auth=trust", "--no-sync", "-E", "UTF8").CombinedOutput(); err != nil {
		t.Fatalf("pgtest: initdb: %v\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	srv := run("postgres", "-D", data, "-p", strconv.Itoa(port), "-k", root,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=100")
	logFile, err := os.Create(filepath.Join(root, "server.log"))
	if err != nil {
		t.Fatal(err)
	}
	srv.Stdout, srv.Stderr = logFile, logFile
	if err := srv.Start(); err != nil {
		t.Fatalf("pgtest: starting postgres: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Wait() }()
	t.Cleanup(func() {
		// SIGINT is PostgreSQL's fast shutdown; kill it if it lingers.
		_ = srv.Process.Signal(syscall.SIGINT)
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = srv.Process.Kill()
			<-done
		}
		logFile.Close()
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for {
		// Accepting TCP is not yet accepting queries; callers retry on
		// "the database system is starting up" poorly, so wait for the
		// log line that says the server is ready.
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			if log, _ := os.ReadFile(logFile.Name()); strings.Contains(string(log), "ready to accept connections") {
				break
			}
		}
		select {
		case err := <-done:
			log, _ := os.ReadFile(logFile.Name())
			t.Fatalf("pgtest: postgres exited: %v\n%s", err, log)
		case <-ctx.Done():
			log, _ := os.ReadFile(logFile.Name())
			t.Fatalf("pgtest: postgres not ready on %s after 60s\n%s", addr, log)
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Sprintf("postgres://trustml@%s/postgres?sslmode=disable", addr)
}

// binDir is the newest /usr/lib/postgresql/N/bin holding initdb, or "".
func binDir() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		a, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		b, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return a > b
	})
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d
		}
	}
	return ""
}

// runAs returns the credential to run the server with: nil when the test
// is not root, else the postgres user's.
func runAs() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("there is no postgres user: %w", err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, err
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, err
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// freePort returns a TCP port of 127.0.0.1 free at the time of the call.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
