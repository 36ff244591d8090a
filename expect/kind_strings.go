package expect

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/result"
)

// The row-wise kinds over strings beyond regex: not_regex, lists of
// patterns (regex: {any: [...]}, {all: [...]}), like and not_like, date
// (parseable as a date) and json (parseable as JSON, valid against a JSON
// Schema). Each judges one non-null string at a time.

// More column-level kinds, row-wise, on string columns.
const (
	// NotRegex: no Pattern matches v; with Patterns, the negation of
	// regex's list (any: none matches; all: not every one matches).
	NotRegex Kind = "not_regex"
	// Like: v matches an SQL LIKE pattern (% any run, _ one character, \
	// escapes); with a list, any or all of them (Check.MatchAll).
	Like Kind = "like"
	// NotLike: the negation of Like.
	NotLike Kind = "not_like"
	// Date: v parses as a date or timestamp: by the strftime format
	// Check.Strftime (Python's strptime directives), by any of the Go
	// layouts Check.DateLayouts, or else by any of CommonDateLayouts.
	Date Kind = "date"
	// JSON: v parses as one JSON value; with Check.JSONSchema, it is
	// valid against that JSON Schema (draft 2020-12 unless $schema says).
	JSON Kind = "json"
)

// CommonDateLayouts are the Go layouts a date check without a format
// accepts: ISO 8601 dates and date-times (T or space, with or without a
// zone, fractions of seconds after the seconds), RFC 1123 and 850, ANSI
// C, month/day/year and day.month.year with slashes and dots, and dates
// with month names.
var CommonDateLayouts = []string{
	"2006-01-02", "2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02T15:04:05Z07:00",
	"2006-01-02 15:04", "2006-01-02 15:04:05", "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05 Z07:00",
	"2006/01/02", "2006/1/2", "2006/01/02 15:04:05", "01/02/2006", "1/2/2006", "01/02/2006 15:04:05",
	"02.01.2006", "2.1.2006", "20060102", "20060102T150405", "20060102T150405Z07:00",
	time.RFC1123, time.RFC1123Z, time.RFC850, time.ANSIC, time.RFC822, time.RFC822Z,
	"2 January 2006", "2 Jan 2006", "January 2, 2006", "Jan 2, 2006", "Jan 2 2006", "January 2 2006",
	"Jan 02 2006 15:04:05", "Mon, 2 Jan 2006", "Monday, January 2, 2006",
}

func init() {
	register(kindDef{
		kind: NotRegex, rowWise: true, example: `"^test_"`, reads: stringClasses,
		decode:   decodePatterns,
		validate: validatePatterns,
		bind:     bindPred,
		finish:   finishPred,
		define:   definePatterns,
	})
	for _, k := range []Kind{Like, NotLike} {
		register(kindDef{
			kind: k, rowWise: true, example: `"%@%.%"`, reads: stringClasses,
			decode:   decodePatterns,
			validate: validatePatterns,
			bind:     bindPred,
			finish:   finishPred,
			define:   definePatterns,
		})
	}
	register(kindDef{
		kind: Date, rowWise: true, example: `"%Y-%m-%d"`, reads: stringClasses,
		decode:   decodeDate,
		validate: func(c *Check) error { _, err := c.datePred(); return err },
		bind:     bindPred,
		finish:   finishPred,
		define: func(c *Check, _ *SQLDialect) Definition {
			if c.Strftime != "" {
				return rowWiseDefinition(c, "try_strptime("+ident(c.Column)+", "+literal(StringValue(c.Strftime))+") IS NOT NULL")
			}
			return rowWiseDefinition(c, "try_cast("+ident(c.Column)+" AS TIMESTAMP) IS NOT NULL")
		},
	})
	register(kindDef{
		kind: JSON, rowWise: true, example: "true", reads: stringClasses,
		decode:   decodeJSON,
		validate: func(c *Check) error { _, err := c.jsonPred(); return err },
		bind:     bindPred,
		finish:   finishPred,
		define: func(c *Check, _ *SQLDialect) Definition {
			return rowWiseDefinition(c, "json_valid("+ident(c.Column)+")")
		},
	})
}

// decodePatterns reads a pattern kind: "pattern", [patterns] (any), or
// {pattern | any | all, mostly, severity}.
func decodePatterns(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) {
	like := c.Kind == Like || c.Kind == NotLike
	add := func(s string, at *yaml.Node, p string) {
		if like {
			c.LikePatterns = append(c.LikePatterns, s)
			if _, err := likeRegexp(s); err != nil {
				d.Errorf(at, p, "%v", err)
			}
			return
		}
		re, err := regexp.Compile(s)
		if err != nil {
			d.Errorf(at, p, "invalid regular expression: %v", err)
			return
		}
		c.Patterns = append(c.Patterns, re)
	}
	list := func(ln *yaml.Node, p string) {
		items, ok := d.Sequence(ln, p)
		if !ok {
			return
		}
		if len(items) == 0 {
			d.Errorf(ln, p, "must list at least one pattern")
		}
		for i, it := range items {
			ip := fmt.Sprintf("%s[%d]", p, i)
			if s, ok := d.String(it, ip); ok {
				add(s, it, ip)
			}
		}
	}
	n = yamlx.Resolve(n)
	switch {
	case n != nil && n.Kind == yaml.SequenceNode:
		list(n, path)
		return
	case n == nil || n.Kind != yaml.MappingNode:
		if s, ok := d.String(n, path); ok {
			add(s, n, path)
		}
		return
	}
	fields, ok := d.Mapping(n, path, []string{"pattern", "any", "all", "mostly", "severity"})
	if !ok {
		return
	}
	decodeBounds(d, c, n, path, fields, false)
	given := 0
	for _, g := range fields {
		switch g.Key {
		case "pattern":
			given++
			if s, ok := d.String(g.Value, g.Path); ok {
				add(s, g.Value, g.Path)
			}
		case "any", "all":
			given++
			c.MatchAll = g.Key == "all"
			list(g.Value, g.Path)
		}
	}
	if given != 1 {
		d.Errorf(n, path, "needs exactly one of pattern, any or all")
	}
}

// validatePatterns states the rules of the pattern kinds.
func validatePatterns(c *Check) error {
	like := c.Kind == Like || c.Kind == NotLike
	switch {
	case like && len(c.LikePatterns) == 0:
		return fmt.Errorf("%s needs at least one pattern", c.Kind)
	case like && len(c.Patterns) > 0:
		return fmt.Errorf("%s takes LIKE patterns (LikePatterns), not regular expressions", c.Kind)
	case !like && len(c.Patterns) == 0:
		return fmt.Errorf("%s needs at least one pattern", c.Kind)
	}
	for _, p := range c.LikePatterns {
		if _, err := likeRegexp(p); err != nil {
			return err
		}
	}
	return nil
}

// likeRegexp translates an SQL LIKE pattern into an anchored regular
// expression: % is any run of characters, _ one character, and a
// backslash makes the next character literal (a trailing one is an
// error).
func likeRegexp(p string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString(`(?s)\A`)
	rs := []rune(p)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; r {
		case '%':
			b.WriteString(".*")
		case '_':
			b.WriteString(".")
		case '\\':
			if i+1 == len(rs) {
				return nil, fmt.Errorf("LIKE pattern %q ends with an escape (\\); write \\\\ for a backslash", p)
			}
			i++
			b.WriteString(regexp.QuoteMeta(string(rs[i])))
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(`\z`)
	return regexp.Compile(b.String())
}

// patternPred returns the predicate of a pattern kind: whether a value
// passes.
func (c *Check) patternPred() (func(string) bool, error) {
	res := c.Patterns
	if c.Kind == Like || c.Kind == NotLike {
		res = nil
		for _, p := range c.LikePatterns {
			re, err := likeRegexp(p)
			if err != nil {
				return nil, err
			}
			res = append(res, re)
		}
	}
	all := c.MatchAll
	matches := func(s string) bool {
		for _, re := range res {
			if re.MatchString(s) != all {
				return !all
			}
		}
		return all
	}
	if c.Kind == NotRegex || c.Kind == NotLike {
		return func(s string) bool { return !matches(s) }, nil
	}
	return matches, nil
}

// patternText describes a pattern kind's rule: "matching /a/",
// "matching any of /a/, /b/".
func (c *Check) patternText() string {
	var parts []string
	what := "matching"
	if c.Kind == Like || c.Kind == NotLike {
		what = "like"
		for _, p := range c.LikePatterns {
			parts = append(parts, "'"+p+"'")
		}
	} else {
		for _, re := range c.Patterns {
			parts = append(parts, "/"+re.String()+"/")
		}
	}
	if len(parts) == 1 {
		return what + " " + parts[0]
	}
	q := "any of "
	if c.MatchAll {
		q = "all of "
	}
	return what + " " + q + strings.Join(parts, ", ")
}

// definePatterns defines a pattern kind by its rule.
func definePatterns(c *Check, _ *SQLDialect) Definition {
	var parts []string
	x := ident(c.Column)
	if c.Kind == Like || c.Kind == NotLike {
		for _, p := range c.LikePatterns {
			parts = append(parts, x+" LIKE "+literal(StringValue(p))+" ESCAPE '\\'")
		}
	} else {
		for _, re := range c.Patterns {
			parts = append(parts, "regexp_matches("+x+", "+literal(StringValue(re.String()))+")")
		}
	}
	op := " OR "
	if c.MatchAll {
		op = " AND "
	}
	rule := strings.Join(parts, op)
	if len(parts) > 1 {
		rule = "(" + rule + ")"
	}
	if c.Kind == NotRegex || c.Kind == NotLike {
		rule = "NOT " + rule
	}
	return rowWiseDefinition(c, rule)
}

// pred returns the string predicate of check c.
func (c *Check) pred() (func(string) bool, error) {
	switch c.Kind {
	case Date:
		return c.datePred()
	case JSON:
		return c.jsonPred()
	}
	return c.patternPred()
}

// bindPred plans a row-wise check by its string predicate.
func bindPred(cp *colPlan, c *Check) error {
	pred, err := c.pred()
	if err != nil {
		return err
	}
	cp.rowCheck = append(cp.rowCheck, &rowCheck{check: c, pred: pred})
	return nil
}

// finishPred concludes a check of a string predicate.
func finishPred(e *eval, c *Check, r *result.Check) bool {
	rs := e.rowState(c)
	var good string
	expected := map[string]any{}
	switch c.Kind {
	case Date:
		switch {
		case c.Strftime != "":
			good = "parsing as dates by " + c.Strftime
			expected["strftime"] = c.Strftime
		case len(c.DateLayouts) > 0:
			good = "parsing as dates by one of the layouts " + strings.Join(c.DateLayouts, ", ")
			expected["layouts"] = c.DateLayouts
		default:
			good = "parsing as dates (a common layout)"
			expected["layouts"] = "common"
		}
	case JSON:
		good = "parsing as JSON"
		if c.JSONSchema != nil {
			good = "valid against the JSON Schema"
			expected["schema"] = c.JSONSchema
		}
	default:
		good = c.patternText()
		var pats []string
		for _, re := range c.Patterns {
			pats = append(pats, re.String())
		}
		pats = append(pats, c.LikePatterns...)
		key := "any"
		if c.MatchAll {
			key = "all"
		}
		if len(pats) == 1 {
			key = "pattern"
			expected[key] = pats[0]
		} else {
			expected[key] = pats
		}
		if c.Kind == NotRegex || c.Kind == NotLike {
			good = "not " + good
		}
	}
	bad := "not " + good
	if c.Kind == NotRegex || c.Kind == NotLike {
		bad = strings.TrimPrefix(good, "not ")
	}
	ok := rowWise(c, r, e.cs.Count, rs.unexpected, rs.sample, bad, good)
	r.Expected = withMostly(c, expected)
	return ok
}

// decodeDate reads date: true (common layouts), "strftime format",
// {strftime | layouts, mostly, severity}.
func decodeDate(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) {
	n = yamlx.Resolve(n)
	if n != nil && n.Kind == yaml.ScalarNode && n.Tag == "!!bool" {
		if v, ok := d.Bool(n, path); ok && !v {
			d.Errorf(n, path, "date: false checks nothing; remove the key")
		}
		return
	}
	if n == nil || n.Kind != yaml.MappingNode {
		if s, ok := d.String(n, path); ok {
			c.Strftime = s
			if _, err := strptimeRegexp(s); err != nil {
				d.Errorf(n, path, "%v", err)
			}
		}
		return
	}
	fields, ok := d.Mapping(n, path, []string{"strftime", "layouts", "mostly", "severity"})
	if !ok {
		return
	}
	decodeBounds(d, c, n, path, fields, false)
	for _, g := range fields {
		switch g.Key {
		case "strftime":
			if s, ok := d.String(g.Value, g.Path); ok {
				c.Strftime = s
				if _, err := strptimeRegexp(s); err != nil {
					d.Errorf(g.Value, g.Path, "%v", err)
				}
			}
		case "layouts":
			if ls, ok := d.Texts(g.Value, g.Path); ok {
				if len(ls) == 0 {
					d.Errorf(g.Value, g.Path, "must list at least one layout")
				}
				c.DateLayouts = ls
			}
		}
	}
	if c.Strftime != "" && c.DateLayouts != nil {
		d.Errorf(n, path, "give strftime or layouts, not both")
	}
}

// datePred returns the predicate of a date check.
func (c *Check) datePred() (func(string) bool, error) {
	if c.Strftime != "" {
		if len(c.DateLayouts) > 0 {
			return nil, errors.New("give Strftime or DateLayouts, not both")
		}
		st, err := strptimeRegexp(c.Strftime)
		if err != nil {
			return nil, err
		}
		return st.parses, nil
	}
	layouts := c.DateLayouts
	if len(layouts) == 0 {
		layouts = CommonDateLayouts
	}
	return func(s string) bool {
		for _, l := range layouts {
			if _, err := time.Parse(l, s); err == nil {
				return true
			}
		}
		return false
	}, nil
}

// strptime is a strftime format compiled for parsing, as Python's
// time.strptime reads it: each directive a group of digits or names, the
// whole value matched, case-insensitively, and the date then checked to
// exist (2019-02-30 does not).
type strptime struct {
	re *regexp.Regexp
}

// strptimeDirectives are the directives a strftime format may use, with
// the text each matches (Python's _strptime patterns).
var strptimeDirectives = map[byte]string{
	'd': `3[0-1]|[1-2]\d|0[1-9]|[1-9]| [1-9]`,
	'f': `[0-9]{1,6}`,
	'H': `2[0-3]|[0-1]\d|\d`,
	'I': `1[0-2]|0[1-9]|[1-9]`,
	'j': `36[0-6]|3[0-5]\d|[1-2]\d\d|0[1-9]\d|00[1-9]|[1-9]\d|0[1-9]|[1-9]`,
	'm': `1[0-2]|0[1-9]|[1-9]`,
	'M': `[0-5]\d|\d`,
	'S': `6[0-1]|[0-5]\d|\d`,
	'y': `\d\d`,
	'Y': `\d\d\d\d`,
	'z': `[+-]\d\d:?[0-5]\d(?::?[0-5]\d(?:\.\d{1,6})?)?|Z`,
	'a': `mon|tue|wed|thu|fri|sat|sun`,
	'A': `monday|tuesday|wednesday|thursday|friday|saturday|sunday`,
	'b': `jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec`,
	'B': `january|february|march|april|may|june|july|august|september|october|november|december`,
	'p': `am|pm`,
}

// strptimeRegexp compiles a strftime format; an unknown directive, a
// directive given twice or a format ending in % is an error.
func strptimeRegexp(format string) (*strptime, error) {
	var b strings.Builder
	b.WriteString(`(?i)\A`)
	seen := map[byte]bool{}
	for i := 0; i < len(format); i++ {
		ch := format[i]
		switch {
		case ch == '%':
			if i+1 == len(format) {
				return nil, fmt.Errorf("strftime format %q ends with %%", format)
			}
			i++
			dir := format[i]
			if dir == '%' {
				b.WriteString("%")
				continue
			}
			pat, ok := strptimeDirectives[dir]
			if !ok {
				return nil, fmt.Errorf("strftime format %q: directive %%%c is not supported for parsing; use %%Y %%y %%m %%d %%j %%H %%I %%p %%M %%S %%f %%z %%a %%A %%b %%B or %%%%", format, dir)
			}
			if seen[dir] {
				return nil, fmt.Errorf("strftime format %q: directive %%%c given twice", format, dir)
			}
			seen[dir] = true
			fmt.Fprintf(&b, "(?P<%s>%s)", directiveGroup(dir), pat)
		case ch == ' ' || ch == '\t' || ch == '\n':
			b.WriteString(`\s+`)
			for i+1 < len(format) && strings.IndexByte(" \t\n", format[i+1]) >= 0 {
				i++
			}
		default:
			b.WriteString(regexp.QuoteMeta(string(ch)))
		}
	}
	b.WriteString(`\z`)
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, fmt.Errorf("strftime format %q: %v", format, err)
	}
	return &strptime{re: re}, nil
}

// directiveGroup names a directive's group: the letter, with upper case
// marked (Go's group names are case-sensitive, but keep them readable).
func directiveGroup(dir byte) string {
	if dir >= 'A' && dir <= 'Z' {
		return "U" + string(dir)
	}
	return "L" + string(dir)
}

// parses reports whether s matches the format and names a date that
// exists.
func (st *strptime) parses(s string) bool {
	m := st.re.FindStringSubmatch(s)
	if m == nil {
		return false
	}
	num := func(dir byte, def int) int {
		k := st.re.SubexpIndex(directiveGroup(dir))
		if k < 0 || m[k] == "" {
			return def
		}
		v := 0
		for _, ch := range strings.TrimSpace(m[k]) {
			v = v*10 + int(ch-'0')
		}
		return v
	}
	year := num('Y', -1)
	if year < 0 {
		year = 1900
		if y := num('y', -1); y >= 0 {
			year = 1900 + y
			if y < 69 {
				year = 2000 + y
			}
		}
	}
	month, day := num('m', 1), num('d', 1)
	if k := st.re.SubexpIndex(directiveGroup('b')); k >= 0 {
		month = monthOf(m[k])
	}
	if k := st.re.SubexpIndex(directiveGroup('B')); k >= 0 {
		month = monthOf(m[k])
	}
	// The date exists when time.Date does not have to normalise it.
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if t.Day() != day || int(t.Month()) != month {
		return false
	}
	if j := num('j', 0); j > 0 {
		days := 365
		if time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC).YearDay() == 366 {
			days = 366
		}
		return j <= days
	}
	return true
}

func monthOf(name string) int {
	p := strings.ToLower(name)
	if len(p) > 3 {
		p = p[:3]
	}
	return strings.Index("janfebmaraprmayjunjulaugsepoctnovdec", p)/3 + 1
}

// decodeJSON reads json: true or {schema, mostly, severity}; the schema
// is a mapping (a JSON Schema written in YAML) or a string of JSON.
func decodeJSON(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) {
	n = yamlx.Resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		if v, ok := d.Bool(n, path); ok && !v {
			d.Errorf(n, path, "json: false checks nothing; remove the key")
		}
		return
	}
	fields, ok := d.Mapping(n, path, []string{"schema", "mostly", "severity"})
	if !ok {
		return
	}
	decodeBounds(d, c, n, path, fields, false)
	for _, g := range fields {
		if g.Key != "schema" {
			continue
		}
		v := yamlx.Resolve(g.Value)
		var doc any
		if v != nil && v.Kind == yaml.ScalarNode && v.Tag == "!!str" {
			if err := json.Unmarshal([]byte(v.Value), &doc); err != nil {
				d.Errorf(v, g.Path, "not a JSON document: %v", err)
				continue
			}
		} else if err := v.Decode(&doc); err != nil {
			d.Errorf(v, g.Path, "%v", err)
			continue
		}
		c.JSONSchema = doc
		if _, err := c.jsonPred(); err != nil {
			d.Errorf(v, g.Path, "%v", err)
		}
	}
}

// noLoader refuses every reference outside the schema: a suite's checks
// read neither files nor the network.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("the schema refers to %s; a json check's schema must be self-contained", url)
}

// jsonPred returns the predicate of a json check.
func (c *Check) jsonPred() (func(string) bool, error) {
	if c.JSONSchema == nil {
		return func(s string) bool { return json.Valid([]byte(s)) }, nil
	}
	// Through JSON text, so that numbers are json.Number as the
	// validator expects, whatever built the document.
	text, err := json.Marshal(c.JSONSchema)
	if err != nil {
		return nil, fmt.Errorf("schema: %v", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(text))
	if err != nil {
		return nil, fmt.Errorf("schema: %v", err)
	}
	comp := jsonschema.NewCompiler()
	comp.UseLoader(noLoader{})
	if err := comp.AddResource("suite:///schema.json", doc); err != nil {
		return nil, fmt.Errorf("schema: %v", err)
	}
	sch, err := comp.Compile("suite:///schema.json")
	if err != nil {
		return nil, fmt.Errorf("invalid JSON Schema: %v", err)
	}
	return func(s string) bool {
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(s))
		return err == nil && sch.Validate(inst) == nil
	}, nil
}
