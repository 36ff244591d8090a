package expect

import (
	"math"
	"math/big"
)

// Integer columns compare exactly: a value beyond ±2^53 is not rounded to
// a float64 before it meets a bound or a set, so 9007199254740993 is
// outside [0, 9007199254740992] and not in {9007199254740992}, at the
// int64 and uint64 extremes too.

// intBounds are a range's bounds on an integer column as integers: a
// value v passes when lo ≤ v ≤ hi (signed columns) or ulo ≤ v ≤ uhi
// (unsigned columns); none and unone: no value passes.
type intBounds struct {
	lo, hi   int64
	ulo, uhi uint64
	none     bool
	unone    bool
}

var (
	bigMinInt64  = big.NewInt(math.MinInt64)
	bigMaxInt64  = big.NewInt(math.MaxInt64)
	bigMaxUint64 = new(big.Int).SetUint64(math.MaxUint64)
)

// intRange returns the integer bounds of c's interval: the exact integer
// literals of a suite file when it has them, else the float64 bounds as
// the numbers they are.
func intRange(c *Check) *intBounds {
	b := &intBounds{lo: math.MinInt64, hi: math.MaxInt64, ulo: 0, uhi: math.MaxUint64}
	if n, bounded, none := edge(c.Min, c.exactMin, c.StrictMin, true); none {
		b.none, b.unone = true, true
	} else if bounded {
		switch {
		case n.Cmp(bigMaxInt64) > 0:
			b.none = true
		case n.Cmp(bigMinInt64) > 0:
			b.lo = n.Int64()
		}
		switch {
		case n.Cmp(bigMaxUint64) > 0:
			b.unone = true
		case n.Sign() > 0:
			b.ulo = n.Uint64()
		}
	}
	if n, bounded, none := edge(c.Max, c.exactMax, c.StrictMax, false); none {
		b.none, b.unone = true, true
	} else if bounded {
		switch {
		case n.Cmp(bigMinInt64) < 0:
			b.none = true
		case n.Cmp(bigMaxInt64) < 0:
			b.hi = n.Int64()
		}
		switch {
		case n.Sign() < 0:
			b.unone = true
		case n.Cmp(bigMaxUint64) < 0:
			b.uhi = n.Uint64()
		}
	}
	b.none = b.none || b.lo > b.hi
	b.unone = b.unone || b.ulo > b.uhi
	return b
}

// edge returns the first integer a lower bound admits (up) or the last an
// upper bound admits; bounded is false for an absent or infinite end that
// bounds nothing, none is true for an end no number passes (-Inf as an
// upper bound, NaN).
func edge(f *float64, exact *big.Int, strict, up bool) (n *big.Int, bounded, none bool) {
	if f == nil {
		return nil, false, false
	}
	integral := true
	if exact != nil {
		n = new(big.Int).Set(exact)
	} else {
		v := *f
		switch {
		case math.IsNaN(v):
			return nil, false, true
		case math.IsInf(v, 0):
			if (v < 0) == up {
				return nil, false, false
			}
			return nil, false, true
		}
		r := math.Floor(v)
		if up {
			r = math.Ceil(v)
		}
		n, _ = big.NewFloat(r).Int(nil)
		integral = r == v
	}
	if strict && integral {
		if up {
			n.Add(n, big.NewInt(1))
		} else {
			n.Sub(n, big.NewInt(1))
		}
	}
	return n, true, false
}

// signed reports whether T is a signed integer type.
func signed[T integer]() bool {
	var z T
	return z-1 < 0
}

// intMembers returns the members of vals an integer column can hold,
// exactly: as int64 for signed columns and as uint64 for unsigned ones.
func intMembers(vals []Value) (ints map[int64]struct{}, uints map[uint64]struct{}) {
	ints, uints = map[int64]struct{}{}, map[uint64]struct{}{}
	for _, v := range vals {
		switch {
		case !v.IsNum || v.huge:
		case v.exact && v.neg:
			if v.mag <= 1<<63 {
				ints[-int64(v.mag)] = struct{}{} // -2^63 wraps to itself
			}
		case v.exact:
			uints[v.mag] = struct{}{}
			if v.mag <= math.MaxInt64 {
				ints[int64(v.mag)] = struct{}{}
			}
		case v.Num == math.Trunc(v.Num):
			// |Num| ≤ 2^53 here: the float is the integer.
			ints[int64(v.Num)] = struct{}{}
			if v.Num >= 0 {
				uints[uint64(v.Num)] = struct{}{}
			}
		}
	}
	return ints, uints
}

// floatMember reports whether a float column can hold v: an integer
// beyond 2^53 only when its nearest float64 is that integer.
func floatMember(v Value) bool {
	if !v.exact && !v.huge {
		return true
	}
	m, ok := new(big.Int).SetString(v.Text, 10)
	if !ok {
		return false
	}
	i, _ := big.NewFloat(v.Num).Int(nil)
	return i.Cmp(m) == 0
}
