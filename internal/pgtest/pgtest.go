// Package pgtest starts a throwaway PostgreSQL server, from the binaries
// of Debian's postgresql-15 package: a cluster made by initdb in a
// temporary directory, listening on a free port of 127.0.0.1 only, run as
// a non-root user (the package's postgres user when the process is root),
// and stopped and removed afterwards. Tests call Start, which stops it
// when the test ends; programs (the SQL benchmark) call StartServer and
// Stop.
//
// Where the binaries are absent Start skips the test with one line naming
// the package to install, except in CI (CI=true), where every test must
// run and their absence fails the test. TRUSTML_TEST_POSTGRES, when set,
// names a server for Start to use instead (a URL on which the test may
// create databases).
package pgtest

import (
	"context"
	"errors"
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
	srv, err := StartServer()
	var absent *AbsentError
	switch {
	case errors.As(err, &absent) && os.Getenv("CI") == "true":
		t.Fatalf("%v, and CI runs every test", err)
	case errors.As(err, &absent):
		t.Skip(err)
	case err != nil:
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Stop(); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return srv.URL
}

// AbsentError says why a server cannot start on this machine: the
// binaries of Package are not installed, or there is no user to run them
// as.
type AbsentError struct{ Reason string }

func (e *AbsentError) Error() string { return e.Reason }

// Server is a temporary PostgreSQL cluster started by StartServer, for
// tests and for programs (the SQL benchmark) that need a real server
// without any set up beforehand.
type Server struct {
	// URL connects as the superuser "trustml", without a password, to the
	// database postgres; the caller may create others.
	URL string
	// Dir holds the cluster's data directory, its socket and server.log;
	// Stop removes it.
	Dir string
	// PID is the postmaster's process id: its children are the sessions.
	PID int

	proc    *exec.Cmd
	done    chan error
	logFile *os.File
}

// StartServer initdb's a cluster in a new temporary directory, as the
// postgres user when the process is root, and starts it on a free port of
// 127.0.0.1 with fsync off. extra are more "name=value" settings passed
// with -c. It returns once the server accepts queries (at most 60 s), an
// *AbsentError when the binaries or the postgres user are missing. Stop
// the server with Stop.
func StartServer(extra ...string) (*Server, error) {
	bin := binDir()
	if bin == "" {
		return nil, &AbsentError{Reason: "PostgreSQL binaries not found: apt-get install " + Package}
	}
	cred, err := runAs()
	if err != nil {
		return nil, &AbsentError{Reason: fmt.Sprintf("PostgreSQL cannot run as root and %v", err)}
	}
	root, err := os.MkdirTemp("", "trustml-pg-")
	if err != nil {
		return nil, err
	}
	srv := &Server{Dir: root, done: make(chan error, 1)}
	if err := srv.start(bin, cred, extra); err != nil {
		if srv.proc != nil {
			_ = srv.Stop()
		} else {
			os.RemoveAll(root)
		}
		return nil, err
	}
	return srv, nil
}

func (srv *Server) start(bin string, cred *syscall.Credential, extra []string) error {
	root := srv.Dir
	data := filepath.Join(root, "data")
	if err := os.Mkdir(data, 0o700); err != nil {
		return err
	}
	if cred != nil {
		// The server's user owns the data directory and must reach it.
		for _, p := range []string{root, data} {
			if err := os.Chown(p, int(cred.Uid), int(cred.Gid)); err != nil {
				return err
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
		return fmt.Errorf("pgtest: initdb: %v\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	args := []string{"-D", data, "-p", strconv.Itoa(port), "-k", root,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=100"}
	for _, e := range extra {
		args = append(args, "-c", e)
	}
	proc := run("postgres", args...)
	if srv.logFile, err = os.Create(filepath.Join(root, "server.log")); err != nil {
		return err
	}
	proc.Stdout, proc.Stderr = srv.logFile, srv.logFile
	if err := proc.Start(); err != nil {
		return fmt.Errorf("pgtest: starting postgres: %v", err)
	}
	srv.proc, srv.PID = proc, proc.Process.Pid
	go func() { srv.done <- proc.Wait() }()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for {
		// Accepting TCP is not yet accepting queries; callers retry on
		// "the database system is starting up" poorly, so wait for the
		// log line that says the server is ready.
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			if log, _ := os.ReadFile(srv.logFile.Name()); strings.Contains(string(log), "ready to accept connections") {
				break
			}
		}
		select {
		case err := <-srv.done:
			srv.done <- err // Stop waits for it again
			log, _ := os.ReadFile(srv.logFile.Name())
			return fmt.Errorf("pgtest: postgres exited: %v\n%s", err, log)
		case <-ctx.Done():
			log, _ := os.ReadFile(srv.logFile.Name())
			return fmt.Errorf("pgtest: postgres not ready on %s after 60s\n%s", addr, log)
		case <-time.After(100 * time.Millisecond):
		}
	}
	srv.URL = fmt.Sprintf("postgres://trustml@%s/postgres?sslmode=disable", addr)
	return nil
}

// Stop shuts the server down (SIGINT, PostgreSQL's fast shutdown; killed
// if it lingers 20 s) and removes its directory. It is safe to call more
// than once.
func (srv *Server) Stop() error {
	if srv.proc != nil {
		_ = srv.proc.Process.Signal(syscall.SIGINT)
		select {
		case <-srv.done:
		case <-time.After(20 * time.Second):
			_ = srv.proc.Process.Kill()
			<-srv.done
		}
		srv.proc = nil
	}
	if srv.logFile != nil {
		srv.logFile.Close()
		srv.logFile = nil
	}
	return os.RemoveAll(srv.Dir)
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
