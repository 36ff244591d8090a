package sqlsource_test

import (
	"context"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/internal/pgtest"
	"github.com/trustml/trustml/sqlsource"
)

type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// TestWithDialer: a PostgreSQL source opened under WithDialer connects
// through the dialer, which sees every byte the server sends: more for a
// query returning more.
func TestWithDialer(t *testing.T) {
	url := pgtest.Start(t)
	var dials, read atomic.Int64
	ctx := sqlsource.WithDialer(context.Background(), func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		var d net.Dialer
		c, err := d.DialContext(ctx, network, addr)
		return countingConn{Conn: c, n: &read}, err
	})
	spec := &sqlsource.Spec{Engine: "postgres", DSN: "${PG_DSN}", Query: "SELECT generate_series(1, 10) AS i", Timeout: time.Minute}
	src, err := sqlsource.Open(ctx, spec, func(string) (string, bool) { return url, true })
	require.NoError(t, err)
	defer src.Close()
	assert.Equal(t, int64(1), dials.Load())
	before := read.Load()
	assert.Greater(t, before, int64(0), "the handshake and the columns")
	rows, err := src.Query(ctx, "SELECT repeat('x', 100000)")
	require.NoError(t, err)
	require.Len(t, rows, 1)
	assert.GreaterOrEqual(t, read.Load()-before, int64(100000))

	// Without the dialer, the system's: nothing more is counted.
	plain, err := sqlsource.Open(context.Background(), spec, func(string) (string, bool) { return url, true })
	require.NoError(t, err)
	plain.Close()
	assert.Equal(t, int64(1), dials.Load())
}

// TestLookup: a registered engine is found, with its dialect and connect;
// an unknown one is not.
func TestLookup(t *testing.T) {
	e, ok := sqlsource.Lookup("postgres")
	require.True(t, ok)
	assert.Equal(t, "postgres", e.Dialect.Name)
	assert.NotNil(t, e.Connect)
	_, ok = sqlsource.Lookup("oracle")
	assert.False(t, ok)
}
