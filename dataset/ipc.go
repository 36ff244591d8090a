package dataset

import (
	"fmt"
	"io"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
)

// rebatcher cuts the batches of an underlying reader into slices of at most
// batchSize rows and projects their columns, without copying.
type rebatcher struct {
	fs, ps    *arrow.Schema
	idx       []int
	batchSize int64
	// pull returns the next batch, owned by the caller, or io.EOF.
	pull    func() (arrow.RecordBatch, error)
	cur     arrow.RecordBatch
	off     int64
	cleanup func()
}

func (s *rebatcher) fileSchema() *arrow.Schema { return s.fs }
func (s *rebatcher) schema() *arrow.Schema     { return s.ps }

func (s *rebatcher) next() (arrow.RecordBatch, error) {
	for s.cur == nil || s.off >= s.cur.NumRows() {
		if s.cur != nil {
			s.cur.Release()
			s.cur = nil
		}
		rec, err := s.pull()
		if err != nil {
			return nil, err
		}
		s.cur, s.off = rec, 0
	}
	end := min(s.off+s.batchSize, s.cur.NumRows())
	cols := make([]arrow.Array, len(s.idx))
	for i, j := range s.idx {
		cols[i] = array.NewSlice(s.cur.Column(j), s.off, end)
	}
	out := array.NewRecordBatch(s.ps, cols, end-s.off)
	for _, c := range cols {
		c.Release()
	}
	s.off = end
	return out, nil
}

func (s *rebatcher) release() {
	if s.cur != nil {
		s.cur.Release()
		s.cur = nil
	}
	if s.cleanup != nil {
		s.cleanup()
		s.cleanup = nil
	}
}

func newIPCStreamSource(r io.Reader, path string, opts Options) (source, error) {
	// NewReader would not pass the size limits to its message reader.
	o := ipcOptions(opts)
	rdr, err := ipc.NewReaderFromMessageReader(ipc.NewMessageReader(r, o...), o...)
	if err != nil {
		return nil, fmt.Errorf("%s: not a valid Arrow IPC stream: %w", path, err)
	}
	if err := duplicateColumns(path, "Arrow IPC", rdr.Schema()); err != nil {
		rdr.Release()
		return nil, err
	}
	idx, ps, err := projection(path, rdr.Schema(), opts.Columns)
	if err != nil {
		rdr.Release()
		return nil, err
	}
	i := 0
	return &rebatcher{
		fs: rdr.Schema(), ps: ps, idx: idx, batchSize: int64(opts.BatchSize),
		pull: func() (rec arrow.RecordBatch, err error) {
			defer recoverBatch(&rec, &err, path, "Arrow IPC stream", i)
			if !rdr.Next() {
				if err := rdr.Err(); err != nil {
					return nil, fmt.Errorf("%s: reading Arrow IPC stream batch %d: %w", path, i, err)
				}
				return nil, io.EOF
			}
			rec = rdr.RecordBatch()
			if err := validateBatch(rec); err != nil {
				return nil, fmt.Errorf("%s: Arrow IPC stream batch %d: %w", path, i, err)
			}
			i++
			rec.Retain()
			return rec, nil
		},
		cleanup: rdr.Release,
	}, nil
}

func newIPCFileSource(f *os.File, path string, opts Options) (src source, err error) {
	defer func() {
		if p := recover(); p != nil {
			src, err = nil, fmt.Errorf("%s: not a valid Arrow IPC file: %v", path, p)
		}
	}()
	rdr, err := ipc.NewFileReader(f, ipcOptions(opts)...)
	if err != nil {
		return nil, fmt.Errorf("%s: not a valid Arrow IPC file: %w", path, err)
	}
	if err := duplicateColumns(path, "Arrow IPC", rdr.Schema()); err != nil {
		rdr.Close()
		return nil, err
	}
	idx, ps, err := projection(path, rdr.Schema(), opts.Columns)
	if err != nil {
		rdr.Close()
		return nil, err
	}
	i := 0
	return &rebatcher{
		fs: rdr.Schema(), ps: ps, idx: idx, batchSize: int64(opts.BatchSize),
		pull: func() (rec arrow.RecordBatch, err error) {
			defer recoverBatch(&rec, &err, path, "Arrow IPC file", i)
			if i >= rdr.NumRecords() {
				return nil, io.EOF
			}
			rec, err = rdr.RecordBatchAt(i)
			if err != nil {
				return nil, fmt.Errorf("%s: reading Arrow IPC file batch %d: %w", path, i, err)
			}
			if err := validateBatch(rec); err != nil {
				rec.Release()
				return nil, fmt.Errorf("%s: Arrow IPC file batch %d: %w", path, i, err)
			}
			i++
			return rec, nil
		},
		cleanup: func() { rdr.Close() },
	}, nil
}

// recoverBatch, deferred by a reader of batch i, turns a panic of arrow-go's
// IPC decoder on a corrupt message into an error naming the batch.
func recoverBatch(rec *arrow.RecordBatch, err *error, path, format string, i int) {
	if p := recover(); p != nil {
		*rec, *err = nil, fmt.Errorf("%s: %s batch %d: cannot decode: %v", path, format, i, p)
	}
}

// ipcOptions are the IPC reader's options: a message read from a regular
// file is no larger than the file, so that a corrupt length allocates
// nothing larger.
func ipcOptions(opts Options) []ipc.Option {
	o := []ipc.Option{ipc.WithAllocator(opts.Allocator)}
	if opts.fileSize > 0 {
		o = append(o, ipc.WithMetadataSizeLimit(min(opts.fileSize, 64<<20)), ipc.WithBodySizeLimit(opts.fileSize))
	}
	return o
}
