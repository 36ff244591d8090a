package pgtest_test

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/internal/pgtest"
)

// TestStartServer: a program's server answers queries as trustml, runs
// as its own process, and Stop ends it and removes its directory.
func TestStartServer(t *testing.T) {
	srv, err := pgtest.StartServer("work_mem=8MB")
	var absent *pgtest.AbsentError
	if errors.As(err, &absent) && os.Getenv("CI") != "true" {
		t.Skip(err)
	}
	require.NoError(t, err)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, srv.URL)
	require.NoError(t, err)
	var user, workMem string
	require.NoError(t, conn.QueryRow(ctx, "SELECT current_user, current_setting('work_mem')").Scan(&user, &workMem))
	conn.Close(ctx)
	assert.Equal(t, "trustml", user)
	assert.Equal(t, "8MB", workMem, "the extra setting")
	assert.Greater(t, srv.PID, 0)
	assert.DirExists(t, srv.Dir)

	require.NoError(t, srv.Stop())
	assert.NoDirExists(t, srv.Dir)
	_, err = pgx.Connect(ctx, srv.URL)
	assert.Error(t, err, "the server is gone")
	assert.NoError(t, srv.Stop(), "a second Stop")
}
