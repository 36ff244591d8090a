package expr

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// evalRec evaluates src over rec with a checked allocator and returns
// the result as JSON (or the error).
func evalRec(t *testing.T, rec arrow.RecordBatch, mem *memory.CheckedAllocator, src string, now time.Time) (string, error) {
	t.Helper()
	p, err := Compile(src, rec.Schema())
	if err != nil {
		return "", err
	}
	out, err := p.Eval(context.Background(), rec, Options{Mem: mem, Now: now})
	if err != nil {
		return "", err
	}
	defer out.Release()
	if out.Len() != int(rec.NumRows()) {
		t.Errorf("%s: %d rows out of %d", src, out.Len(), rec.NumRows())
	}
	if !arrow.TypeEqual(out.DataType(), p.Type.Arrow()) && p.Type.Kind != NullKind {
		t.Errorf("%s: result type %s, program type %s", src, out.DataType(), p.Type.Arrow())
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), nil
}

// evalCase is one expression and the JSON it must give, or the error text
// it must contain.
type evalCase struct {
	src, want, err string
}

// checkCases evaluates every case over the JSON rows of schema.
func checkCases(t *testing.T, schema *arrow.Schema, rows string, now time.Time, cases []evalCase) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec, _, err := array.RecordFromJSON(mem, schema, strings.NewReader(rows))
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	defer rec.Release()
	checkRec(t, rec, mem, now, cases)
}

func checkRec(t *testing.T, rec arrow.RecordBatch, mem *memory.CheckedAllocator, now time.Time, cases []evalCase) {
	t.Helper()
	for _, c := range cases {
		got, err := evalRec(t, rec, mem, c.src, now)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: error %v, want one containing %q", c.src, err, c.err)
		case c.err == "" && err != nil:
			t.Errorf("%s: %v", c.src, err)
		case c.err == "" && got != c.want:
			t.Errorf("%s\n got %s\nwant %s", c.src, got, c.want)
		}
	}
}

func field(name string, dt arrow.DataType) arrow.Field {
	return arrow.Field{Name: name, Type: dt, Nullable: true}
}

// dump writes a tree as an S-expression of everything but positions, so
// two trees are equal exactly when their dumps are.
func dump(e Expr) string {
	switch x := e.(type) {
	case *Column:
		return fmt.Sprintf("(col %q)", x.Name)
	case *Literal:
		switch x.Kind {
		case LitNull:
			return "NULL"
		case LitBool:
			return fmt.Sprint(x.Bool)
		case LitInt:
			return fmt.Sprintf("(int %d)", x.Int)
		case LitFloat:
			return fmt.Sprintf("(float %x)", x.Float) // hex: bit-exact, -0 distinct
		case LitString:
			return fmt.Sprintf("(str %q)", x.String)
		case LitDate:
			return "(date " + x.Time.Format(time.RFC3339Nano) + ")"
		case LitTimestamp:
			return fmt.Sprintf("(ts %s %v)", x.Time.UTC().Format(time.RFC3339Nano), x.Zoned)
		case LitInterval:
			return fmt.Sprintf("(interval %+v)", x.Interval)
		}
	case *Unary:
		return fmt.Sprintf("(%s %s)", x.Op, dump(x.X))
	case *Binary:
		return fmt.Sprintf("(%s %s %s)", x.Op, dump(x.X), dump(x.Y))
	case *In:
		var b strings.Builder
		fmt.Fprintf(&b, "(in %v %s", x.Not, dump(x.X))
		for _, y := range x.List {
			b.WriteString(" " + dump(y))
		}
		return b.String() + ")"
	case *Between:
		return fmt.Sprintf("(between %v %s %s %s)", x.Not, dump(x.X), dump(x.Lo), dump(x.Hi))
	case *IsNull:
		return fmt.Sprintf("(isnull %v %s)", x.Not, dump(x.X))
	case *Like:
		return fmt.Sprintf("(like %v %s %q %q)", x.Not, dump(x.X), x.Pattern, x.Escape)
	case *Call:
		var b strings.Builder
		b.WriteString("(call " + x.Name)
		for _, y := range x.Args {
			b.WriteString(" " + dump(y))
		}
		return b.String() + ")"
	}
	return fmt.Sprintf("(? %T)", e)
}
