package expr

import (
	"context"
	"strings"
)

// function declares one built-in function: its name, how it is typed and
// how it is evaluated. Every function is declared once, in funcs.
type function struct {
	name string
	// sig is the signature shown in errors and in the package doc.
	sig string
	// minArgs and maxArgs bound the argument count (maxArgs < 0: any).
	minArgs, maxArgs int
	// typ returns the result type for the argument types, or a message
	// saying what is wrong with argument i.
	typ func(c *checker, call *Call, args []Type) (Type, int, string)
	// eval computes the call over a batch; args are already evaluated.
	eval func(ctx context.Context, e *evaluator, call *Call, args []value) (value, error)
}

var funcs = map[string]*function{}

func init() {
	for _, f := range []*function{
		{name: "abs", sig: "abs(number) → same type", minArgs: 1, maxArgs: 1, typ: numericSame, eval: evalAbs},
		{name: "round", sig: "round(number [, digits integer constant]) → same type", minArgs: 1, maxArgs: 2, typ: typeRound, eval: evalRound},
		{name: "length", sig: "length(string) → BIGINT (characters)", minArgs: 1, maxArgs: 1, typ: stringTo(Type{Kind: IntKind}), eval: evalLength},
		{name: "lower", sig: "lower(string) → VARCHAR", minArgs: 1, maxArgs: 1, typ: stringTo(Type{Kind: StringKind}), eval: stringMap(strings.ToLower)},
		{name: "upper", sig: "upper(string) → VARCHAR", minArgs: 1, maxArgs: 1, typ: stringTo(Type{Kind: StringKind}), eval: stringMap(strings.ToUpper)},
		{name: "trim", sig: "trim(string) → VARCHAR (spaces removed at both ends)", minArgs: 1, maxArgs: 1, typ: stringTo(Type{Kind: StringKind}), eval: stringMap(func(s string) string { return strings.Trim(s, " ") })},
		{name: "coalesce", sig: "coalesce(x, y, ...) → common type", minArgs: 1, maxArgs: -1, typ: typeCoalesce, eval: evalCoalesce},
		{name: "year", sig: "year(date or timestamp) → BIGINT", minArgs: 1, maxArgs: 1, typ: temporalPart, eval: datePart(func(y, _, _ int) int64 { return int64(y) })},
		{name: "month", sig: "month(date or timestamp) → BIGINT", minArgs: 1, maxArgs: 1, typ: temporalPart, eval: datePart(func(_, m, _ int) int64 { return int64(m) })},
		{name: "day", sig: "day(date or timestamp) → BIGINT", minArgs: 1, maxArgs: 1, typ: temporalPart, eval: datePart(func(_, _, d int) int64 { return int64(d) })},
		{name: "now", sig: "now() → TIMESTAMP WITH TIME ZONE 'UTC' (Options.Now)", minArgs: 0, maxArgs: 0, typ: constType(Type{Kind: TimestampKind, Zone: "UTC"}), eval: evalNow},
		{name: "today", sig: "today() → DATE (Options.Now's date in UTC)", minArgs: 0, maxArgs: 0, typ: constType(Type{Kind: DateKind}), eval: evalToday},
	} {
		funcs[f.name] = f
	}
}

func constType(t Type) func(*checker, *Call, []Type) (Type, int, string) {
	return func(*checker, *Call, []Type) (Type, int, string) { return t, 0, "" }
}

func numericSame(_ *checker, _ *Call, args []Type) (Type, int, string) {
	if args[0].Kind == NullKind {
		return Type{Kind: IntKind}, 0, ""
	}
	if !args[0].numeric() {
		return Type{}, 0, "needs a number, got " + args[0].String()
	}
	return args[0], 0, ""
}

func typeRound(c *checker, call *Call, args []Type) (Type, int, string) {
	t, i, msg := numericSame(c, call, args[:1])
	if msg != "" || len(args) == 1 {
		return t, i, msg
	}
	if lit, ok := call.Args[1].(*Literal); !ok || lit.Kind != LitInt || lit.Int < -18 || lit.Int > 18 {
		return Type{}, 1, "digits must be an integer constant between -18 and 18"
	}
	return t, 0, ""
}

func stringTo(out Type) func(*checker, *Call, []Type) (Type, int, string) {
	return func(_ *checker, _ *Call, args []Type) (Type, int, string) {
		if args[0].Kind != StringKind && args[0].Kind != NullKind {
			return Type{}, 0, "needs a string, got " + args[0].String()
		}
		return out, 0, ""
	}
}

func temporalPart(_ *checker, _ *Call, args []Type) (Type, int, string) {
	if k := args[0].Kind; k != DateKind && k != TimestampKind && k != NullKind {
		return Type{}, 0, "needs a date or a timestamp, got " + args[0].String()
	}
	return Type{Kind: IntKind}, 0, ""
}

func typeCoalesce(_ *checker, _ *Call, args []Type) (Type, int, string) {
	t := Type{Kind: NullKind}
	for i, a := range args {
		u, ok := unify(t, a)
		if !ok {
			return Type{}, i, "has type " + a.String() + ", unlike the earlier arguments' " + t.String()
		}
		t = u
	}
	return t, 0, ""
}
