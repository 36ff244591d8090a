package expect

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/result"
)

// Dates and times: range, min and max on date and timestamp columns take
// date and time bounds (TimeBound), and freshness bounds the age of a
// column's newest value. Relative bounds and ages are read against
// Options.Now, the run's instant.

// Freshness: the newest value of a date or timestamp column is at most
// MaxAge older than the run's instant (Options.Now).
const Freshness Kind = "freshness"

// TimeBound is a date or time bound: an absolute date or time
// ("2024-01-31", "2024-01-31T08:00:00", "2024-01-31 08:00:00+02:00") or
// one relative to the run's instant: now or today (midnight), optionally
// plus or minus a duration ("now - 2d", "today + 12h"; units w, d, h, m,
// s, ms, us, ns; a day is 24 hours).
//
// A bound without a zone is read in the column's time zone (a zoned
// timestamp's, UTC for dates and naive timestamps, whose values are read
// as UTC wall clocks); today is midnight in that zone. On a date column a
// bound stands for its date in that zone.
type TimeBound struct {
	Text   string
	Strict bool // the bound itself is excluded

	abs      time.Time // an absolute bound; zoned reports whether the text named a zone
	zoned    bool
	relative string // "now" or "today"
	offset   time.Duration
}

// timeLayouts are the absolute forms a TimeBound accepts.
var timeLayouts = []string{
	"2006-01-02", "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04",
	time.RFC3339Nano, "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05 Z07:00",
}

var relativeBound = regexp.MustCompile(`^(now|today)(?:\s*([+-])\s*([0-9][0-9a-zµ.]*))?$`)

// ParseTimeBound reads a bound's text; the error says which forms exist.
func ParseTimeBound(s string) (TimeBound, error) {
	s = strings.TrimSpace(s)
	b := TimeBound{Text: s}
	if m := relativeBound.FindStringSubmatch(s); m != nil {
		b.relative = m[1]
		if m[2] != "" {
			d, err := parseAge(m[3])
			if err != nil {
				return b, err
			}
			if m[2] == "-" {
				d = -d
			}
			b.offset = d
		}
		return b, nil
	}
	for i, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			b.abs, b.zoned = t, i >= 5
			return b, nil
		}
	}
	return b, fmt.Errorf("%q is not a date or time bound; write a date (2024-01-31), a date and time (2024-01-31T08:00:00, with an optional zone: Z, +02:00), or now/today with an optional offset (now - 2d, today + 12h)", s)
}

// parseAge reads a duration: Go's units plus d (24 hours) and w (7 days):
// "36h", "2d", "1w2d", "90m".
func parseAge(s string) (time.Duration, error) {
	total := time.Duration(0)
	rest := s
	re := regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)([dw])`)
	for rest != "" {
		if m := re.FindStringSubmatch(rest); m != nil {
			v, _ := strconv.ParseFloat(m[1], 64)
			unit := 24 * time.Hour
			if m[2] == "w" {
				unit *= 7
			}
			total += time.Duration(v * float64(unit))
			rest = rest[len(m[0]):]
			continue
		}
		d, err := time.ParseDuration(rest)
		if err != nil {
			return 0, fmt.Errorf("%q is not a duration; write a number with a unit: w, d, h, m, s, ms, us, ns (36h, 2d, 1h30m)", s)
		}
		total += d
		break
	}
	return total, nil
}

// String returns the bound's text.
func (b TimeBound) String() string { return b.Text }

// at returns the instant the bound stands for, given the run's instant
// and the column's zone.
func (b TimeBound) at(now time.Time, loc *time.Location) time.Time {
	switch b.relative {
	case "now":
		return now.Add(b.offset)
	case "today":
		y, m, d := now.In(loc).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, loc).Add(b.offset)
	}
	if b.zoned {
		return b.abs
	}
	y, mo, d := b.abs.Date()
	return time.Date(y, mo, d, b.abs.Hour(), b.abs.Minute(), b.abs.Second(), b.abs.Nanosecond(), loc)
}

// timeColumn is how a date or timestamp column stores instants.
type timeColumn struct {
	loc  *time.Location
	unit time.Duration // one unit of the stored integer
	date bool          // days (date32) or milliseconds at midnight (date64)
	// zoned: a timestamp with a time zone (shown with its offset); naive
	// timestamps are wall clocks, read in UTC.
	zoned bool
}

// timeColumnOf describes dt; ok is false for temporal types that are not
// instants (times of day, durations).
func timeColumnOf(dt arrow.DataType) (timeColumn, bool, error) {
	switch t := dt.(type) {
	case *arrow.Date32Type:
		return timeColumn{loc: time.UTC, unit: 24 * time.Hour, date: true}, true, nil
	case *arrow.Date64Type:
		return timeColumn{loc: time.UTC, unit: time.Millisecond, date: true}, true, nil
	case *arrow.TimestampType:
		loc := time.UTC
		if t.TimeZone != "" {
			l, err := time.LoadLocation(t.TimeZone)
			if err != nil {
				return timeColumn{}, false, fmt.Errorf("time zone %q of the column: %v", t.TimeZone, err)
			}
			loc = l
		}
		return timeColumn{loc: loc, unit: t.Unit.Multiplier(), zoned: t.TimeZone != ""}, true, nil
	}
	return timeColumn{}, false, nil
}

// value returns the stored integer of instant t: for dates, its date in
// the column's zone; for naive timestamps, its wall clock in UTC.
func (tc timeColumn) value(t time.Time) int64 {
	t = t.In(tc.loc)
	if tc.date {
		y, m, d := t.Date()
		days := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
		if tc.unit == 24*time.Hour {
			return days
		}
		return days * 86400000
	}
	if tc.loc == time.UTC {
		t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	}
	// Seconds and the rest apart, so that nanoseconds do not overflow
	// before division for instants far from 1970.
	sec, nsec := t.Unix(), int64(t.Nanosecond())
	per := int64(tc.unit)
	if per >= int64(time.Second) {
		return floorDiv(sec, per/int64(time.Second))
	}
	return sec*(int64(time.Second)/per) + floorDiv(nsec, per)
}

// instant returns the instant of stored integer v (the inverse of value,
// in the column's zone).
func (tc timeColumn) instant(v int64) time.Time {
	per := int64(tc.unit)
	var t time.Time
	if per >= int64(time.Second) {
		t = time.Unix(v*(per/int64(time.Second)), 0)
	} else {
		k := int64(time.Second) / per
		t = time.Unix(floorDiv(v, k), (v-floorDiv(v, k)*k)*per)
	}
	if tc.loc == time.UTC {
		return t.UTC()
	}
	return t.In(tc.loc)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// showTime formats an instant of the column as results show it.
func (tc timeColumn) showTime(t time.Time) string {
	if tc.date {
		return t.Format("2006-01-02")
	}
	if !tc.zoned {
		return t.Format("2006-01-02T15:04:05.999999999")
	}
	return t.Format("2006-01-02T15:04:05.999999999Z07:00")
}

// hasTimeBounds reports whether c bounds times rather than numbers.
func (c *Check) hasTimeBounds() bool { return c.TimeMin != nil || c.TimeMax != nil }

// timeBoundsJSON is the expected object of a check with time bounds.
func (c *Check) timeBoundsJSON() map[string]any {
	m := map[string]any{}
	if c.TimeMin != nil {
		m["min"] = c.TimeMin.Text
	}
	if c.TimeMax != nil {
		m["max"] = c.TimeMax.Text
	}
	if c.TimeMin != nil && c.TimeMin.Strict {
		m["strict_min"] = true
	}
	if c.TimeMax != nil && c.TimeMax.Strict {
		m["strict_max"] = true
	}
	return withMostly(c, m)
}

// timeIntervalText writes the time bounds: "[2024-01-01, now]".
func (c *Check) timeIntervalText() string {
	lo, hi := "-∞", "+∞"
	lb, rb := "[", "]"
	if c.TimeMin != nil {
		lo = c.TimeMin.Text
		if c.TimeMin.Strict {
			lb = "("
		}
	} else {
		lb = "("
	}
	if c.TimeMax != nil {
		hi = c.TimeMax.Text
		if c.TimeMax.Strict {
			rb = ")"
		}
	} else {
		rb = ")"
	}
	return lb + lo + ", " + hi + rb
}

// withTimeBounds wraps a bounds decoder: a mapping whose min or max is a
// date, a time or a relative bound (not a number) is read as time bounds
// with keys; anything else goes to next.
func withTimeBounds(keys []string, next func(d *yamlx.Decoder, c *Check, n *yaml.Node, path string)) func(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) {
	return func(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) {
		// A date (YAML's !!timestamp), or a string that is a time bound or
		// starts like a relative one; other strings are numbers gone wrong,
		// which the number decoder reports.
		isTime := func(v *yaml.Node) bool {
			v = yamlx.Resolve(v)
			if v == nil || v.Kind != yaml.ScalarNode {
				return false
			}
			if v.Tag == "!!timestamp" {
				return true
			}
			if v.Tag != "!!str" {
				return false
			}
			t := strings.TrimSpace(v.Value)
			_, err := ParseTimeBound(t)
			return err == nil || strings.HasPrefix(t, "now") || strings.HasPrefix(t, "today")
		}
		if !isTime(child(n, "min")) && !isTime(child(n, "max")) {
			next(d, c, n, path)
			return
		}
		fields, ok := d.Mapping(n, path, keys)
		if !ok {
			return
		}
		c.Severity = d.SeverityIn(fields, c.Severity)
		strict := map[string]*yamlx.Field{}
		for i, g := range fields {
			switch g.Key {
			case "min", "max":
				if v := yamlx.Resolve(g.Value); v != nil && (v.Tag == "!!int" || v.Tag == "!!float") {
					d.Errorf(g.Value, g.Path, "a number beside a date or time bound; give min and max both as dates and times (or both as numbers)")
					continue
				}
				s, ok := d.Text(g.Value, g.Path)
				if !ok {
					continue
				}
				b, err := ParseTimeBound(s)
				if err != nil {
					d.Errorf(g.Value, g.Path, "%v", err)
					continue
				}
				if g.Key == "min" {
					c.TimeMin = &b
				} else {
					c.TimeMax = &b
				}
			case "strict_min", "strict_max":
				strict[g.Key] = &fields[i]
			case "mostly":
				if v, ok := d.Fraction(g.Value, g.Path); ok {
					c.Mostly = &v
				}
			}
		}
		for key, b := range map[string]*TimeBound{"strict_min": c.TimeMin, "strict_max": c.TimeMax} {
			g := strict[key]
			if g == nil {
				continue
			}
			v, ok := d.Bool(g.Value, g.Path)
			switch {
			case !ok:
			case b == nil && child(n, strings.TrimPrefix(key, "strict_")) == nil:
				d.Errorf(g.KeyN, g.Path, "%s without %s", key, strings.TrimPrefix(key, "strict_"))
			case b != nil:
				b.Strict = v
			}
		}
	}
}

// validateTimeBounds states the rules of time bounds: numbers and times
// do not mix, and two absolute bounds are in order.
func validateTimeBounds(c *Check) error {
	if !c.hasTimeBounds() {
		return nil
	}
	if c.Min != nil || c.Max != nil || c.StrictMin || c.StrictMax {
		return fmt.Errorf("give min and max both as numbers or both as dates and times (strictness in TimeBound.Strict)")
	}
	if c.TimeMin != nil && c.TimeMax != nil && c.TimeMin.relative == "" && c.TimeMax.relative == "" &&
		c.TimeMin.zoned == c.TimeMax.zoned && c.TimeMin.abs.After(c.TimeMax.abs) {
		return fmt.Errorf("min %s is after max %s: no value can pass", c.TimeMin.Text, c.TimeMax.Text)
	}
	return nil
}

// timeBounds resolves c's time bounds on column cp into stored integers,
// inclusive: lo ≤ v ≤ hi.
func (cp *colPlan) timeBounds(c *Check) (lo, hi int64, tc timeColumn, err error) {
	tc, ok, err := timeColumnOf(cp.dt)
	if err != nil {
		return 0, 0, tc, err
	}
	if !ok {
		return 0, 0, tc, fmt.Errorf("column %q is %s; date and time bounds apply to date and timestamp columns", cp.name, cp.dt)
	}
	lo, hi = math.MinInt64, math.MaxInt64
	if c.TimeMin != nil {
		t := c.TimeMin.at(cp.now, tc.loc)
		lo = tc.value(t)
		// A bound between two stored values: the first value at or after it.
		if tc.instant(lo).Before(t) {
			lo++
		}
		if c.TimeMin.Strict && !tc.instant(lo).After(t) {
			lo++
		}
	}
	if c.TimeMax != nil {
		t := c.TimeMax.at(cp.now, tc.loc)
		hi = tc.value(t)
		if c.TimeMax.Strict && !tc.instant(hi).Before(t) {
			hi--
		}
	}
	return lo, hi, tc, nil
}

// bindTimeRange plans a range with time bounds: an exact comparison of
// the stored integers.
func bindTimeRange(cp *colPlan, c *Check) error {
	lo, hi, _, err := cp.timeBounds(c)
	if err != nil {
		return err
	}
	b := &intBounds{lo: lo, hi: hi, ulo: 0, uhi: math.MaxUint64, none: lo > hi}
	cp.rowCheck = append(cp.rowCheck, &rowCheck{check: c, ints: b})
	return nil
}

// finishTimeRange concludes a range with time bounds.
func finishTimeRange(e *eval, c *Check, r *result.Check) bool {
	rs := e.rowState(c)
	iv := c.timeIntervalText()
	ok := rowWise(c, r, e.cs.Count, rs.unexpected, rs.sample, "outside "+iv, "in "+iv)
	r.Expected = c.timeBoundsJSON()
	tc, _, _ := timeColumnOf(e.cp.dt)
	if e.cs.Count > 0 {
		r.Observed = map[string]any{"unexpected_count": rs.unexpected,
			"min": tc.showTime(tc.instant(int64(e.cs.Min))), "max": tc.showTime(tc.instant(int64(e.cs.Max)))}
	}
	r.Details = map[string]any{"now": e.cp.now.Format(time.RFC3339Nano)}
	return ok
}

// finishTimeExtreme concludes min or max with time bounds: the smallest
// or largest value against the bounds.
func finishTimeExtreme(e *eval, c *Check, r *result.Check) bool {
	iv := c.timeIntervalText()
	r.Expected = c.timeBoundsJSON()
	r.ExpectedText = iv
	r.ElementCount = result.Ptr(e.cs.Count)
	r.Details = map[string]any{"now": e.cp.now.Format(time.RFC3339Nano)}
	if e.cs.Count == 0 {
		r.ObservedText = "undefined"
		r.Message = fmt.Sprintf("%s undefined (no non-null values), expected %s", c.Kind, iv)
		return false
	}
	v := e.cs.Min
	if c.Kind == Max {
		v = e.cs.Max
	}
	lo, hi, tc, _ := e.cp.timeBounds(c)
	x := int64(v)
	shown := tc.showTime(tc.instant(x))
	r.Observed = shown
	r.ObservedText = fmt.Sprintf("%s %s", c.Kind, shown)
	r.Message = fmt.Sprintf("%s %s, expected %s", c.Kind, shown, iv)
	return x >= lo && x <= hi
}

func init() {
	register(kindDef{
		kind: Freshness, example: "{max_age: 36h}", reads: classSet("a date or timestamp column", classTemporal, classNull), needs: accMinMax,
		decode: decodeFreshness,
		validate: func(c *Check) error {
			if c.MaxAge <= 0 {
				return atKey("max_age", fmt.Errorf("freshness needs a positive max_age"))
			}
			return nil
		},
		bind: func(cp *colPlan, c *Check) error {
			if cp.class == classNull {
				return nil
			}
			_, ok, err := timeColumnOf(cp.dt)
			if err == nil && !ok {
				err = fmt.Errorf("column %q is %s; freshness needs a date or timestamp column", cp.name, cp.dt)
			}
			return err
		},
		finish: finishFreshness,
		define: func(c *Check, _ *SQLDialect) Definition { return statDefinition(c, AggMax, ident(c.Column)) },
	})
}

// decodeFreshness reads {max_age: 36h, severity} or the age alone.
func decodeFreshness(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) {
	age := n
	at := path
	if r := yamlx.Resolve(n); r != nil && r.Kind == yaml.MappingNode {
		fields, ok := d.Mapping(n, path, []string{"max_age", "severity"})
		if !ok {
			return
		}
		c.Severity = d.SeverityIn(fields, c.Severity)
		age = nil
		for _, g := range fields {
			if g.Key == "max_age" {
				age, at = g.Value, g.Path
			}
		}
		if age == nil {
			d.Errorf(n, path, "needs max_age: the oldest the newest value may be (36h, 2d)")
			return
		}
	}
	s, ok := d.Text(age, at)
	if !ok {
		return
	}
	v, err := parseAge(s)
	if err != nil {
		d.Errorf(age, at, "%v", err)
		return
	}
	if v <= 0 {
		d.Errorf(age, at, "must be a positive duration, got %s", s)
		return
	}
	c.MaxAge = v
}

func finishFreshness(e *eval, c *Check, r *result.Check) bool {
	now := e.cp.now
	r.Expected = map[string]any{"max_age": c.MaxAge.String()}
	r.ExpectedText = "newest value at most " + c.MaxAge.String() + " old"
	r.Details = map[string]any{"now": now.Format(time.RFC3339Nano)}
	tc, ok, _ := timeColumnOf(e.cp.dt)
	if e.cs.Count == 0 || !ok {
		r.ObservedText = "no values"
		r.Message = "no non-null values: the column has no newest value"
		return false
	}
	newest := tc.instant(int64(e.cs.Max))
	if tc.loc == time.UTC && !tc.date {
		// A naive timestamp's wall clock, read as UTC.
		newest = newest.UTC()
	}
	age := now.Sub(newest)
	if tc.date {
		// A date is fresh through its whole day.
		age = now.Sub(newest.Add(24 * time.Hour))
		age = max(age, 0)
	}
	r.Observed = map[string]any{"newest": tc.showTime(newest), "age": age.String()}
	r.ObservedText = fmt.Sprintf("newest value %s, %s old", tc.showTime(newest), age.Round(time.Second))
	r.Message = r.ObservedText
	ok = age <= c.MaxAge
	if !ok {
		r.Message += ", more than " + c.MaxAge.String()
	}
	return ok
}

// timeBounded lets kind k (range, min, max) take date and time bounds on
// date and timestamp columns: its declaration gains the temporal class,
// the time-bound decoding, and a bind and finish for time bounds, and
// keeps its own for numbers.
func timeBounded(k Kind) {
	def := registry[k]
	keys := append([]string{"severity"}, yamlx.IntervalKeys...)
	if def.rowWise {
		keys = append(keys, "mostly")
	}
	def.decode = withTimeBounds(keys, def.decode)
	reads := def.reads
	def.reads = classes{set: reads.set | 1<<classTemporal, what: reads.what}
	validate := def.validate
	def.validate = func(c *Check) error {
		if err := validateTimeBounds(c); err != nil || c.hasTimeBounds() {
			return err
		}
		if validate != nil {
			return validate(c)
		}
		return nil
	}
	bind, finish := def.bind, def.finish
	def.bind = func(cp *colPlan, c *Check) error {
		temporal := cp.class == classTemporal
		switch {
		case temporal && !c.hasTimeBounds():
			return fmt.Errorf("column %q is %s; %s on it takes date and time bounds (min: 2024-01-01, max: now), not numbers", cp.name, cp.dt, k)
		case !temporal && c.hasTimeBounds():
			return fmt.Errorf("column %q is %s; date and time bounds apply to date and timestamp columns", cp.name, cp.dt)
		case temporal && def.rowWise:
			return bindTimeRange(cp, c)
		case temporal:
			_, _, _, err := cp.timeBounds(c)
			return err
		case bind != nil:
			return bind(cp, c)
		}
		return nil
	}
	def.finish = func(e *eval, c *Check, r *result.Check) bool {
		switch {
		case !c.hasTimeBounds():
			return finish(e, c, r)
		case def.rowWise:
			return finishTimeRange(e, c, r)
		}
		return finishTimeExtreme(e, c, r)
	}
}
