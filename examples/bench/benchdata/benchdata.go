// Package benchdata generates the benchmark's synthetic table: eight
// columns of a skewed, partly null, partly out-of-range population, the
// same rows for the same seed on every machine, so that figures measured
// anywhere compare with the reference values in examples/bench/README.md.
//
// Columns, for N rows:
//
//	id      int64    0..N-1, unique
//	age     int64    uniform on 0..100; 0.1% of rows are -1 or 150
//	income  float64  lognormal (μ 10, σ 0.5); 1% null
//	score   float64  normal (100, 15); 0.5% null
//	region  utf8     north 30%, south 20%, east 15%, west 12%, central 10%,
//	                 coast 7%, mountain 4%, island 2%
//	label   int64    1 with probability 0.1, else 0
//	x       float64  uniform on [0, 100)
//	y       float64  3.2x + 5 + normal (0, 4)
//
// Rows come from one math/rand/v2 PCG stream seeded with (seed,
// 0x74727573746d6c), and every row draws the same numbers in the same
// order whether or not a value is null: row i depends only on the seed and
// i, whatever the batch size. The stream is sequential, so rows are made in
// order, one batch at a time, in memory bounded by the batch.
package benchdata

import (
	"math"
	"math/rand/v2"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Regions are the region column's values, most frequent first.
var Regions = []string{"north", "south", "east", "west", "central", "coast", "mountain", "island"}

// regionPercent is each region's probability in percent; regionEdge their
// running sums as fractions (each percent divided by 100, then added, in
// this order: the edges are part of the data's definition), the last
// forced to 1 so that every draw lands in a region.
var (
	regionPercent = []float64{30, 20, 15, 12, 10, 7, 4, 2}
	regionEdge    = func() []float64 {
		edges := make([]float64, len(regionPercent))
		sum := 0.0
		for i, p := range regionPercent {
			sum += p / 100
			edges[i] = sum
		}
		edges[len(edges)-1] = 1
		return edges
	}()
)

// Schema is the table's Arrow schema: id is never null, the others may be.
var Schema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "age", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "income", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "score", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "region", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "label", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "y", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
}, nil)

// Row is one generated row. IncomeValid and ScoreValid report whether
// income and score are present; their values are drawn either way.
type Row struct {
	ID, Age                 int64
	Income, Score           float64
	IncomeValid, ScoreValid bool
	Region                  int // index into Regions
	Label                   int64
	X, Y                    float64
}

// Generator makes rows in order from a seed. It is not safe for
// concurrent use.
type Generator struct {
	r    *rand.Rand
	next int64
}

// NewGenerator returns a generator whose first row is row 0 of the table
// for seed.
func NewGenerator(seed uint64) *Generator {
	return &Generator{r: rand.New(rand.NewPCG(seed, 0x74727573746d6c))}
}

// Next fills row with the next row. The draws, in order: the out-of-range
// coin and the age, the side of an out-of-range age (drawn for every row),
// income's null coin and normal, score's null coin and normal, region,
// label, x, and y's noise.
func (g *Generator) Next(row *Row) {
	r := g.r
	row.ID = g.next
	g.next++

	outOfRange := r.Float64() < 0.001
	row.Age = int64(r.IntN(101))
	high := r.IntN(2) == 1
	if outOfRange {
		row.Age = -1
		if high {
			row.Age = 150
		}
	}
	row.IncomeValid = r.Float64() >= 0.01
	row.Income = math.Exp(10 + 0.5*r.NormFloat64())
	row.ScoreValid = r.Float64() >= 0.005
	row.Score = 100 + 15*r.NormFloat64()
	u := r.Float64()
	row.Region = 0
	for row.Region < len(regionEdge)-1 && u >= regionEdge[row.Region] {
		row.Region++
	}
	row.Label = 0
	if r.Float64() < 0.1 {
		row.Label = 1
	}
	row.X = 100 * r.Float64()
	row.Y = 3.2*row.X + 5 + 4*r.NormFloat64()
}

// Reader is an array.RecordReader over the first Rows rows of the table
// for a seed, in batches of at most Batch rows. Its batches are released
// by the next call to Next and by Release, as array.RecordReader's
// contract says.
type Reader struct {
	gen   *Generator
	left  int64
	batch int64
	bld   *array.RecordBuilder
	rec   arrow.RecordBatch
	refs  int64
}

// NewReader returns a Reader over rows rows for seed in batches of batch
// rows (batch ≤ 0 means 1,000,000), allocating from mem (nil means Go's
// allocator).
func NewReader(rows int64, seed uint64, batch int64, mem memory.Allocator) *Reader {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	if batch <= 0 {
		batch = 1_000_000
	}
	return &Reader{gen: NewGenerator(seed), left: max(rows, 0), batch: batch,
		bld: array.NewRecordBuilder(mem, Schema), refs: 1}
}

// Schema returns Schema.
func (r *Reader) Schema() *arrow.Schema { return Schema }

// Next makes the next batch; it reports false when every row was made.
func (r *Reader) Next() bool {
	if r.rec != nil {
		r.rec.Release()
		r.rec = nil
	}
	if r.left == 0 {
		return false
	}
	n := min(r.batch, r.left)
	r.left -= n
	r.rec = r.fill(int(n))
	return true
}

func (r *Reader) fill(n int) arrow.RecordBatch {
	b := r.bld
	id := b.Field(0).(*array.Int64Builder)
	age := b.Field(1).(*array.Int64Builder)
	income := b.Field(2).(*array.Float64Builder)
	score := b.Field(3).(*array.Float64Builder)
	region := b.Field(4).(*array.StringBuilder)
	label := b.Field(5).(*array.Int64Builder)
	x := b.Field(6).(*array.Float64Builder)
	y := b.Field(7).(*array.Float64Builder)
	for _, f := range b.Fields() {
		f.Reserve(n)
	}
	region.ReserveData(n * 6)
	var row Row
	for range n {
		r.gen.Next(&row)
		id.UnsafeAppend(row.ID)
		age.UnsafeAppend(row.Age)
		if row.IncomeValid {
			income.UnsafeAppend(row.Income)
		} else {
			income.UnsafeAppendBoolToBitmap(false)
		}
		if row.ScoreValid {
			score.UnsafeAppend(row.Score)
		} else {
			score.UnsafeAppendBoolToBitmap(false)
		}
		region.Append(Regions[row.Region])
		label.UnsafeAppend(row.Label)
		x.UnsafeAppend(row.X)
		y.UnsafeAppend(row.Y)
	}
	return b.NewRecordBatch()
}

// RecordBatch returns the current batch, valid until the next call to
// Next or Release.
func (r *Reader) RecordBatch() arrow.RecordBatch { return r.rec }

// Record returns the current batch (array.RecordReader's older name).
//
// Deprecated: use RecordBatch.
func (r *Reader) Record() arrow.RecordBatch { return r.rec }

// Err returns nil: generating rows cannot fail.
func (r *Reader) Err() error { return nil }

// Retain adds a reference to the reader.
func (r *Reader) Retain() { r.refs++ }

// Release drops a reference; the last one frees the current batch and
// the builder.
func (r *Reader) Release() {
	r.refs--
	if r.refs > 0 {
		return
	}
	if r.rec != nil {
		r.rec.Release()
		r.rec = nil
	}
	r.bld.Release()
}
