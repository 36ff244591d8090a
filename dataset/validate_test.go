package dataset

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawStrings is a utf8 (or large_utf8) array of length n at offset off
// over the given offsets and bytes, with a validity bitmap when valid is
// not nil: buffers as a file could hold them, unchecked.
func rawStrings(large bool, offs []int64, data []byte, valid []bool, off, n int) arrow.Array {
	var ob []byte
	if large {
		ob = arrow.Int64Traits.CastToBytes(offs)
	} else {
		o32 := make([]int32, len(offs))
		for i, o := range offs {
			o32[i] = int32(o)
		}
		ob = arrow.Int32Traits.CastToBytes(o32)
	}
	var bm *memory.Buffer
	nulls := 0
	if valid != nil {
		b := make([]byte, (len(valid)+7)/8)
		for i, v := range valid {
			if v {
				b[i/8] |= 1 << (i % 8)
			} else if i >= off && i < off+n {
				nulls++
			}
		}
		bm = memory.NewBufferBytes(b)
	}
	dt := arrow.DataType(arrow.BinaryTypes.String)
	if large {
		dt = arrow.BinaryTypes.LargeString
	}
	d := array.NewData(dt, n, []*memory.Buffer{bm, memory.NewBufferBytes(ob), memory.NewBufferBytes(data)}, nil, nulls, off)
	defer d.Release()
	return array.MakeFromData(d)
}

// stringsOf lays out values as offsets and bytes.
func stringsOf(values ...string) ([]int64, []byte) {
	offs := []int64{0}
	var b strings.Builder
	for _, v := range values {
		b.WriteString(v)
		offs = append(offs, int64(b.Len()))
	}
	return offs, []byte(b.String())
}

// The UTF-8 of string columns is checked over all their bytes at once; the
// verdict is arrow-go's ValidateFull's, value by value.
func TestValidateText(t *testing.T) {
	for _, large := range []bool{false, true} {
		offs, data := stringsOf("a", "é", "", "日本語", "ok")
		arr := rawStrings(large, offs, data, nil, 0, 5)
		assert.NoError(t, validateArray(arr))
		arr.Release()

		// Two halves of "é": the bytes together are valid UTF-8, each
		// value is not.
		offs, data = stringsOf("x", "\xc3", "\xa9")
		arr = rawStrings(large, offs, data, nil, 0, 3)
		err := validateArray(arr)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "string at index 1 is not valid utf8")
		arr.Release()

		// An invalid byte, in a null slot too.
		offs, data = stringsOf("ok", "ok", "\xff")
		arr = rawStrings(large, offs, data, []bool{true, true, false}, 0, 3)
		err = validateArray(arr)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "string at index 2 is not valid utf8")
		arr.Release()

		// Only the array's slice counts: a bad value before its offset
		// does not; the index counts from the buffers' start.
		offs, data = stringsOf("\xff", "a", "\xe6\x97")
		arr = rawStrings(large, offs, data, nil, 1, 1)
		assert.NoError(t, validateArray(arr))
		arr.Release()
		arr = rawStrings(large, offs, data, nil, 1, 2)
		err = validateArray(arr)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "string at index 2 is not valid utf8")
		arr.Release()

		// Offsets out of order or out of bounds never reach the UTF-8 pass.
		arr = rawStrings(large, []int64{0, 3, 1, 4}, []byte("abcd"), nil, 0, 3)
		err = validateArray(arr)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "not monotonically non-decreasing")
		arr.Release()
		arr = rawStrings(large, []int64{-1, 2, 4}, []byte("abcd"), nil, 0, 2)
		err = validateArray(arr)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "is negative")
		arr.Release()

		// A wrong null count.
		if !large {
			// Row 1 is null in the bitmap; the count says no row is.
			d := array.NewData(arrow.BinaryTypes.String, 2, []*memory.Buffer{memory.NewBufferBytes([]byte{1}), memory.NewBufferBytes(arrow.Int32Traits.CastToBytes([]int32{0, 1, 2})), memory.NewBufferBytes([]byte("ab"))}, nil, 0, 0)
			arr = array.MakeFromData(d)
			d.Release()
			err = validateArray(arr)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "null count")
			arr.Release()
		}
	}
}

// On random byte strings cut at random (many fragments of multi-byte
// characters), validateArray accepts exactly the arrays that arrow-go's
// ValidateFull accepts.
func TestValidateTextAgreesWithArrow(t *testing.T) {
	pieces := []string{"a", "é", "日", "\xc3", "\xa9", "\xe6\x97", "\xa5", "\xff", "😀", "\xf0\x9f"}
	rng := rand.New(rand.NewPCG(1, 2))
	accepted, refused := 0, 0
	for range 4000 {
		var b strings.Builder
		for range rng.IntN(6) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		data := []byte(b.String())
		n := rng.IntN(4) + 1
		offs := make([]int64, n+1)
		for i := 1; i < n; i++ {
			offs[i] = offs[i-1] + int64(rng.IntN(len(data)-int(offs[i-1])+1))
		}
		offs[n] = int64(len(data))
		for _, large := range []bool{false, true} {
			arr := rawStrings(large, offs, data, nil, 0, n)
			want := array.ValidateFull(arr) == nil
			got := validateArray(arr) == nil
			if got != want {
				t.Fatalf("%q cut at %v: validateArray accepts: %v, ValidateFull: %v", data, offs, got, want)
			}
			if got {
				accepted++
			} else {
				refused++
			}
			arr.Release()
		}
	}
	// Both verdicts occur often enough for the comparison to mean something.
	assert.Greater(t, accepted, 500)
	assert.Greater(t, refused, 500)
}
