package sqlsource

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/trustml/trustml/expect"
	"github.com/trustml/trustml/expr"
)

// PostgreSQL: exact order statistics by percentile_disc, which returns
// the value at 1-based position ⌈f·n⌉; f = (r+½)/n lands on 0-based rank r
// whatever the rounding of f. The standard deviation is stddev_samp
// (Youngs–Cramer), settled by expect.Pushdown where it might differ. Regular expressions use the ~ operator
// (POSIX advanced syntax, which agrees with RE2 on the common subset:
// classes, anchors, repetition, alternation).
//
// Filters and rules are printed by expr.PostgreSQL, which refuses what
// PostgreSQL evaluates otherwise than trustml (those checks stay local);
// the session's TimeZone is UTC, so that calendar functions and
// timestamp comparisons read timestamptz values as trustml does.
var postgresDialect = &expect.SQLDialect{
	Name:   "postgres",
	Expr:   expr.PostgreSQL,
	Regex:  func(x, pattern string) string { return x + " ~ " + quote(pattern) },
	Length: func(x string) string { return "char_length(" + x + ")" },
	Double: func(x string) string { return "CAST(" + x + " AS double precision)" },
	NaNNull: func(x string) string {
		return "NULLIF(" + x + ", 'NaN')"
	},
	OrderStats: func(x string, rs []int64, n int64) []string {
		return expect.Elements("("+percentileDisc(x, "ARRAY["+expect.OrderFractions(rs, n)+"]::double precision[]")+")", len(rs))
	},
	// The two middle values without n: fractions ½ and ½ + 2⁻⁴⁰ (expect's
	// middleFractions proves the ranks), as the two elements of one
	// percentile_disc over both fractions. PostgreSQL computes identical
	// aggregates once, so this is one sort read once; two percentile_disc
	// calls share the sort but each reads it again from the start (with the
	// default work_mem the sort is on disk), which cost 0.9–1.1 s CPU more
	// at 10M rows (3.8 → 4.8 s).
	Middle: func(x string) (string, string) {
		f := strconv.FormatFloat(0.5+0x1p-40, 'g', -1, 64)
		both := expect.Elements("("+percentileDisc(x, "ARRAY[0.5, "+f+"]::double precision[]")+")", 2)
		return both[0], both[1]
	},
	// The middle over the column as it is, not NULLIF(x, 'NaN'): sorting
	// the computed values cost 4.6 s CPU at 10M rows where the column's
	// own cost 3.7 s; a column holding NaN is settled by the second pass.
	RawMiddle: true,
}

func percentileDisc(x, f string) string {
	return "percentile_disc(" + f + ") WITHIN GROUP (ORDER BY " + x + ")"
}

func init() {
	Register("postgres", Engine{Dialect: postgresDialect, Connect: connectPostgres})
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

type pgSession struct{ conn *pgx.Conn }

func connectPostgres(ctx context.Context, dsn string, timeout time.Duration) (Session, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	if cfg.ConnectTimeout == 0 || cfg.ConnectTimeout > timeout {
		cfg.ConnectTimeout = min(timeout, 30*time.Second)
	}
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["statement_timeout"] = strconv.FormatInt(timeout.Milliseconds(), 10)
	cfg.RuntimeParams["application_name"] = "trustml"
	cfg.RuntimeParams["TimeZone"] = "UTC"
	if d := dialer(ctx); d != nil {
		cfg.DialFunc = pgconn.DialFunc(d)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return &pgSession{conn: conn}, nil
}

func (s *pgSession) Close() error { return s.conn.Close(context.Background()) }

// pgTypes maps the PostgreSQL types trustml reads to Arrow types.
var pgTypes = map[uint32]arrow.DataType{
	pgtype.BoolOID:        arrow.FixedWidthTypes.Boolean,
	pgtype.Int2OID:        arrow.PrimitiveTypes.Int16,
	pgtype.Int4OID:        arrow.PrimitiveTypes.Int32,
	pgtype.Int8OID:        arrow.PrimitiveTypes.Int64,
	pgtype.Float4OID:      arrow.PrimitiveTypes.Float32,
	pgtype.Float8OID:      arrow.PrimitiveTypes.Float64,
	pgtype.NumericOID:     arrow.PrimitiveTypes.Float64,
	pgtype.TextOID:        arrow.BinaryTypes.String,
	pgtype.VarcharOID:     arrow.BinaryTypes.String,
	pgtype.BPCharOID:      arrow.BinaryTypes.String,
	pgtype.NameOID:        arrow.BinaryTypes.String,
	pgtype.DateOID:        arrow.FixedWidthTypes.Date32,
	pgtype.TimestampOID:   &arrow.TimestampType{Unit: arrow.Microsecond},
	pgtype.TimestamptzOID: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"},
}

func (s *pgSession) Columns(ctx context.Context, from string) ([]Column, error) {
	rows, err := s.conn.Query(ctx, "SELECT * FROM "+from+" LIMIT 0")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	fds := rows.FieldDescriptions()
	out := make([]Column, len(fds))
	for i, fd := range fds {
		out[i] = Column{Name: fd.Name, Type: pgTypes[fd.DataTypeOID]}
		if t, ok := s.conn.TypeMap().TypeForOID(fd.DataTypeOID); ok {
			out[i].EngineType = t.Name
		} else {
			out[i].EngineType = "type oid " + strconv.FormatUint(uint64(fd.DataTypeOID), 10)
		}
	}
	rows.Close()
	return out, rows.Err()
}

func (s *pgSession) Stream(ctx context.Context, q string, row func([]any) error) error {
	rows, err := s.conn.Query(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return err
		}
		for i, v := range vals {
			if vals[i], err = Normalize(v); err != nil {
				return fmt.Errorf("column %s: %w", rows.FieldDescriptions()[i].Name, err)
			}
		}
		if err := row(vals); err != nil {
			return err
		}
	}
	rows.Close()
	return rows.Err()
}

// Normalize turns a driver's value into nil, int64, float64, string, bool
// or time.Time, the values a Session returns.
func Normalize(v any) (any, error) {
	switch x := v.(type) {
	case nil, int64, float64, string, bool, time.Time:
		return v, nil
	case int16:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int8:
		return int64(x), nil
	case uint8:
		return int64(x), nil
	case uint16:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case float32:
		return float64(x), nil
	case pgtype.Numeric:
		if !x.Valid {
			return nil, nil
		}
		if x.NaN {
			return math.NaN(), nil
		}
		f, err := x.Float64Value()
		if err != nil {
			return nil, err
		}
		return f.Float64, nil
	case *big.Int:
		f, _ := new(big.Float).SetInt(x).Float64()
		return f, nil
	}
	return nil, fmt.Errorf("a value of Go type %T, which trustml does not read", v)
}
