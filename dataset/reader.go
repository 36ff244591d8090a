package dataset

import (
	"context"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Fingerprint identifies the data a Scan read, for reproducibility.
//
// Algorithm names the hash (Options.Fingerprint; XXH3 by default). For
// one file, Hash is the hash of the file's bytes. For a set of files (a
// glob or a directory), Path is the location as given, Bytes the sum of
// the files' sizes, Files lists each file read, and Hash is the hash of
// the list (each file's path relative to the set's root, size and hash),
// so adding, removing, renaming or changing a file changes it. For Arrow
// data built in Go, Kind is "table" and Hash covers the content (see
// FromTable). Compare tells whether two fingerprints can be compared
// (same algorithm) and are equal.
type Fingerprint struct {
	Kind   string `json:"kind,omitempty"` // "" for files, "table" for Arrow data from Go
	Path   string `json:"path"`           // as given to Open or OpenSource
	Format Format `json:"format"`         // the format the data was decoded as; "" if mixed or not a file
	Bytes  int64  `json:"bytes"`          // size of the file, or of all the files
	// Algorithm is the hash's algorithm; "" only in a fingerprint read
	// from a result written before it was recorded (then SHA-256).
	Algorithm HashAlgorithm `json:"algorithm"`
	Hash      string        `json:"hash"`    // lower-case hex (see above)
	Rows      int64         `json:"rows"`    // rows read
	Columns   int           `json:"columns"` // columns in the table, projected or not
	Schema    string        `json:"schema"`  // the table schema as "name:type, name:type"

	// Files lists the files of a set, in the order read; nil for one file.
	Files []FileFingerprint `json:"files,omitempty"`
	// Pruned counts the files of a set that Options.Partitions skipped
	// without opening them.
	Pruned int `json:"pruned,omitempty"`
	// Unified says how the files' schemas were reconciled (data.schema:
	// unify): columns missing from some files, types widened. Empty when
	// every file has the same schema.
	Unified []string `json:"unified,omitempty"`
}

// FileFingerprint identifies one file of a set.
type FileFingerprint struct {
	Path  string `json:"path"`  // relative to the set's root directory
	Bytes int64  `json:"bytes"` // size
	Hash  string `json:"hash"`  // lower-case hex hash of the file's bytes, by the set's Algorithm
	Rows  int64  `json:"rows"`  // rows read
}

// source decodes one format into projected batches.
type source interface {
	fileSchema() *arrow.Schema
	schema() *arrow.Schema
	// next returns the next batch, owned by the caller, or io.EOF.
	next() (arrow.RecordBatch, error)
	// release frees the source's Arrow resources; it does not close files.
	release()
}

// Reader is an opened dataset: an array.RecordReader over the projected
// columns. A batch returned by RecordBatch is valid until the next call to
// Next, Close or the last Release; Retain it to keep it longer. What a
// batch's arrays return by reference (strings, value slices) is valid as
// long as the batch: an Arrow IPC file's batches point into its memory map
// (see the package documentation). A Reader is not safe for concurrent
// use.
type Reader struct {
	refs   atomic.Int64
	ctx    context.Context
	path   string
	format Format
	file   *os.File
	src    source

	cur  arrow.RecordBatch
	rows int64
	err  error
	done bool

	size     int64        // of the file
	rowsDone atomic.Int64 // rows, for Progress on another goroutine

	alg HashAlgorithm // of the fingerprint

	// Streaming formats hash the bytes as they are decoded.
	stream *hashingReader
	// Random-access formats hash in a goroutine.
	hashDone   chan struct{}
	hashCancel context.CancelFunc
	sum        string
	hashed     int64
	hashErr    error

	closeOnce sync.Once
	closeErr  error
	closed    bool
}

var (
	_ array.RecordReader = (*Reader)(nil)
	_ Scan               = (*Reader)(nil)
)

// Open opens the file at path and decodes its header or schema, so that
// Schema is known; rows are decoded by Next, BatchSize at a time. The
// context bounds every later read. The caller must Close or Release the
// Reader.
//
// Open fails on a missing file or a directory, on an unknown format, on an
// empty file or a text file with a header only (errors.Is(err, ErrEmpty)),
// on a malformed header or sample (*ParseError), and on a column named in
// Options that the file lacks (*MissingColumnsError).
func Open(ctx context.Context, path string, opts Options) (*Reader, error) {
	opts = opts.withDefaults()
	format := opts.Format
	if format == "" {
		f, err := FormatFromPath(path)
		if err != nil {
			return nil, err
		}
		format = f
	} else {
		f, err := ParseFormat(string(format))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		format = f
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}

	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("dataset: %w", err)
	}
	if st.IsDir() {
		f.Close()
		return nil, fmt.Errorf("%s: is a directory, not a data file", path)
	}
	// Pipes, FIFOs and devices such as /dev/stdin report size 0: only
	// the streaming formats read them, and emptiness shows when read.
	regular := st.Mode().IsRegular()
	if regular && st.Size() == 0 {
		f.Close()
		return nil, &emptyError{path: path, why: "the file is empty"}
	}

	if opts.chunkBytes == 0 && st.Size() < defaultChunkBytes {
		// A small file needs no buffers of a full chunk: reading many
		// small files of a set would mostly clear memory.
		opts.chunkBytes = int(max(st.Size(), 64<<10))
	}
	alg, err := ParseHashAlgorithm(string(opts.Fingerprint))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r := &Reader{ctx: ctx, path: path, format: format, file: f, size: st.Size(), alg: alg}
	r.refs.Store(1)
	err = r.openSource(opts, st.Size(), regular)
	if err != nil {
		r.src = nil
		r.Close()
		return nil, err
	}
	return r, nil
}

// poolBytes bounds the freed buffers the pool of a CSV, TSV or Parquet
// file keeps: a few batches' worth (and, for Parquet, each column's page
// buffers).
const poolBytes = 256 << 20

// openSource creates the decoder for r.format, turning a panic inside Arrow
// on a malformed file into an error. The first bytes of the file are
// checked against the formats' signatures (see sniffStream).
func (r *Reader) openSource(opts Options, size int64, regular bool) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%s: not a valid %s file: %v", r.path, r.format, p)
		}
	}()
	f, path, format := r.file, r.path, r.format
	if regular {
		opts.fileSize = size
	}
	stream := func(format Format) (io.Reader, error) {
		r.stream = newHashingReader(f, r.alg)
		return sniffStream(r.stream, path, format, !regular)
	}
	var in io.Reader
	switch format {
	case CSV, TSV:
		if opts.defaultAllocator {
			opts.Allocator = NewPoolAllocator(poolBytes)
		}
		if in, err = stream(format); err == nil {
			r.src, err = newTextSource(in, path, format, opts)
		}
	case JSONLines:
		if regular {
			opts.reopen = func() (io.Reader, io.Closer, error) {
				f, err := os.Open(path)
				if err != nil {
					return nil, nil, err
				}
				in, err := sniffStream(f, path, JSONLines, false)
				if err != nil {
					f.Close()
					return nil, nil, err
				}
				return in, f, nil
			}
		}
		if in, err = stream(format); err == nil {
			r.src, err = newJSONSource(in, path, opts)
		}
	case ArrowStream:
		if in, err = stream(format); err == nil {
			r.src, err = newIPCStreamSource(in, path, opts)
		}
	case ArrowFile:
		var magic [6]byte
		if _, rerr := f.ReadAt(magic[:], 0); regular && rerr == nil && string(magic[:]) == "ARROW1" {
			r.src, err = r.openIPCFile(opts, size)
		} else {
			// Not the IPC file format: try the stream format, which some
			// tools write under the same extensions.
			r.format = ArrowStream
			if in, err = stream(ArrowStream); err == nil {
				r.src, err = newIPCStreamSource(in, path, opts)
			}
		}
	case Parquet:
		if opts.defaultAllocator && !opts.schemaOnly {
			opts.Allocator = NewPoolAllocator(poolBytes)
		}
		if err = checkParquet(f, path, regular); err == nil {
			if !opts.schemaOnly {
				r.hashConcurrently(size)
			}
			r.src, err = newParquetSource(r.ctx, f, path, opts)
		}
	}
	return err
}

// openIPCFile decodes the IPC file r.file of size bytes through a memory
// map where the system allows (see ipcmap.go), with copies otherwise, and
// starts hashing it. The hash reads the file with ReadAt rather than
// through the mapping: measured on the benchmark's 10M-row file, that
// costs less user and system time than the page faults of a second
// reader of the mapping.
func (r *Reader) openIPCFile(opts Options, size int64) (src source, err error) {
	err = errNotMapped
	if !opts.noMap {
		if m, merr := mapFile(r.file, size); merr == nil {
			src, err = newIPCMappedSource(m, r.path, opts)
			m.release()
		}
	}
	if err == errNotMapped || err == errForeignEndian {
		src, err = newIPCFileSource(r.file, r.path, opts)
	}
	if err == nil && !opts.schemaOnly {
		r.hashConcurrently(size)
	}
	return src, err
}

// errNotMapped: the file could not be mapped.
var errNotMapped = errors.New("not mapped")

// Schema returns the schema of the batches: the projected columns in the
// order of Options.Columns.
func (r *Reader) Schema() *arrow.Schema { return r.src.schema() }

// FileSchema returns the schema of every column in the file, with inferred
// types for text formats, in file order.
func (r *Reader) FileSchema() *arrow.Schema { return r.src.fileSchema() }

// TableSchema returns FileSchema, for the Scan interface.
func (r *Reader) TableSchema() *arrow.Schema { return r.src.fileSchema() }

// Format returns the format the file is decoded as. It is ArrowStream for an
// ArrowFile path that holds the IPC stream format.
func (r *Reader) Format() Format { return r.format }

// Next advances to the next batch and reports whether there is one. It
// releases the previous batch. When it returns false, Err tells whether the
// end of the data was reached (nil) or an error stopped the reading.
func (r *Reader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.err != nil || r.done || r.closed {
		return false
	}
	if err := r.ctx.Err(); err != nil {
		r.err = fmt.Errorf("%s: %w", r.path, err)
		return false
	}
	rec, err := r.read()
	if err == io.EOF {
		r.done = true
		if r.rows == 0 {
			r.err = &emptyError{path: r.path, why: "no rows after the header or schema"}
			return false
		}
		if r.stream != nil {
			r.sum, r.hashed, r.hashErr = r.stream.finish()
		}
		return false
	}
	if err != nil {
		r.err = err
		return false
	}
	r.rows += rec.NumRows()
	r.rowsDone.Store(r.rows)
	r.cur = rec
	return true
}

// Progress reports how far reading has got, for a progress display: bytes
// of the file read for the streaming formats (CSV, TSV, JSON Lines, Arrow
// streams), rows of the known total for Parquet, and rows read with an
// unknown total (0) for Arrow IPC files. It is safe to call from another
// goroutine while Next runs, and costs two atomic loads.
func (r *Reader) Progress() (done, total int64, unit string) {
	switch {
	case r.stream != nil:
		return r.stream.read.Load(), r.size, "bytes"
	case r.src != nil:
		if t, ok := r.src.(interface{ totalRows() int64 }); ok {
			return r.rowsDone.Load(), t.totalRows(), "rows"
		}
	}
	return r.rowsDone.Load(), 0, "rows"
}

// read calls the source, turning a panic inside Arrow into an error.
func (r *Reader) read() (rec arrow.RecordBatch, err error) {
	defer func() {
		if p := recover(); p != nil {
			rec, err = nil, fmt.Errorf("%s: cannot decode %s data: %v", r.path, r.format, p)
		}
	}()
	return r.src.next()
}

// RecordBatch returns the current batch, or nil before the first Next and
// after the last. It is valid until the next call to Next.
func (r *Reader) RecordBatch() arrow.RecordBatch { return r.cur }

// Record returns the current batch.
//
// Deprecated: Use RecordBatch; Record is kept for array.RecordReader.
func (r *Reader) Record() arrow.RecordBatch { return r.cur }

// Err returns the error that stopped Next, or nil at the end of the data.
func (r *Reader) Err() error { return r.err }

// Retain increments the reference count.
func (r *Reader) Retain() { r.refs.Add(1) }

// Release decrements the reference count; at zero it closes the Reader.
func (r *Reader) Release() {
	if r.refs.Add(-1) == 0 {
		r.Close()
	}
}

// Close releases the current batch and the decoder and closes the file.
// If the data was read to the end, Close first waits for the fingerprint's
// hash, so that Fingerprint still works afterwards; otherwise it abandons
// it. Close is idempotent and returns the error of closing the file.
func (r *Reader) Close() error {
	r.closeOnce.Do(func() {
		r.closed = true
		if r.cur != nil {
			r.cur.Release()
			r.cur = nil
		}
		if r.src != nil {
			r.src.release()
		}
		if r.hashDone != nil {
			if !r.done || r.err != nil {
				r.hashCancel()
			}
			<-r.hashDone
		}
		r.closeErr = r.file.Close()
	})
	return r.closeErr
}

// Fingerprint returns the file's fingerprint. It is valid once Next has
// returned false with Err() == nil, and may wait for the hash of the file
// to finish.
func (r *Reader) Fingerprint() (Fingerprint, error) {
	if !r.done || r.err != nil {
		return Fingerprint{}, fmt.Errorf("%s: fingerprint: the data has not been read to the end", r.path)
	}
	if r.hashDone != nil {
		<-r.hashDone
	}
	if r.hashErr != nil {
		return Fingerprint{}, fmt.Errorf("%s: fingerprint: %w", r.path, r.hashErr)
	}
	fs := r.src.fileSchema()
	return Fingerprint{
		Path:      r.path,
		Format:    r.format,
		Bytes:     r.hashed,
		Algorithm: r.alg,
		Hash:      r.sum,
		Rows:      r.rows,
		Columns:   fs.NumFields(),
		Schema:    schemaString(fs),
	}, nil
}

// schemaString formats s as "name:type, name:type".
func schemaString(s *arrow.Schema) string {
	parts := make([]string, s.NumFields())
	for i, f := range s.Fields() {
		parts[i] = f.Name + ":" + f.Type.String()
	}
	return strings.Join(parts, ", ")
}

// hashConcurrently hashes the whole file in a goroutine, reading with
// ReadAt so the decoder's reads are not disturbed.
func (r *Reader) hashConcurrently(size int64) {
	ctx, cancel := context.WithCancel(context.Background())
	r.hashCancel = cancel
	r.hashDone = make(chan struct{})
	go func() {
		defer close(r.hashDone)
		h := newHash(r.alg)
		sr := io.NewSectionReader(r.file, 0, math.MaxInt64)
		buf := make([]byte, 1<<20)
		var n int64
		for {
			if err := ctx.Err(); err != nil {
				r.hashErr = err
				return
			}
			k, err := sr.Read(buf)
			h.Write(buf[:k])
			n += int64(k)
			if err == io.EOF {
				break
			}
			if err != nil {
				r.hashErr = err
				return
			}
		}
		if n != size {
			r.hashErr = errors.New("the file changed size while it was read")
			return
		}
		r.sum, r.hashed = hexSum(h), n
	}()
}

// hashingReader hashes and counts the bytes read through it.
type hashingReader struct {
	r    io.Reader
	h    hash.Hash
	n    int64
	read atomic.Int64 // n, for Progress on another goroutine
}

func newHashingReader(r io.Reader, alg HashAlgorithm) *hashingReader {
	return &hashingReader{r: r, h: newHash(alg)}
}

func (h *hashingReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	// Hash 64 KiB at a time: the garbage collector cannot preempt the
	// hash's assembly, and waits for it to return.
	for b := p[:n]; len(b) > 0; {
		k := min(len(b), 64<<10)
		h.h.Write(b[:k])
		b = b[k:]
	}
	h.n += int64(n)
	h.read.Store(h.n)
	return n, err
}

// finish reads what the decoder left unread and returns the hash and size
// of everything.
func (h *hashingReader) finish() (string, int64, error) {
	if _, err := io.Copy(io.Discard, h); err != nil {
		return "", 0, err
	}
	return hexSum(h.h), h.n, nil
}

// projection returns the indices in fs of the columns named, or of every
// column if names is nil, and the projected schema.
func projection(path string, fs *arrow.Schema, names []string) ([]int, *arrow.Schema, error) {
	if names == nil {
		idx := make([]int, fs.NumFields())
		for i := range idx {
			idx[i] = i
		}
		return idx, fs, nil
	}
	idx := make([]int, 0, len(names))
	fields := make([]arrow.Field, 0, len(names))
	var missing []string
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if seen[n] {
			return nil, nil, fmt.Errorf("%s: column %q is listed twice in the columns to read", path, n)
		}
		seen[n] = true
		i := fs.FieldIndices(n)
		if len(i) == 0 {
			missing = append(missing, n)
			continue
		}
		idx = append(idx, i[0])
		fields = append(fields, fs.Field(i[0]))
	}
	if missing != nil {
		return nil, nil, &MissingColumnsError{Path: path, Missing: missing, Available: fieldNames(fs)}
	}
	md := fs.Metadata()
	return idx, arrow.NewSchema(fields, &md), nil
}

func fieldNames(s *arrow.Schema) []string {
	names := make([]string, s.NumFields())
	for i, f := range s.Fields() {
		names[i] = f.Name
	}
	return names
}
