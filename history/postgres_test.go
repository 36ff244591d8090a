package history

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/internal/pgtest"
)

// TestPostgres runs the store's tests on a PostgreSQL server the test
// starts itself from Debian's postgresql-15 binaries (package pgtest), on
// a free port of 127.0.0.1; it skips with one line when they are absent.
func TestPostgres(t *testing.T) {
	admin := pgtest.Start(t)
	fresh := func(t *testing.T) string {
		db, err := sql.Open("pgx", admin)
		require.NoError(t, err)
		defer db.Close()
		name := fmt.Sprintf("trustml_history_%d", time.Now().UnixNano())
		_, err = db.Exec("CREATE DATABASE " + name)
		require.NoError(t, err)
		t.Cleanup(func() {
			db, err := sql.Open("pgx", admin)
			if err == nil {
				db.Exec("DROP DATABASE " + name + " WITH (FORCE)")
				db.Close()
			}
		})
		u, err := url.Parse(admin)
		require.NoError(t, err)
		u.Path = "/" + name
		return u.String()
	}
	t.Run("round trip", func(t *testing.T) { roundTrip(t, fresh(t)) })
	t.Run("20 concurrent appends", func(t *testing.T) { concurrentAppends(t, fresh(t)) })
	t.Run("name has no credentials", func(t *testing.T) {
		target := fresh(t)
		u, _ := url.Parse(target)
		u.User = url.UserPassword("trustml", "s3cret")
		s, err := Open(context.Background(), u.String(), Options{})
		require.NoError(t, err)
		defer s.Close()
		require.NotContains(t, s.Name(), "s3cret")
		require.Equal(t, "PostgreSQL store "+u.Host+u.Path, s.Name())
	})
}
