package sqlsource

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/trustml/trustml/expect"
	"github.com/trustml/trustml/expr"
)

// ClickHouse, spoken to over its HTTP interface (any server from 18.16
// on). Counts of rows where a condition holds are countIf. Every statistic
// reads its column as Nullable(Float64), so that an aggregate of no values
// is NULL, as in PostgreSQL, rather than ClickHouse's 0 or nan. Exact order
// statistics are quantileExact(f), which sorts the values and returns the
// one at 0-based index ⌊f·n⌋: f = (r+½)/n lands on rank r. Float NaN is a
// value in ClickHouse; it is read as NULL, as trustml counts NaN as
// missing. Regular expressions are match(), which is RE2, trustml's own
// syntax; string literals escape backslashes, which ClickHouse reads as
// escapes. Filters and rules are printed by expr.ClickHouse, which spells
// SQL's three-valued logic and trustml's arithmetic in ClickHouse's
// functions and refuses what ClickHouse evaluates otherwise.
var clickhouseDialect = &expect.SQLDialect{
	Name:   "clickhouse",
	Regex:  func(x, pattern string) string { return "match(" + x + ", " + chQuote(pattern) + ")" },
	Length: func(x string) string { return "lengthUTF8(" + x + ")" },
	// A condition ClickHouse folds to a NULL constant would make countIf
	// NULL rather than 0.
	CountIf: func(cond string) string { return "countIf(ifNull(" + cond + ", 0))" },
	Expr:    expr.ClickHouse,
	Double:  func(x string) string { return "toNullable(toFloat64(" + x + "))" },
	Int:     func(x string) string { return "toInt64(" + x + ")" },
	Quote:   chQuote,
	In: func(x, list string, not bool) string {
		if not {
			return "if(isNull(" + x + "), NULL, " + x + " NOT IN (" + list + "))"
		}
		return "if(isNull(" + x + "), NULL, " + x + " IN (" + list + "))"
	},
	NaNNull: func(x string) string { return "if(isNaN(" + x + "), NULL, " + x + ")" },
	OrderStats: func(x string, rs []int64, n int64) []string {
		return expect.Elements("quantilesExact("+expect.OrderFractions(rs, n)+")("+x+")", len(rs))
	},
	// ClickHouse 18's stddevSamp is the naive Σx² − (Σx)²/n, whose error
	// grows with the square of the data's condition number, beyond the
	// bound expect.Pushdown trusts; its Welford variant, stddevSampStable,
	// fails over a Distributed table (Code: 89, "Unknown compression
	// method" as the shards' states arrive). The standard deviation stays
	// two-pass.
	StddevTwoPass: true,
	// The two middle values without n, ranks ⌈n/2⌉−1 and ⌊n/2⌋, at index
	// ⌊f·n⌋: f = ½ gives ⌊n/2⌋; f = ½ − 2⁻⁴⁰ gives ⌈n/2⌉−1 for n < 2³⁹
	// (n = 2m: m − m·2⁻³⁹ lies strictly between the doubles m−1 and m and
	// rounds below m; n = 2m+1: m + ½ − n·2⁻⁴⁰ lies in (m, m+½)). Both
	// are the elements of one quantilesExact, which ClickHouse computes
	// once: two quantileExact calls each gather the column's values on
	// every shard and send them to the initiator.
	Middle: func(x string) (string, string) {
		both := expect.Elements("quantilesExact("+strconv.FormatFloat(0.5-0x1p-40, 'g', -1, 64)+", 0.5)("+x+")", 2)
		return both[0], both[1]
	},
}

func init() {
	Register("clickhouse", Engine{Dialect: clickhouseDialect, Connect: connectClickHouse, TextType: "String"})
}

// chQuote spells s as a ClickHouse string literal, in which a backslash
// starts an escape.
func chQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// chSession sends each statement as an HTTP POST to the server's HTTP
// interface and reads the result as TabSeparatedWithNamesAndTypes, whose
// second line names each column's ClickHouse type.
type chSession struct {
	client         *http.Client
	endpoint       string // scheme://host:port/?database=…&settings…, no credentials
	user, password string
}

// chFormat is the result format: names, types, then rows of
// tab-separated, backslash-escaped values, NULL as \N.
const chFormat = "TabSeparatedWithNamesAndTypes"

// connectClickHouse reads dsn, a URL: http://user:password@host:8123/db,
// or clickhouse:// for http://, or https://; its query parameters other
// than user and password are ClickHouse settings sent with each statement.
// Every statement runs with max_execution_time (the server's timeout, in
// whole seconds) and wait_end_of_query=1, so that an error that happens
// after the first rows (a shard lost) is the HTTP status and the server's
// message rather than a truncated result. IN subqueries over Distributed
// tables run once on the server trustml talks to
// (distributed_product_mode=global), so that unique sees the values of
// every shard, and count(DISTINCT x) is exact whatever the user's profile
// says (count_distinct_implementation=uniqExact).
func connectClickHouse(ctx context.Context, dsn string, timeout time.Duration) (Session, error) {
	u, err := url.Parse(dsn)
	if err != nil || u.Host == "" {
		// The parser's message would repeat the connection string.
		return nil, errors.New("the connection string is not a URL such as http://user:password@host:8123/database")
	}
	switch u.Scheme {
	case "clickhouse", "http":
		u.Scheme = "http"
	case "https":
	default:
		return nil, fmt.Errorf("the connection string's scheme is %q; ClickHouse is reached over http://, https:// or clickhouse://", u.Scheme)
	}
	if u.Port() == "" {
		u.Host = net.JoinHostPort(u.Hostname(), map[string]string{"http": "8123", "https": "8443"}[u.Scheme])
	}
	s := &chSession{}
	if u.User != nil {
		s.user = u.User.Username()
		s.password, _ = u.User.Password()
	}
	params := u.Query()
	if v := params.Get("user"); v != "" {
		s.user = v
	}
	if v := params.Get("password"); v != "" {
		s.password = v
	}
	params.Del("user")
	params.Del("password")
	if db := strings.Trim(u.Path, "/"); db != "" {
		params.Set("database", db)
	}
	params.Set("max_execution_time", strconv.FormatInt(int64(math.Ceil(timeout.Seconds())), 10))
	params.Set("wait_end_of_query", "1")
	params.Set("distributed_product_mode", "global")
	params.Set("count_distinct_implementation", "uniqExact")
	s.endpoint = (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/", RawQuery: params.Encode()}).String()
	dial := (&net.Dialer{Timeout: min(timeout, 30*time.Second)}).DialContext
	if d := dialer(ctx); d != nil {
		dial = d // WithDialer: a caller counting the bytes received
	}
	s.client = &http.Client{
		Transport: &http.Transport{DialContext: dial, Proxy: nil, MaxIdleConns: 2, IdleConnTimeout: time.Minute},
		// The server's own max_execution_time ends a statement first, in
		// its words; this bounds a server that does not answer at all.
		Timeout: timeout + grace,
	}
	// The first statement proves the connection and the credentials.
	if err := s.Stream(ctx, "SELECT 1", func([]any) error { return nil }); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *chSession) Close() error {
	s.client.CloseIdleConnections()
	return nil
}

// post runs q and returns the open response body of a successful
// statement; a failed one is an error holding the server's message.
func (s *chSession) post(ctx context.Context, q string) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.endpoint, strings.NewReader(q+"\nFORMAT "+chFormat))
	if err != nil {
		return nil, err
	}
	if s.user != "" {
		req.SetBasicAuth(s.user, s.password)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		// The URL holds no credentials; the cause alone is the message.
		var ue *url.Error
		if errors.As(err, &ue) {
			return nil, ue.Err
		}
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		text := strings.TrimSpace(string(msg))
		if text == "" {
			text = resp.Status
		}
		return nil, errors.New(text)
	}
	return resp.Body, nil
}

// header reads one line of the result's header: tab-separated escaped
// names or types.
func header(r *bufio.Reader) ([]string, error) {
	line, err := readLine(r)
	if err != nil {
		return nil, err
	}
	fields := strings.Split(line, "\t")
	for i, f := range fields {
		fields[i] = unescape(f)
	}
	return fields, nil
}

// readLine reads one line without its newline; a result always ends
// with one, so a line without it is a truncated result.
func readLine(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err == io.EOF && line != "" {
		return "", fmt.Errorf("the result ends in the middle of a line: %q", line)
	}
	if err != nil {
		return "", err
	}
	return line[:len(line)-1], nil
}

func (s *chSession) Columns(ctx context.Context, from string) ([]Column, error) {
	body, err := s.post(ctx, "SELECT * FROM "+from+" LIMIT 0")
	if err != nil {
		return nil, err
	}
	defer body.Close()
	r := bufio.NewReader(body)
	names, err := header(r)
	if err != nil {
		return nil, err
	}
	types, err := header(r)
	if err != nil {
		return nil, err
	}
	if len(types) != len(names) {
		return nil, fmt.Errorf("the result names %d columns and %d types", len(names), len(types))
	}
	out := make([]Column, len(names))
	for i, n := range names {
		t, _ := chType(types[i])
		out[i] = Column{Name: n, Type: t, EngineType: types[i]}
	}
	return out, nil
}

func (s *chSession) Stream(ctx context.Context, q string, row func([]any) error) error {
	body, err := s.post(ctx, q)
	if err != nil {
		return err
	}
	defer body.Close()
	r := bufio.NewReaderSize(body, 1<<16)
	names, err := header(r)
	if err != nil {
		return err
	}
	types, err := header(r)
	if err != nil {
		return err
	}
	if len(types) != len(names) {
		return fmt.Errorf("the result names %d columns and %d types", len(names), len(types))
	}
	parse := make([]func(string) (any, error), len(types))
	for i, t := range types {
		if _, parse[i] = chType(t); parse[i] == nil {
			return fmt.Errorf("column %s: ClickHouse type %s, which trustml does not read", names[i], t)
		}
	}
	vals := make([]any, len(types))
	for {
		line, err := readLine(r)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		fields := strings.Split(line, "\t")
		if len(fields) != len(types) {
			// An error the server hit after the first rows; with
			// wait_end_of_query it does not happen, but a server may
			// ignore the setting.
			return errors.New(strings.TrimSpace(line))
		}
		for i, f := range fields {
			if f == `\N` {
				vals[i] = nil
				continue
			}
			if vals[i], err = parse[i](f); err != nil {
				return fmt.Errorf("column %s: %w", names[i], err)
			}
		}
		if err := row(vals); err != nil {
			return err
		}
	}
}

// chTypes are the ClickHouse types trustml reads, with the Arrow type of
// each and how a value of the text format becomes a Session value.
var chTypes = map[string]struct {
	arrow arrow.DataType
	parse func(string) (any, error)
}{
	"Int8":     {arrow.PrimitiveTypes.Int8, parseInt},
	"Int16":    {arrow.PrimitiveTypes.Int16, parseInt},
	"Int32":    {arrow.PrimitiveTypes.Int32, parseInt},
	"Int64":    {arrow.PrimitiveTypes.Int64, parseInt},
	"UInt8":    {arrow.PrimitiveTypes.Uint8, parseUint},
	"UInt16":   {arrow.PrimitiveTypes.Uint16, parseUint},
	"UInt32":   {arrow.PrimitiveTypes.Uint32, parseUint},
	"UInt64":   {arrow.PrimitiveTypes.Uint64, parseUint},
	"Float32":  {arrow.PrimitiveTypes.Float32, parseFloat},
	"Float64":  {arrow.PrimitiveTypes.Float64, parseFloat},
	"Decimal":  {arrow.PrimitiveTypes.Float64, parseFloat},
	"String":   {arrow.BinaryTypes.String, parseString},
	"Enum8":    {arrow.BinaryTypes.String, parseString},
	"Enum16":   {arrow.BinaryTypes.String, parseString},
	"Date":     {arrow.FixedWidthTypes.Date32, parseDate},
	"DateTime": {&arrow.TimestampType{Unit: arrow.Second}, func(v string) (any, error) { return parseDateTime(v, time.UTC) }},
	"Nothing":  {nil, func(string) (any, error) { return nil, nil }}, // the type of NULL
}

// chType returns the Arrow type of ClickHouse type t (nil when trustml
// does not read it, or for Nothing) and how its values are read (nil when
// they are not). Nullable(T) and LowCardinality(T) are T; a Decimal or
// Enum's parameters do not change the Arrow type. DateTime is the wall
// time the server shows, as a timestamp without a zone (PostgreSQL's
// timestamp); DateTime('zone') is an instant (PostgreSQL's timestamptz),
// a timestamp in UTC.
func chType(t string) (arrow.DataType, func(string) (any, error)) {
	for _, wrap := range []string{"Nullable(", "LowCardinality("} {
		if inner, ok := strings.CutPrefix(t, wrap); ok && strings.HasSuffix(inner, ")") {
			return chType(inner[:len(inner)-1])
		}
	}
	base := t
	if i := strings.IndexByte(t, '('); i >= 0 {
		base = t[:i]
	}
	if strings.HasPrefix(base, "Decimal") {
		base = "Decimal"
	}
	if base == "DateTime" && t != base {
		// DateTime('zone'): an instant, written in its zone.
		loc, err := time.LoadLocation(strings.TrimSuffix(strings.TrimPrefix(t, "DateTime('"), "')"))
		if err != nil {
			return nil, nil
		}
		return &arrow.TimestampType{Unit: arrow.Second, TimeZone: "UTC"}, func(v string) (any, error) { return parseDateTime(v, loc) }
	}
	ct, ok := chTypes[base]
	if !ok {
		return nil, nil
	}
	return ct.arrow, ct.parse
}

func parseInt(v string) (any, error) { return strconv.ParseInt(v, 10, 64) }

// parseUint reads an unsigned integer; a UInt64 above the int64 range
// keeps its bits, as the local engine keeps a uint64 column's.
func parseUint(v string) (any, error) {
	u, err := strconv.ParseUint(v, 10, 64)
	return int64(u), err
}

func parseFloat(v string) (any, error) {
	switch v {
	case "nan", "-nan":
		return math.NaN(), nil
	case "inf", "+inf":
		return math.Inf(1), nil
	case "-inf":
		return math.Inf(-1), nil
	}
	return strconv.ParseFloat(v, 64)
}

func parseString(v string) (any, error) { return unescape(v), nil }

// parseDate reads a Date; ClickHouse writes the day 1970-01-01 as
// 0000-00-00.
func parseDate(v string) (any, error) {
	if v == "0000-00-00" {
		return time.Unix(0, 0).UTC(), nil
	}
	return time.Parse("2006-01-02", v)
}

// parseDateTime reads a DateTime written in loc; ClickHouse writes the
// instant 0 as 0000-00-00 00:00:00.
func parseDateTime(v string, loc *time.Location) (any, error) {
	if v == "0000-00-00 00:00:00" {
		return time.Unix(0, 0).UTC(), nil
	}
	t, err := time.ParseInLocation("2006-01-02 15:04:05", v, loc)
	return t.UTC(), err
}

// unescape reads a value of ClickHouse's escaped text formats.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case '0':
			b.WriteByte(0)
		default: // \\, \', and any other character stands for itself
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
