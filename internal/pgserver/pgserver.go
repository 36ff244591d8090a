// Package pgserver runs a throwaway PostgreSQL server from the binaries of
// Debian's postgresql-15 package, for the tests (through internal/pgtest)
// and for the examples (examples/sql/serve): a cluster made by initdb in a
// temporary directory, listening on a free port of 127.0.0.1 only, run as
// a non-root user (the package's postgres user when the caller is root),
// its processes in a process group of their own. Stop shuts it down and
// removes the directory; Kill ends it abruptly, as a crash does.
package pgserver

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
	"sync"
	"syscall"
	"time"
)

// Package is the Debian package whose binaries Start runs.
const Package = "postgresql-15"

// ErrNoBinaries is Start's error when initdb is not installed.
var ErrNoBinaries = errors.New("PostgreSQL binaries not found: apt-get install " + Package)

// ErrNoUser is Start's error when the caller is root and there is no
// postgres user to run the server as (PostgreSQL refuses to run as root).
var ErrNoUser = errors.New("PostgreSQL cannot run as root and there is no postgres user")

// Server is a running PostgreSQL server.
type Server struct {
	// URL connects to its postgres database as the superuser "trustml",
	// without a password (every local connection is trusted).
	URL string
	// Addr is its 127.0.0.1:port.
	Addr string

	root string
	srv  *exec.Cmd
	log  *os.File
	done chan error
	once sync.Once
}

// PID returns the process id of the server (the postmaster, parent of
// every session's process); 0 when it never started.
func (s *Server) PID() int {
	if s.srv == nil || s.srv.Process == nil {
		return 0
	}
	return s.srv.Process.Pid
}

// Start initdb's a cluster in a new temporary directory and starts its
// server; it returns once the server accepts connections (at most a
// minute, or until ctx ends). The caller stops it with Stop.
func Start(ctx context.Context) (*Server, error) {
	bin := binDir()
	if bin == "" {
		return nil, ErrNoBinaries
	}
	cred, err := runAs()
	if err != nil {
		return nil, err
	}
	root, err := os.MkdirTemp("", "trustml-pg-")
	if err != nil {
		return nil, err
	}
	s := &Server{root: root, done: make(chan error, 1)}
	if err := s.start(ctx, bin, cred); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

func (s *Server) start(ctx context.Context, bin string, cred *syscall.Credential) error {
	data := filepath.Join(s.root, "data")
	if err := os.Mkdir(data, 0o700); err != nil {
		return err
	}
	if cred != nil {
		// The server's user owns the data directory and must reach it.
		for _, p := range []string{s.root, data} {
			if err := os.Chown(p, int(cred.Uid), int(cred.Gid)); err != nil {
				return err
			}
		}
	}
	run := func(name string, args ...string) *exec.Cmd {
		c := exec.Command(filepath.Join(bin, name), args...)
		c.Env = append(os.Environ(), "LC_ALL=C")
		// A process group of its own: Kill reaches every backend, and a
		// Ctrl-C in the caller's terminal does not reach the server.
		c.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true}
		return c
	}
	if out, err := run("initdb", "-D", data, "-U", "trustml", "--auth=trust", "--no-sync", "-E", "UTF8").CombinedOutput(); err != nil {
		return fmt.Errorf("pgserver: initdb: %v\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	s.srv = run("postgres", "-D", data, "-p", strconv.Itoa(port), "-k", s.root,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=100")
	if s.log, err = os.Create(filepath.Join(s.root, "server.log")); err != nil {
		return err
	}
	s.srv.Stdout, s.srv.Stderr = s.log, s.log
	if err := s.srv.Start(); err != nil {
		s.srv = nil
		return fmt.Errorf("pgserver: starting postgres: %v", err)
	}
	go func() { s.done <- s.srv.Wait() }()
	s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for {
		// Accepting TCP is not yet accepting queries: wait for the log
		// line that says the server is ready.
		if c, err := net.DialTimeout("tcp", s.Addr, time.Second); err == nil {
			c.Close()
			if log, _ := os.ReadFile(s.log.Name()); strings.Contains(string(log), "ready to accept connections") {
				break
			}
		}
		select {
		case err := <-s.done:
			s.done <- err
			log, _ := os.ReadFile(s.log.Name())
			return fmt.Errorf("pgserver: postgres exited: %v\n%s", err, log)
		case <-ctx.Done():
			log, _ := os.ReadFile(s.log.Name())
			return fmt.Errorf("pgserver: postgres not ready on %s: %v\n%s", s.Addr, ctx.Err(), log)
		case <-time.After(100 * time.Millisecond):
		}
	}
	s.URL = fmt.Sprintf("postgres://trustml@%s/postgres?sslmode=disable", s.Addr)
	return nil
}

// Stop shuts the server down (PostgreSQL's fast shutdown; killed if it
// lingers for 20 s) and removes its directory. It may be called more than
// once, and after Kill.
func (s *Server) Stop() error {
	var err error
	s.once.Do(func() {
		if s.srv != nil {
			_ = s.srv.Process.Signal(syscall.SIGINT)
			select {
			case <-s.done:
			case <-time.After(20 * time.Second):
				_ = syscall.Kill(-s.srv.Process.Pid, syscall.SIGKILL)
				<-s.done
			}
		}
		if s.log != nil {
			s.log.Close()
		}
		err = os.RemoveAll(s.root)
	})
	return err
}

// Kill ends the server and every backend at once with SIGKILL, as a
// crash of its machine would, and waits for the server to exit. Stop
// still removes the directory.
func (s *Server) Kill() error {
	if s.srv == nil {
		return nil
	}
	if err := syscall.Kill(-s.srv.Process.Pid, syscall.SIGKILL); err != nil {
		return err
	}
	err := <-s.done
	s.done <- err
	return nil
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

// runAs returns the credential to run the server with: nil when the
// caller is not root, else the postgres user's.
func runAs() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoUser, err)
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
