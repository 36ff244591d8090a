// Package dataset reads tables as streams of Arrow record batches.
//
// A Source is a table: Scan starts one pass over the columns named, with the
// table's schema, progress and a Fingerprint of what was read. Source kinds
// register by name with Register, as database/sql drivers do, and
// OpenSource opens one; the core never knows the list. This package
// registers FileKind (one file, a glob or a directory); FromTable and
// FromRecordReader make Sources of Arrow data built in Go.
//
// Open reads a file as an array.RecordReader over the columns a caller
// names, BatchSize rows at a time, so memory is bounded by the batch size
// (and, for text formats, by the rows sampled for inference), never by the
// file.
//
// # Formats
//
// The format comes from Options.Format or the file extension (see
// FormatFromPath):
//
//   - CSV (.csv) and TSV (.tsv, .tab, .txt) follow encoding/csv's rules
//     (RFC 4180 quoting, "" for a quote, newlines in quoted fields, "\r\n"
//     read as "\n"); TSV accepts stray quotes (LazyQuotes). A UTF-8 byte
//     order mark is skipped. Blank lines are skipped, as encoding/csv does.
//     The rows are decoded in parallel (see below).
//   - JSON Lines (.jsonl, .ndjson) holds one object of scalar values per
//     line; blank lines are skipped. Nested objects and arrays are an error.
//   - Parquet (.parquet, .pq) is read with pqarrow; only the column chunks
//     of the projected columns are read.
//   - Arrow IPC file (.arrow, .feather, .ipc) and stream (.arrows) formats.
//     A file with an IPC file extension that lacks the file format's magic
//     bytes is read as an IPC stream, and Reader.Format says so. Batches
//     longer than BatchSize are sliced, without copying.
//
// # Arrow IPC files without copies
//
// An Arrow IPC file (the file format, in a regular file) is memory-mapped
// on Linux, macOS and the BSDs, and the arrays of its batches point into
// the mapping: no buffer is copied, except those that are compressed (LZ4
// or ZSTD), which decompress into Options.Allocator. Every message is
// checked before arrow-go decodes it and every batch is validated (see
// Corrupt binary files), as when copying. The file is unmapped when the
// Reader is closed and the last batch read from it is released; pages
// read are dropped from the process's resident set as their batches are
// released (they stay in the page cache). A string a batch returns
// (array.String's Value, ValueStr) is a view of the batch's bytes and is
// valid only until the batch is released: copy what is kept
// (strings.Clone). IPC streams, pipes, files whose byte order is not the
// machine's and systems without mmap are read with copies, into
// Options.Allocator. A file truncated by another process while it is
// mapped makes reading its lost pages fail with SIGBUS, which ends the
// process.
//
// # Parallel CSV and TSV decoding
//
// The sample (see Type inference) is read with encoding/csv. The rows are
// then decoded, from the first data row on, by one goroutine per core
// (runtime.GOMAXPROCS): a producer reads the file, hashing it for the
// fingerprint in the same read, and cuts it into chunks of whole records,
// each a few MB and ending at a batch boundary; workers split the records
// into fields and convert only the projected columns straight from the
// bytes into Arrow arrays (float64 and int64 values written in place, with
// validity bitmaps written a word at a time; other types through Arrow
// builders); Next returns the batches in file order. The
// batches, values and errors are those of encoding/csv on one goroutine,
// which the tests check on generated and fuzzed inputs.
//
// Quotes: chunk boundaries must not fall inside a quoted field, so the
// producer counts records itself. Runs of lines without a quote are counted
// in bulk (one record per non-blank line); a record with a quote is parsed
// by the producer with the same state machine the workers use, so quoted
// newlines, "" escapes and TSV's stray quotes are handled exactly, and a
// malformed quote ends the chunk and is reported by its worker with
// encoding/csv's message. Files with many quoted fields are therefore
// scanned twice, once by the producer; files without quotes once.
//
// Memory: at most about 3 chunks per worker are in flight (being decoded,
// or decoded and waiting to be returned in order), whatever the file's
// size, except that a record longer than a chunk, such as a quoted field
// left open until the end of the file, is held whole, as encoding/csv
// holds it. A batch longer than 8 chunks is decoded in pieces that are
// concatenated. Each error's line number is the chunk's first line, from
// the newlines of the chunks before it (quoted ones included), plus the
// lines within the chunk. A delimiter of more than one byte is decoded
// with encoding/csv on one goroutine.
//
// # Type inference
//
// For CSV and TSV, each column's type is inferred from its non-null values
// in the first InferRows data rows: bool (true or false, in any case),
// int64, float64 (decimal numbers with an optional exponent, and inf,
// infinity and nan in any case), date32 (YYYY-MM-DD), timestamp[us, tz=UTC]
// (RFC 3339), else utf8, in that order of preference. Surrounding spaces
// are ignored when parsing non-string values and kept in strings. A column
// whose sampled values are all null has the null type (so that its checks
// report statistics as undefined, not a type mismatch); a later non-null
// value in it is a *ParseError that suggests a type. A column inferred as
// utf8 although some sampled values are numbers carries, in its field
// metadata under HintKey, where the first value that is not a number is
// and the types setting that reads the column as numbers. Options.Types
// overrides the inference per column.
//
// For JSON Lines, the columns are the keys in order of first appearance in
// the first InferRows objects. Numbers become int64, or float64 if some
// sampled number is not an integer; booleans bool; strings utf8, or date32
// or timestamp[us, tz=UTC] when every sampled string is one; a key with
// values of several kinds becomes utf8 holding each value's
// text; a key with only nulls has the null type. A key absent from an
// object is null. A key first seen after the sample is an error, unless it
// is not projected (it is then ignored) or it is one of Options.Columns or
// Options.Types (see Late keys). Values are converted from their text, so a string
// "12" fits an int64 column set with Types.
//
// A later value that does not fit its column's type stops the reading with
// a *ParseError that names the line, the field number (CSV and TSV), the
// column, and the type to set with Types to accept the value. Only the
// projected columns are converted, so a value in a column that is not read
// is never checked against its type; every row's field count is.
//
// # Null values
//
// A CSV or TSV field is null when it equals one of Options.NullValues
// exactly, case included (DefaultNullValues when nil: "", "NA", "NaN",
// "null"). Null values never influence inference. In JSON Lines only JSON
// null and absent keys are null.
//
// # Header detection
//
// With HeaderAuto, a CSV or TSV file's first record is a header when:
//
//   - it is not all numbers, and
//   - some column whose type inferred from the following rows is not utf8
//     has a first-row value that does not fit that type; or every first-row
//     field is a distinct, non-null word (not a number, bool, date or
//     timestamp) and some column is numeric, or every column is utf8.
//
// So a file whose columns are all text and whose first row holds distinct
// non-empty values is taken to have a header; set HeaderAbsent for such
// data. A one-record file has a header if the record is all distinct words.
// Header names are used as they are; an empty one is replaced with the
// default name column<i> (as pandas writes for its index), and a duplicate
// name is a *ParseError; Options.Names renames the columns either way.
//
// # Fingerprint
//
// Reader.Fingerprint returns a hash of the whole file's bytes (XXH3-128 by
// default, SHA-256 when Options.Fingerprint says so; Fingerprint.Algorithm
// names it), its size, the number of rows read and the file schema as text,
// for recording what a run read. Streaming formats hash the bytes as they are decoded;
// Parquet and Arrow IPC files are hashed concurrently by a goroutine.
// For CSV and TSV the producer goroutine that cuts the file into chunks
// hashes each block as it reads it.
//
// # Many files as one table
//
// OpenSource(ctx, FileKind, location, opts) reads location as one table:
// a single file (the Scan is the *Reader of Open); a glob (filepath.Glob's
// syntax), whose matching directories are walked and whose files of unknown
// extensions are left out; or a directory, walked recursively, keeping the
// files of known extensions (every file when Options.Format is set),
// skipping names that start with "." or "_", following symbolic links and
// refusing a link that leads back into a directory being walked. Files are
// read in sorted path order. A glob matching nothing and a directory
// without data files are errors.
//
// Hive partitions: each key=value segment of a file's directory, relative
// to the directory (or the glob's fixed prefix), is a column after the
// files' own, typed int64 if every value is a decimal integer, date32 if
// every value is a YYYY-MM-DD date, else utf8, unless Options.Types names
// the key. A value that does not parse is a *PartitionError naming the
// directory. Every file must have the same keys in the same order.
// Options.Partitions may skip partition directories; their files are
// never opened.
//
// OpenSource opens every file first, at most Options.Workers at once, for
// its schema (the footer of a binary file, the header and sample of a text
// file), and reconciles them by Options.Schema: SchemaUnify or
// SchemaStrict. An empty file contributes no columns and no rows. A text
// file is then decoded with the unified types; a binary file's integer
// and float columns are widened as they are read; a column a file lacks is
// null in its rows.
//
// The Scan decodes up to Options.Workers files at once, each holding one
// descriptor from before it is opened until after it is closed, and returns
// their batches in file order; a few batches per file wait in memory. A
// file removed, emptied or resized after OpenSource listed it stops the
// Scan with an error naming it. The Scan is a RowLocator, mapping each row
// to its file and its row there. Its Fingerprint lists every file read
// (path relative to the root, size, SHA-256, rows) and hashes that list.
//
// # Errors
//
// Errors name the file. Text decoding errors are *ParseError, positioned as
// "data.csv:12:3: column \"age\": ...". Columns named in Options that the
// file lacks give a *MissingColumnsError listing the columns that exist. An
// empty file, a text file with a header only, and a binary file with no
// rows give errors wrapping ErrEmpty. Two columns of one name are an error
// in every format.
//
// # Corrupt binary files
//
// Every Arrow batch read from an Arrow IPC file or stream is validated with
// array.ValidateFull (offsets in bounds and ordered, lengths, null counts,
// dictionary indices) before it is returned, so the kernels that read it
// can trust it. Parquet columns, which arrow-go's builders assemble from
// decoded values rather than read as buffers, get array.Validate's O(1)
// checks (buffer sizes against lengths) and a check of their length. Panics of arrow-go's decoders are recovered into errors
// that name the file and the batch (IPC) or the row group and rows
// (Parquet): Parquet columns are decoded in parallel on goroutines of this
// package, under recover. An IPC message read from a regular file may not
// be larger than the file, so a corrupt length allocates nothing larger.
//
// # Signatures, compression, pipes
//
// The first bytes of a file are checked against the signatures of Parquet,
// Arrow IPC, gzip, zstd, bzip2, xz, ZIP and Excel files: content that is
// not the format asked for is an error naming what it is. gzip under a
// text format is decompressed. Text whose first 64 KiB hold a CR and no LF
// has CR line endings, read as LF. Pipes, FIFOs and devices are read by
// the streaming formats (CSV, TSV, JSON Lines, Arrow IPC stream); Parquet
// and Arrow IPC files need a regular file.
//
// # Late keys
//
// A JSON Lines key that Options.Columns or Options.Types names but that is
// not in the sample is looked for by reading and decoding the whole file a
// second time, from a regular file; its type is inferred from its first
// InferRows values. From a pipe, a key named in Options.Types joins the
// columns with that type, and a key named only in Options.Columns is a
// *MissingColumnsError that says why.
package dataset
