package dataset

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"io"
)

// DefaultNullValues are the CSV and TSV fields read as null when
// Options.NullValues is nil. A field matches a token only if it equals it
// exactly, case included.
var DefaultNullValues = []string{"", "NA", "NaN", "null"}

// HeaderMode says whether the first record of a CSV or TSV file names the
// columns.
type HeaderMode int

const (
	// HeaderAuto detects a header from the sampled records (see the package
	// documentation).
	HeaderAuto HeaderMode = iota
	// HeaderPresent treats the first record as the header.
	HeaderPresent
	// HeaderAbsent treats the first record as data.
	HeaderAbsent
)

// String returns "auto", "present" or "absent".
func (m HeaderMode) String() string {
	switch m {
	case HeaderAuto:
		return "auto"
	case HeaderPresent:
		return "present"
	case HeaderAbsent:
		return "absent"
	}
	return "HeaderMode(?)"
}

// Default sizes used when the corresponding Options field is zero.
const (
	// DefaultBatchSize is the most rows in one batch.
	DefaultBatchSize = 65536
	// DefaultInferRows is how many data rows of a text file are sampled.
	DefaultInferRows = 10000
)

// Options configures Open. The zero value reads every column of a file whose
// format is given by its extension, with types inferred from the first
// DefaultInferRows rows, in batches of DefaultBatchSize rows.
type Options struct {
	// Format overrides the format; "" means FormatFromPath. The value goes
	// through ParseFormat, so aliases such as "feather" are accepted.
	Format Format

	// Columns projects the file onto these columns, in this order; nil
	// or empty means every column in file order. A name the file lacks
	// makes Open fail with a *MissingColumnsError; a name listed twice is
	// an error.
	Columns []string

	// Types overrides the inferred type of the named columns of CSV, TSV and
	// JSON Lines files. Supported: bool, signed and unsigned integers,
	// float32, float64, utf8, large_utf8, date32 and timestamps of any unit
	// and time zone. A name the file lacks makes Open fail with a
	// *MissingColumnsError. Binary formats ignore Types.
	Types map[string]arrow.DataType

	// NullValues are the CSV and TSV fields read as null, matched exactly
	// against the whole field; nil means DefaultNullValues, an empty non-nil
	// slice means no field is null. JSON Lines uses JSON null and absent
	// keys only.
	NullValues []string

	// Header says whether the first record of a CSV or TSV file is a header.
	Header HeaderMode

	// Names names the columns of a CSV or TSV file, replacing the header's
	// names if there is a header; it must have one name per field. Without
	// a header and without Names, columns are named column0, column1, ...
	Names []string

	// Delimiter separates fields; 0 means ',' for CSV and '\t' for TSV.
	Delimiter rune

	// BatchSize is the most rows in one batch; 0 means DefaultBatchSize.
	BatchSize int

	// InferRows is how many rows of a text file are sampled to detect the
	// header and infer types; 0 means DefaultInferRows.
	InferRows int

	// Allocator allocates the batches; nil means memory.DefaultAllocator,
	// except for CSV, TSV and Parquet files, which Open then decodes into
	// buffers of a PoolAllocator of its own, reused batch after batch
	// (and, for Parquet, column chunk after column chunk).
	Allocator memory.Allocator

	// Schema says how a set of files whose schemas differ is read:
	// SchemaUnify (the zero value) or SchemaStrict. One file ignores it.
	Schema SchemaMode

	// Workers is the most files of a set open at once, decoded in
	// parallel; 0 means runtime.GOMAXPROCS(0).
	Workers int

	// Partitions, when set, is called once per Hive partition directory
	// of a set with its typed values (see PartitionValues) and reports
	// whether to read the files below it; the others are never opened,
	// and Fingerprint.Pruned counts them.
	Partitions func(PartitionValues) bool

	// Fingerprint is the hash algorithm of the Fingerprint: DefaultHash
	// (XXH3) when "", or SHA256. Another name makes Open fail.
	Fingerprint HashAlgorithm

	// sequential decodes CSV and TSV with encoding/csv on one goroutine,
	// the reference the parallel decoder is tested against.
	sequential bool
	// schemaOnly opens a file for its schema only: random-access formats
	// are not hashed (a file set reads each file's schema before the pass).
	schemaOnly bool
	// chunkBytes overrides defaultChunkBytes, so that tests cut small
	// inputs into many chunks.
	chunkBytes int
	// reopen, when set, opens the file again from its start, as the
	// decoder reads it (decompressed), for a second pass; Open sets it for
	// regular files.
	reopen func() (io.Reader, io.Closer, error)
	// defaultAllocator: Allocator was nil.
	defaultAllocator bool
	// noMap reads Arrow IPC files with copies instead of a memory map.
	noMap bool
	// fileSize is the size of a regular file, 0 for a pipe: no IPC message
	// can be larger, whatever a corrupt length field says.
	fileSize int64
}

func (o Options) withDefaults() Options {
	if len(o.Columns) == 0 {
		o.Columns = nil
	}
	if o.NullValues == nil {
		o.NullValues = DefaultNullValues
	}
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.InferRows <= 0 {
		o.InferRows = DefaultInferRows
	}
	if o.Allocator == nil {
		o.Allocator = memory.DefaultAllocator
		o.defaultAllocator = true
	}
	return o
}
