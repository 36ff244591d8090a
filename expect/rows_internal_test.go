package expect

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
)

// TestKeyTableTellsCollisionsApart: rows whose keys hash alike but differ
// are not repeats; only equal keys are. The hashes are forced to collide.
func TestKeyTableTellsCollisionsApart(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	b := array.NewInt64Builder(mem)
	defer b.Release()
	b.AppendValues([]int64{1, 2, 3, 2, 4}, nil) // rows 1 and 3 repeat
	a := b.NewArray()
	defer a.Release()
	rp := &rowsPlan{check: &Check{Kind: UniqueKey}, names: []string{"k"}, dts: []arrow.DataType{arrow.PrimitiveTypes.Int64}}
	kt := newKeyTable()
	kt.update(rp, []keyCol{keyColOf(a)}, a.Len(), 10, -1, nil)
	for i := range kt.chunks[0].hashes {
		kt.chunks[0].hashes[i] = 7
	}
	n, sample := kt.repeated(rp, true, -1)
	assert.Equal(t, int64(2), n)
	if assert.Len(t, sample, 2) {
		assert.Equal(t, int64(11), sample[0].Row)
		assert.Equal(t, int64(13), sample[1].Row)
		assert.Equal(t, map[string]any{"k": int64(2)}, sample[0].Value)
	}
	n, sample = kt.repeated(rp, false, -1)
	assert.Equal(t, int64(1), n)
	assert.Equal(t, int64(13), sample[0].Row)
}
