// Package chtest starts a throwaway ClickHouse cluster for tests: two
// shard servers from Debian's clickhouse-server package, each with its
// own configuration and data directory in a temporary directory, on free
// ports of 127.0.0.1 only, and a remote_servers cluster naming both, so
// that a Distributed table over the shards fans every query out and
// merges the partial aggregates. The servers stop when the test ends.
//
// ClickHouse 18.16 runs as root, so the servers run as the test's user.
// Where the binary is absent the test is skipped with one line naming the
// package to install, except in CI (CI=true), where every test must run
// and its absence fails the test. Launch starts the same cluster for a
// program that is not a test.
package chtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Package is the Debian package whose server Start runs.
const Package = "clickhouse-server"

// ClusterName is the remote_servers cluster of both shards, the one
// Distributed tables name.
const ClusterName = "trustml"

// User is a user of every shard that logs in with the cluster's Password;
// the default user needs none.
const User = "app"

// Cluster is two running shard servers.
type Cluster struct {
	// Shards are the servers; Shards[0] is the one clients talk to.
	Shards [2]*Shard
	// Password is User's, generated for the cluster.
	Password string
}

// Shard is one server of the cluster.
type Shard struct {
	HTTP, TCP, Interserver int    // its ports on 127.0.0.1
	Dir                    string // its configuration, data and log
	cmd                    *exec.Cmd
	done                   chan error
}

// binary returns the path of the server binary, "" when absent, and the
// arguments that run the server.
func binary() (string, []string) {
	for _, p := range []string{"clickhouse-server", "/usr/sbin/clickhouse-server", "/usr/bin/clickhouse-server"} {
		if path, err := exec.LookPath(p); err == nil {
			return path, nil
		}
	}
	// Newer packages ship one binary with the server as a subcommand.
	if path, err := exec.LookPath("clickhouse"); err == nil {
		return path, []string{"server"}
	}
	return "", nil
}

// ErrNoServer is Launch's error when the clickhouse-server binary is
// absent.
var ErrNoServer = errors.New("ClickHouse server not found: apt-get install " + Package)

// Start starts a cluster of two shards, ready for queries, in a temporary
// directory, and stops and removes it when the test and its subtests end.
func Start(t testing.TB) *Cluster {
	t.Helper()
	root, err := os.MkdirTemp("", "trustml-ch-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	c, err := Launch(root)
	switch {
	case errors.Is(err, ErrNoServer) && os.Getenv("CI") == "true":
		t.Fatalf("%v, and CI runs every test", err)
	case errors.Is(err, ErrNoServer):
		t.Skip(err)
	case err != nil:
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	return c
}

// Launch starts a cluster of two shards, ready for queries, with their
// configurations, data and logs in directory root (shard1, shard2), for
// programs other than tests (an example's or a benchmark's loader). The
// servers run until Stop.
func Launch(root string) (*Cluster, error) {
	bin, pre := binary()
	if bin == "" {
		return nil, ErrNoServer
	}
	ports, err := freePorts(6)
	if err != nil {
		return nil, err
	}
	secret := make([]byte, 12)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	c := &Cluster{Password: "ch-" + hex.EncodeToString(secret)}
	for i := range c.Shards {
		c.Shards[i] = &Shard{HTTP: ports[3*i], TCP: ports[3*i+1], Interserver: ports[3*i+2], Dir: filepath.Join(root, "shard"+strconv.Itoa(i+1))}
	}
	for i, s := range c.Shards {
		if err := s.configure(c); err != nil {
			c.Stop()
			return nil, err
		}
		args := append(append([]string(nil), pre...), "--config-file="+filepath.Join(s.Dir, "config.xml"))
		cmd := exec.Command(bin, args...)
		cmd.Dir = s.Dir
		log, err := os.Create(filepath.Join(s.Dir, "stdout.log"))
		if err != nil {
			c.Stop()
			return nil, err
		}
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Start(); err != nil {
			log.Close()
			c.Stop()
			return nil, fmt.Errorf("chtest: starting shard %d (%s): %w", i+1, bin, err)
		}
		s.cmd = cmd
		s.done = make(chan error, 1)
		go func() { s.done <- cmd.Wait(); log.Close() }()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for i, s := range c.Shards {
		if err := s.ready(ctx); err != nil {
			logText, _ := os.ReadFile(filepath.Join(s.Dir, "server.err.log"))
			c.Stop()
			return nil, fmt.Errorf("chtest: shard %d: %v\n%s", i+1, err, logText)
		}
	}
	return c, nil
}

// Stop ends every server of the cluster that still runs.
func (c *Cluster) Stop() {
	for _, s := range c.Shards {
		if s != nil && s.cmd != nil {
			s.stop()
		}
	}
}

// configure writes the shard's configuration: its ports and directories,
// the cluster of both shards, and the users.
// PID is the process id of the shard's server, 0 when it is not running.
func (s *Shard) PID() int {
	if s == nil || s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

func (s *Shard) configure(c *Cluster) error {
	for _, d := range []string{"data", "tmp", "user_files", "format_schemas"} {
		if err := os.MkdirAll(filepath.Join(s.Dir, d), 0o755); err != nil {
			return err
		}
	}
	var shards strings.Builder
	for _, o := range c.Shards {
		fmt.Fprintf(&shards, "      <shard><replica><host>127.0.0.1</host><port>%d</port></replica></shard>\n", o.TCP)
	}
	config := fmt.Sprintf(`<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>%[1]s/server.log</log>
    <errorlog>%[1]s/server.err.log</errorlog>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>%[2]d</http_port>
  <tcp_port>%[3]d</tcp_port>
  <interserver_http_port>%[4]d</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <path>%[1]s/data/</path>
  <tmp_path>%[1]s/tmp/</tmp_path>
  <user_files_path>%[1]s/user_files/</user_files_path>
  <format_schema_path>%[1]s/format_schemas/</format_schema_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>268435456</mark_cache_size>
  <max_concurrent_queries>50</max_concurrent_queries>
  <remote_servers>
    <%[5]s>
%[6]s    </%[5]s>
  </remote_servers>
</yandex>
`, s.Dir, s.HTTP, s.TCP, s.Interserver, ClusterName, shards.String())
	users := fmt.Sprintf(`<?xml version="1.0"?>
<yandex>
  <profiles><default><max_threads>2</max_threads></default></profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile><quota>default</quota>
    </default>
    <%[1]s>
      <password>%[2]s</password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile><quota>default</quota>
    </%[1]s>
  </users>
  <quotas><default></default></quotas>
</yandex>
`, User, c.Password)
	if err := os.WriteFile(filepath.Join(s.Dir, "config.xml"), []byte(config), 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(s.Dir, "users.xml"), []byte(users), 0o600)
}

// ready waits until the shard answers its HTTP ping.
func (s *Shard) ready(ctx context.Context) error {
	u := "http://127.0.0.1:" + strconv.Itoa(s.HTTP) + "/ping"
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && strings.TrimSpace(string(body)) == "Ok." {
				return nil
			}
		}
		select {
		case err := <-s.done:
			s.done <- err
			return fmt.Errorf("the server exited: %v", err)
		case <-ctx.Done():
			return fmt.Errorf("not ready on port %d after 60s", s.HTTP)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// stop ends the server: SIGTERM, then SIGKILL if it lingers.
func (s *Shard) stop() {
	select {
	case err := <-s.done:
		s.done <- err
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		s.done <- err
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		s.done <- <-s.done
	}
}

// Kill ends shard i (0 or 1) at once, as a machine failing does.
func (c *Cluster) Kill(i int) error {
	s := c.Shards[i]
	if err := s.cmd.Process.Kill(); err != nil {
		return err
	}
	err := <-s.done
	s.done <- err
	return nil
}

// DSN is the URL of the first shard for the default user, without a
// password.
func (c *Cluster) DSN() string {
	return "http://127.0.0.1:" + strconv.Itoa(c.Shards[0].HTTP) + "/default"
}

// PasswordDSN is the URL of the first shard for User, with its password.
func (c *Cluster) PasswordDSN() string {
	u := url.URL{Scheme: "http", Host: "127.0.0.1:" + strconv.Itoa(c.Shards[0].HTTP), Path: "/default", User: url.UserPassword(User, c.Password)}
	return u.String()
}

// freePorts returns n distinct TCP ports of 127.0.0.1 free at the time of
// the call.
func freePorts(n int) ([]int, error) {
	out := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close()
		out = append(out, l.Addr().(*net.TCPAddr).Port)
	}
	return out, nil
}
