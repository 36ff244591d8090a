package yamlx

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestSuggest(t *testing.T) {
	keys := []string{"min", "max", "mostly", "severity", "strict_min"}
	for _, tc := range []struct{ in, want string }{
		{"mni", "min"}, {"minimum", "min"}, {"severety", "severity"}, {"MOSTLY", "mostly"},
		{"strict", "strict_min"}, {"colour", ""}, {"x", ""},
	} {
		if got := Suggest(tc.in, keys); got != tc.want {
			t.Errorf("Suggest(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestDecoder pins the positioned messages of the primitives every section
// decoder is built on, and that problems come out in document order.
func TestDecoder(t *testing.T) {
	src := "b: {x: 1, x: 2}\na: [1, two]\nc: warning\nd: 1.5\n"
	root, err := Parse("s.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	d := &Decoder{File: "s.yaml"}
	fields, _ := d.Mapping(root, "", []string{"a", "b", "c", "d"})
	for _, f := range fields {
		switch f.Key {
		case "a":
			for i, n := range f.Value.Content {
				d.Int(n, Join(f.Path, string(rune('0'+i))))
			}
		case "b":
			d.Mapping(f.Value, f.Path, nil)
		case "c":
			d.Severity(f.Value, f.Path)
		case "d":
			d.Fraction(f.Value, f.Path)
		}
	}
	want := `s.yaml:1:11: b.x: duplicate key (first defined at line 1)
s.yaml:2:8: a.1: must be an integer, got the string "two"
s.yaml:3:4: c: must be error or warn, got "warning" (did you mean "warn"?)
s.yaml:4:4: d: must be a fraction between 0 and 1, got 1.5`
	if err := d.Err(); err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
}

func TestParseErrors(t *testing.T) {
	if n, err := Parse("e.yaml", []byte("# only a comment\n")); n != nil || err != nil {
		t.Errorf("an empty document is a nil node and no error, got %v, %v", n, err)
	}
	_, err := Parse("e.yaml", []byte("a: [1,\n"))
	if err == nil || err.Error() != "e.yaml:1: invalid YAML: did not find expected node content" {
		t.Errorf("got %v", err)
	}
}

func TestInterval(t *testing.T) {
	src := "a: {min: 3, max: 1}\nb: {min: 0, strict_min: true, max: 2.5}\nc: {max: 1, strict_min: true}\n"
	root, err := Parse("s.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	d := &Decoder{}
	top, _ := d.Mapping(root, "", nil)
	var got []string
	for _, f := range top {
		fields, _ := d.Mapping(f.Value, f.Path, IntervalKeys)
		got = append(got, d.Interval(f.Value, f.Path, fields, false).String())
	}
	if want := []string{"[3, 1]", "(0, 2.5]", "≤ 1"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("intervals = %q, want %q", got, want)
	}
	e := &Error{File: "s.yaml", Problems: d.Problems()}
	want := "s.yaml:1:4: a: min 3 > max 1: no value can pass\ns.yaml:3:4: c: strict_min without min"
	if e.Error() != want {
		t.Errorf("problems:\n%s\nwant:\n%s", e.Error(), want)
	}
}

// TestAliasBomb: nested aliases that would expand to 10⁹ values are
// refused at parse time, quickly, at the first alias.
func TestAliasBomb(t *testing.T) {
	src := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	prev := "a"
	for i := range 8 {
		name := fmt.Sprintf("l%d", i)
		src += name + ": &" + name + " [" + strings.Repeat("*"+prev+", ", 9) + "*" + prev + "]\n"
		prev = name
	}
	start := time.Now()
	_, err := Parse("bomb.yaml", []byte(src))
	assert.Less(t, time.Since(start), time.Second)
	assert.EqualError(t, err, "bomb.yaml:2:10: aliases expand the document to more than 1000000 values; write the values out or use fewer aliases")

	// A few aliases that stay small are fine.
	n, err := Parse("ok.yaml", []byte("a: &a [1, 2, 3]\nb: *a\nc: [*a, *a]\n"))
	assert.NoError(t, err)
	assert.NotNil(t, n)
}

// TestReport: a spec's findings are positioned at the key path they name
// (or at At), and dropped where the decoder already explained the value.
func TestReport(t *testing.T) {
	root, err := Parse("s.yaml", []byte("m:\n  a: 1\n  b: {c: x}\n"))
	assert.NoError(t, err)
	d := &Decoder{File: "s.yaml"}
	fields, _ := d.Mapping(root, "", []string{"m"})
	mf, _ := d.Mapping(fields[0].Value, "m", nil)
	bf, _ := d.Mapping(mf[1].Value, "m.b", nil)
	d.Float(bf[0].Value, "m.b.c") // a problem at m.b.c
	var fs Findings
	fs.Add("m.a", "too small")
	fs.AddAt("m", "m.z", "missing")
	fs.Add("m.b", "needs c")                      // below it the decoder reported: dropped
	fs.AddAt("m.b", "m.b", "whole mapping wrong") // located at itself by AddAt: kept
	fs.Add("m.b.c", "again")                      // at a reported path: dropped
	d.Report(fs)
	assert.EqualError(t, d.Err(), `s.yaml:2:3: m.z: missing
s.yaml:2:6: m.a: too small
s.yaml:3:6: m.b: whole mapping wrong
s.yaml:3:10: m.b.c: must be a number, got the string "x"`)
	assert.EqualError(t, fs.Err(), "m.a: too small\nm.z: missing\nm.b: needs c\nm.b: whole mapping wrong\nm.b.c: again")
}
