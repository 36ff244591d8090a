package dataset

import (
	"encoding/binary"
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"sync"
	"unsafe"
)

// bytesString returns b as a string without copying; the string must not be
// used after b changes.
func bytesString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// parseInt64Bytes parses b if it is a plain decimal integer of at most 18
// digits with an optional sign, which always fits an int64; ok is false for
// anything else (spaces, more digits, ...), which the caller then parses
// with parseInt, the reference for the accepted syntax.
func parseInt64Bytes(b []byte) (x int64, ok bool) {
	i := 0
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		i = 1
	}
	if len(b) == i || len(b)-i > 18 {
		return 0, false
	}
	var u uint64
	for ; i < len(b); i++ {
		c := b[i] - '0'
		if c > 9 {
			return 0, false
		}
		u = u*10 + uint64(c)
	}
	if neg {
		return -int64(u), true
	}
	return int64(u), true
}

// float64pow10 are the powers of ten that a float64 holds exactly.
var float64pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
	1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseFloat64Bytes parses b if it is a plain decimal number: an optional
// sign, digits with an optional '.', and an optional exponent. The result is
// correctly rounded, as strconv.ParseFloat's: when the decimal mantissa and
// the power of ten are both exact in a float64, one multiplication or
// division rounds correctly; else the Eisel-Lemire algorithm, which is
// exact when it succeeds; else, or with more than 19 significant digits,
// strconv.ParseFloat. ok is false for anything else (spaces, inf, nan, out
// of range, ...), which the caller then parses with parseFloat, the
// reference for the accepted syntax. tab is pow10Table().
func parseFloat64Bytes(b []byte, tab *pow10Tab) (float64, bool) {
	i := 0
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		i = 1
	}
	// The mantissa's digits; man overflows only past 19 significant ones.
	var man uint64
	start := i
	man, i = appendDigits(man, b, i)
	digits := i - start
	exp := 0
	if i < len(b) && b[i] == '.' {
		i++
		frac := i
		man, i = appendDigits(man, b, i)
		digits += i - frac
		exp = frac - i
	}
	if digits == 0 {
		return 0, false
	}
	if i < len(b) {
		if b[i] != 'e' && b[i] != 'E' {
			return 0, false
		}
		i++
		eneg := false
		if i < len(b) && (b[i] == '-' || b[i] == '+') {
			eneg = b[i] == '-'
			i++
		}
		if i == len(b) {
			return 0, false
		}
		e := 0
		for ; i < len(b); i++ {
			c := b[i] - '0'
			if c > 9 {
				return 0, false
			}
			e = e*10 + int(c)
			if e > 100000 {
				// Far out of range, or a run of zeros: strconv decides.
				return parseFloatSlow(b)
			}
		}
		if eneg {
			e = -e
		}
		exp += e
	}
	if digits > 19 {
		// More digits than a uint64 holds, unless they start with zeros.
		zeros := 0
		for _, c := range b[start:] {
			if c == '0' {
				zeros++
			} else if c != '.' {
				break
			}
		}
		if digits-zeros > 19 {
			return parseFloatSlow(b)
		}
	}
	if man == 0 {
		if neg {
			return math.Copysign(0, -1), true
		}
		return 0, true
	}
	if man <= 1<<53 && exp >= -22 && exp <= 22 {
		f := float64(man)
		if exp < 0 {
			f /= float64pow10[-exp]
		} else {
			f *= float64pow10[exp]
		}
		if neg {
			f = -f
		}
		return f, true
	}
	if f, ok := eiselLemire64(tab, man, exp, neg); ok {
		return f, true
	}
	return parseFloatSlow(b)
}

// appendDigits appends to man the run of decimal digits of b from i on and
// returns man and the end of the run; man wraps past 19 digits. Runs of 8
// digits are tested and parsed as one word.
func appendDigits(man uint64, b []byte, i int) (uint64, int) {
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		// A byte is a digit iff its high nibble is 3 and, plus 6, still 3.
		if w&0xF0F0F0F0F0F0F0F0|(w+0x0606060606060606)&0xF0F0F0F0F0F0F0F0>>4 != 0x3333333333333333 {
			break
		}
		man = man*100000000 + parseEightDigits(w)
	}
	for ; i < len(b); i++ {
		c := b[i] - '0'
		if c > 9 {
			break
		}
		man = man*10 + uint64(c)
	}
	return man, i
}

// parseEightDigits returns the value of the 8 ASCII digits in w, loaded
// little-endian (the first digit in the low byte), with three
// multiplications instead of eight dependent ones, as fast_float does.
func parseEightDigits(w uint64) uint64 {
	const mask = 0x000000FF000000FF
	const mul1 = 100 + 1000000<<32
	const mul2 = 1 + 10000<<32
	w -= 0x3030303030303030
	w = w*10 + w>>8
	return ((w&mask)*mul1 + (w>>16&mask)*mul2) >> 32
}

// parseFloatSlow parses b, which has the syntax parseFloat64Bytes accepts,
// with strconv.
func parseFloatSlow(b []byte) (float64, bool) {
	f, err := strconv.ParseFloat(bytesString(b), 64)
	return f, err == nil
}

// Powers of ten for eiselLemire64.
const (
	pow10Min = -348
	pow10Max = 347
)

// pow10Tab is the type of pow10Table.
type pow10Tab [pow10Max - pow10Min + 1][2]uint64

// pow10Table holds, for 10^e with pow10Min <= e <= pow10Max, the 128 bits
// (high, low) of 10^e * 2^k rounded down, with k such that the top bit is
// set; the same table as strconv's, computed on first use.
var pow10Table = sync.OnceValue(func() *pow10Tab {
	var t pow10Tab
	ten := big.NewInt(10)
	mask := new(big.Int).SetUint64(math.MaxUint64)
	for e := pow10Min; e <= pow10Max; e++ {
		p := new(big.Int).Exp(ten, big.NewInt(int64(max(e, -e))), nil)
		n := p.BitLen()
		var d *big.Int
		switch {
		case e < 0:
			// 2^(127+n) / 10^-e lies in (2^127, 2^128).
			d = new(big.Int).Lsh(big.NewInt(1), uint(127+n))
			d.Quo(d, p)
		case n > 128:
			d = p.Rsh(p, uint(n-128))
		default:
			d = p.Lsh(p, uint(128-n))
		}
		t[e-pow10Min] = [2]uint64{new(big.Int).Rsh(d, 64).Uint64(), new(big.Int).And(d, mask).Uint64()}
	}
	return &t
})

// eiselLemire64 returns man * 10^exp10 correctly rounded, or ok false when
// the algorithm cannot decide (then strconv's slow path must), following
// strconv's implementation of the Eisel-Lemire algorithm
// (https://nigeltao.github.io/blog/2020/eisel-lemire.html). man is not 0;
// tab is pow10Table().
func eiselLemire64(tab *pow10Tab, man uint64, exp10 int, neg bool) (float64, bool) {
	if exp10 < pow10Min || exp10 > pow10Max {
		return 0, false
	}
	pow := &tab[exp10-pow10Min]
	clz := bits.LeadingZeros64(man)
	man <<= uint(clz)
	retExp2 := uint64(217706*exp10>>16+64+1023) - uint64(clz)
	xHi, xLo := bits.Mul64(man, pow[0])
	if xHi&0x1FF == 0x1FF && xLo+man < man {
		yHi, yLo := bits.Mul64(man, pow[1])
		mergedHi, mergedLo := xHi, xLo+yHi
		if mergedLo < xLo {
			mergedHi++
		}
		if mergedHi&0x1FF == 0x1FF && mergedLo+1 == 0 && yLo+man < man {
			return 0, false
		}
		xHi, xLo = mergedHi, mergedLo
	}
	msb := xHi >> 63
	retMantissa := xHi >> (msb + 9)
	retExp2 -= 1 ^ msb
	if xLo == 0 && xHi&0x1FF == 0 && retMantissa&3 == 1 {
		return 0, false
	}
	retMantissa += retMantissa & 1
	retMantissa >>= 1
	if retMantissa>>53 > 0 {
		retMantissa >>= 1
		retExp2++
	}
	if retExp2-1 >= 0x7FF-1 {
		return 0, false
	}
	retBits := retExp2<<52 | retMantissa&(1<<52-1)
	if neg {
		retBits |= 1 << 63
	}
	return math.Float64frombits(retBits), true
}
