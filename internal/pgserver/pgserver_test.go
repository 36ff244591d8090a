package pgserver_test

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/internal/pgserver"
)

// TestStart: a program's server answers queries as trustml, runs as its
// own process, and Stop ends it.
func TestStart(t *testing.T) {
	ctx := context.Background()
	srv, err := pgserver.Start(ctx)
	if (errors.Is(err, pgserver.ErrNoBinaries) || errors.Is(err, pgserver.ErrNoUser)) && os.Getenv("CI") != "true" {
		t.Skip(err)
	}
	require.NoError(t, err)
	conn, err := pgx.Connect(ctx, srv.URL)
	require.NoError(t, err)
	var user string
	require.NoError(t, conn.QueryRow(ctx, "SELECT current_user").Scan(&user))
	conn.Close(ctx)
	assert.Equal(t, "trustml", user)
	assert.Greater(t, srv.PID(), 0)
	assert.NotEqual(t, os.Getpid(), srv.PID())

	require.NoError(t, srv.Stop())
	_, err = pgx.Connect(ctx, srv.URL)
	assert.Error(t, err, "the server is gone")
	assert.NoError(t, srv.Stop(), "a second Stop")
}
