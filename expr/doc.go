// Package expr is trustml's row-expression language: a small SQL
// expression dialect used by where: filters and row rules. An expression
// is parsed once into a tree (Parse), checked against an Arrow schema
// (Compile, Check), evaluated vectorised over record batches
// (Program.Eval), and printed back as SQL for an engine (Print,
// Program.SQL). One tree serves every consumer, as go/ast does.
//
//	p, err := expr.Predicate(`end_date >= start_date AND "Solar.R" IS NOT NULL`, schema)
//	mask, err := p.Eval(ctx, batch, expr.Options{Now: runStart}) // *array.Boolean
//	pushed := p.SQL(expr.DuckDB)
//
// # Grammar
//
// In EBNF; keywords are case-insensitive, function names too.
//
//	Expr       = Or .
//	Or         = And { "OR" And } .
//	And        = Not { "AND" Not } .
//	Not        = "NOT" Not | Predicate .
//	Predicate  = Sum [ CompareOp Sum
//	                 | "IS" [ "NOT" ] "NULL"
//	                 | [ "NOT" ] "IN" "(" Expr { "," Expr } ")"
//	                 | [ "NOT" ] "BETWEEN" Sum "AND" Sum
//	                 | [ "NOT" ] "LIKE" string [ "ESCAPE" string ] ] .
//	CompareOp  = "=" | "<>" | "!=" | "<" | "<=" | ">" | ">=" .
//	Sum        = Product { ( "+" | "-" ) Product } .
//	Product    = Unary { ( "*" | "/" ) Unary } .
//	Unary      = "-" Unary | Primary .
//	Primary    = number | string | "TRUE" | "FALSE" | "NULL"
//	           | "DATE" string | "TIMESTAMP" string | "INTERVAL" string
//	           | name "(" [ Expr { "," Expr } ] ")" | Column | "(" Expr ")" .
//	Column     = name | quoted .
//	name       = ( letter | "_" ) { letter | digit | "_" } .   (ASCII letters)
//	quoted     = `"` { char | `""` } `"` .                     ("Solar.R", "a ""b""")
//	string     = "'" { char | "''" } "'" .
//	number     = digits [ "." digits ] [ exponent ] | "." digits [ exponent ] .
//
// Comparisons, IS, IN, BETWEEN and LIKE do not chain: a = b = c is an
// error, (a = b) = c is not. A minus directly before a number belongs to
// the number, so -9223372036854775808 is a BIGINT constant; -(5) is a
// negation. An integer constant beyond 64 bits is an error (write 1e20 for
// a DOUBLE). DATE, TIMESTAMP and INTERVAL are keywords only before a
// string, so columns named date or timestamp need no quotes. Comments
// are not allowed.
//
// Constants:
//   - DATE 'YYYY-MM-DD'.
//   - TIMESTAMP 'YYYY-MM-DD[ HH:MM[:SS[.ffffff]]]': without a zone, a
//     TIMESTAMP; with one ('…Z', '…+02:00', '…-0530'), the instant, typed
//     TIMESTAMP WITH TIME ZONE 'UTC'. Precision is the microsecond.
//   - INTERVAL 'n unit [n unit]...' with units year, month, week, day,
//     hour, minute, second, millisecond, microsecond (singular or plural,
//     counts may be negative): '1 day', '2 hours 30 minutes'.
//
// # Positions
//
// Every node records the byte offset of its first byte (Pos); errors are
// *Error values carrying a Position (offset, line, column in runes) and,
// where one helps, a hint such as `did you mean "Solar.R"?`. Compile
// reports every problem of an expression at once, joined with
// errors.Join. Position's doc says how a suite loader adds a position
// inside the expression to the YAML scalar's own to point at
// file:line:col.
//
// # Types
//
// The types are BOOLEAN, BIGINT (int64), DOUBLE (float64), VARCHAR, DATE,
// TIMESTAMP (microseconds, with an optional time zone) and INTERVAL (for
// constants only). Columns map to them by ColumnType: every integer type to
// BIGINT (a uint64 above 2^63-1 is an evaluation error), float32/64 to
// DOUBLE, utf8/large_utf8/string_view and dictionary-encoded strings to
// VARCHAR, date32/date64 to DATE, timestamps of every unit to TIMESTAMP
// (nanoseconds truncate to microseconds, as in DuckDB) keeping the Arrow
// time zone. Other column types are an error where referenced.
//
// Column names match exactly; failing that, case-insensitively when
// exactly one column matches (as SQL folds unquoted names).
//
// Operands are unified as follows: NULL takes the other side's type;
// BIGINT meets DOUBLE as DOUBLE; DATE meets TIMESTAMP as TIMESTAMP (at
// midnight UTC); a timestamp without zone meets a zoned one as the zoned
// type, its value read as UTC. Anything else (a string with a number, a
// date with a string) is a type error; strings are never converted
// implicitly.
//
// Arithmetic:
//
//	BIGINT + - * BIGINT   BIGINT; overflow is an error (ErrOverflow)
//	number / number       DOUBLE ("/" never truncates; 7 / 2 = 3.5)
//	number op DOUBLE      DOUBLE, IEEE 754
//	- BIGINT, - DOUBLE    same type; -(-2^63) is an overflow error
//	DATE ± BIGINT         DATE (days)       DATE - DATE  BIGINT (days)
//	TIMESTAMP ± INTERVAL  TIMESTAMP, same zone; INTERVAL + TIMESTAMP too
//	DATE ± INTERVAL       TIMESTAMP without zone
//
// # NULL, NaN and infinities
//
// Logic is SQL's three-valued logic (Kleene's): FALSE AND NULL is FALSE,
// TRUE OR NULL is TRUE, NOT NULL is NULL. Every other operator and every
// function except coalesce returns NULL when an operand is NULL. x IN
// (list) is TRUE when x equals an element, else NULL when x or an element
// is NULL, else FALSE; NOT IN is its negation (so x NOT IN (1, NULL) is
// never TRUE). x BETWEEN lo AND hi is x >= lo AND x <= hi, so a NULL bound
// gives NULL unless the other bound already fails. x IS NULL is never
// NULL. A row whose predicate is NULL neither passes nor fails: callers
// count it separately (Tally), and trustml reports it as null.
//
// DOUBLE arithmetic follows IEEE 754, division included: x / 0 is +Inf
// or -Inf, 0 / 0 and Inf - Inf are NaN (DuckDB 1.5 does the same;
// PostgreSQL raises an error instead). NULL / 0 is NULL. Comparisons of
// DOUBLEs use SQL engines' total order rather than IEEE's: NaN equals NaN
// and is greater than every other value, +Inf included, and -0 equals 0
// (DuckDB and PostgreSQL agree), so that a rule means the same locally
// and pushed down. NaN is not NULL: NaN IS NULL is FALSE.
//
// BIGINT overflow in + - *, unary minus, abs, round and DATE ± days makes
// Eval return an error wrapping ErrOverflow, for the whole batch, as
// DuckDB raises an error for the whole query. Unlike DuckDB, expr
// evaluates every operand over every row (it does not skip branches whose
// value cannot matter, such as x in FALSE AND x), so an overflow in such
// a branch is an error here and not in DuckDB.
//
// # Dates, timestamps and time zones
//
// Timestamps compare as instants, whatever their zones. A zone matters
// only for calendar operations: year, month and day read the local date
// in the column's zone, and INTERVAL months and days move the local
// calendar date keeping the local wall-clock time, so on a zoned
// timestamp INTERVAL '1 day' across a DST change is 23 or 25 hours, while
// INTERVAL '24 hours' is always 24 (PostgreSQL's and DuckDB's TIMESTAMPTZ
// rule, with the column's zone as the session zone). Month arithmetic
// clamps to the month's end (Jan 31 + 1 month = Feb 28 or 29). A local
// time that falls in a DST gap is normalised as time.Date does. Timestamps
// without zone, dates and the UTC zone have no DST. Zones are IANA names
// from the embedded time/tzdata or fixed offsets (+02:00).
//
// now() is Options.Now, fixed by the caller once per run (trustml's
// --now), typed TIMESTAMP WITH TIME ZONE 'UTC'; today() is the UTC date
// of Options.Now. A Dialect's Now prints both as constants, so pushed-down
// SQL sees the same instant.
//
// # Functions
//
//	abs(x)            BIGINT or DOUBLE → same; abs(-2^63) overflows
//	round(x [, d])    d an integer constant in [-18, 18], default 0; half away
//	                  from zero; DOUBLE → DOUBLE; BIGINT → BIGINT (d < 0 rounds
//	                  to tens, hundreds...; d ≥ 0 leaves it)
//	length(s)         characters (Unicode code points) → BIGINT
//	lower(s), upper(s) Unicode case mapping → VARCHAR
//	trim(s)           removes spaces (U+0020) at both ends → VARCHAR
//	coalesce(x, ...)  first non-NULL argument, in the arguments' common type
//	year(t), month(t), day(t)  of a DATE or TIMESTAMP (in its zone) → BIGINT
//	now()             Options.Now → TIMESTAMP WITH TIME ZONE 'UTC'
//	today()           Options.Now's UTC date → DATE
//
// s LIKE 'pattern' matches the whole string, case-sensitively: % any
// sequence (possibly empty), _ exactly one character (code point). There
// is no escape character unless ESCAPE names one; the escape character
// must precede %, _ or itself. The pattern is a constant.
//
// # Evaluation
//
// Program.Eval evaluates whole columns at a time: arrow-go's compute
// kernels for comparisons, Kleene and/or/not, is_null, is_in, DOUBLE
// arithmetic, negate, abs, round, casts and take; typed loops over Arrow
// buffers where arrow-go has no kernel (LIKE, string functions, calendar
// arithmetic, checked BIGINT arithmetic: arrow-go v18.8.0's checked
// subtract misses signed overflow), and where its kernel costs several
// times a loop (a VARCHAR column IN at most 8 string constants: is_in
// hashes every string). It never walks the tree per row.
// Constants stay scalars until a loop needs them as arrays. Everything
// allocated comes from Options.Mem and is released before Eval returns,
// except the result, which the caller releases; a Recycler as Options.Mem
// hands those buffers to the next evaluation.
//
// # Printing
//
// Print writes a tree as SQL in a Dialect, inserting parentheses where
// precedence needs them and around a comparison used as an operand of
// another, so the text means the same in every engine; Generic reads back
// with Parse into the same tree (tested by FuzzParse). Column names are
// printed bare only when lower-case and not reserved in SQL. Dialect hooks
// (Ident, Call, Literal, Binary, Now) carry each engine's spellings;
// Program.SQL passes the checked types to the Binary hook, which DuckDB
// uses to cast DATE ± BIGINT to INTEGER.
package expr
