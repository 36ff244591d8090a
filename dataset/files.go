package dataset

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"
	"golang.org/x/sync/errgroup"
)

// SchemaMode says how the files of a set whose schemas differ are read.
type SchemaMode int

const (
	// SchemaUnify reads the union of the files' columns: a column missing
	// from a file is null in its rows, and integer types are widened to
	// the widest one (int32 and int64 to int64; signed with unsigned of
	// fewer bits to int64), integers with floats to float64. Any other
	// difference of types is an error naming both files. The changes are
	// listed in Fingerprint.Unified.
	SchemaUnify SchemaMode = iota
	// SchemaStrict requires every file to have the columns of the first
	// file, with the same types (in any order), and names the first file
	// that differs and how.
	SchemaStrict
)

// String returns "unify" or "strict".
func (m SchemaMode) String() string {
	if m == SchemaStrict {
		return "strict"
	}
	return "unify"
}

// ParseSchemaMode returns the mode named "unify" or "strict".
func ParseSchemaMode(s string) (SchemaMode, error) {
	switch s {
	case "unify":
		return SchemaUnify, nil
	case "strict":
		return SchemaStrict, nil
	}
	return 0, fmt.Errorf("unknown schema mode %q; modes are strict, unify", s)
}

// PartitionValues are the Hive partition values of one directory of a set.
type PartitionValues struct {
	// Dir is the directory, as the path of the set's root joined with the
	// key=value segments.
	Dir string
	// Values maps each partition key to its typed value: int64 for signed
	// integers, uint64 for unsigned, float64, bool, string, time.Time (UTC)
	// for dates and timestamps, and nil for a null value
	// (__HIVE_DEFAULT_PARTITION__).
	Values map[string]any
}

// PartitionError is a partition value that does not parse as its column's
// type. Dir is the directory whose name holds the value.
type PartitionError struct {
	Dir   string
	Key   string
	Value string
	Type  arrow.DataType
	Err   error
}

// Error names the directory, the key, the value and the type.
func (e *PartitionError) Error() string {
	return fmt.Sprintf("%s: partition %q: %q is not a valid %s (set data.types.%s to read it otherwise)", e.Dir, e.Key, e.Value, e.Type, e.Key)
}

// Unwrap returns the parse error.
func (e *PartitionError) Unwrap() error { return e.Err }

// SchemaError reports, under SchemaStrict, the first file whose schema
// differs from the first file's, or under SchemaUnify a column whose types
// cannot be unified.
type SchemaError struct {
	File  string // the file that differs
	First string // the file it is compared with
	Diff  string // how it differs
}

// Error names both files and the difference.
func (e *SchemaError) Error() string {
	return fmt.Sprintf("%s: schema differs from %s: %s", e.File, e.First, e.Diff)
}

// hiveNull is the directory value Hive and Spark write for a null.
const hiveNull = "__HIVE_DEFAULT_PARTITION__"

// singleFile is the Source of one file.
type singleFile struct {
	path string
	opts Options
}

func (s *singleFile) Scan(ctx context.Context, columns []string) (Scan, error) {
	o := s.opts
	o.Columns = columns
	return Open(ctx, s.path, o)
}

// setFile is one file of a set.
type setFile struct {
	path, rel string
	size      int64
	dir       string          // the partition directory; "" without partitions
	raw       []string        // partition values as written
	parts     []scalar.Scalar // typed partition values
	schema    *arrow.Schema   // nil for an empty file
	format    Format
}

// fileSet is the Source of many files read as one table.
type fileSet struct {
	location string
	root     string
	files    []*setFile
	pruned   int
	keys     []string
	schema   *arrow.Schema // the file columns, then the partition columns
	unified  []string
	opts     Options
}

// openFiles is the Driver of FileKind.
func openFiles(ctx context.Context, location string, opts Options) (Source, error) {
	opts = opts.withDefaults()
	alg, err := ParseHashAlgorithm(string(opts.Fingerprint))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", location, err)
	}
	opts.Fingerprint = alg
	if !hasMeta(location) {
		st, err := os.Stat(location)
		if err != nil || !st.IsDir() {
			// Open reports a missing file, as for any single file.
			return &singleFile{path: location, opts: opts}, nil
		}
	}
	set := &fileSet{location: location, opts: opts}
	if err := set.list(); err != nil {
		return nil, err
	}
	if err := set.partition(); err != nil {
		return nil, err
	}
	if err := set.readSchemas(ctx); err != nil {
		return nil, err
	}
	return set, nil
}

func hasMeta(p string) bool { return strings.ContainsAny(p, "*?[") }

// list finds the files of the set, sorted by path.
func (s *fileSet) list() error {
	var paths []string
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			paths = append(paths, p)
		}
	}
	if !hasMeta(s.location) {
		s.root = s.location
		if err := s.walk(s.location, map[string]bool{}, add); err != nil {
			return err
		}
		if len(paths) == 0 {
			return &emptyError{path: s.location, why: "the directory holds no data files (" + supportedExtensions + ")"}
		}
	} else {
		s.root = globRoot(s.location)
		matches, err := filepath.Glob(s.location)
		if err != nil {
			return fmt.Errorf("%s: bad pattern: %w", s.location, err)
		}
		if len(matches) == 0 {
			return fmt.Errorf("%s: no file matches the pattern", s.location)
		}
		for _, m := range matches {
			st, err := os.Stat(m)
			if err != nil {
				return linkError(m, err)
			}
			if st.IsDir() {
				if err := s.walk(m, map[string]bool{}, add); err != nil {
					return err
				}
			} else if st.Mode().IsRegular() && s.isData(m) {
				add(m)
			}
		}
		if len(paths) == 0 {
			return fmt.Errorf("%s: the pattern matches no data files (%s)", s.location, supportedExtensions)
		}
	}
	sort.Strings(paths)
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return linkError(p, err)
		}
		rel, err := filepath.Rel(s.root, p)
		if err != nil {
			rel = p
		}
		s.files = append(s.files, &setFile{path: p, rel: filepath.ToSlash(rel), size: st.Size()})
	}
	return nil
}

// globRoot returns the directory before the first segment of pattern that
// holds a wildcard.
func globRoot(pattern string) string {
	dir := pattern
	for hasMeta(dir) {
		dir = filepath.Dir(dir)
	}
	return dir
}

// isData reports whether path is read as a data file: its extension is a
// known format, or the format is set.
func (s *fileSet) isData(path string) bool {
	if s.opts.Format != "" {
		return true
	}
	_, err := FormatFromPath(path)
	return err == nil
}

// walk adds the data files below dir, following symbolic links; a link
// leading back to a directory being walked is an error. Names starting
// with "." or "_" (_SUCCESS, .crc files, _delta_log) are skipped.
func (s *fileSet) walk(dir string, open map[string]bool, add func(string)) error {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return linkError(dir, err)
	}
	if open[real] {
		return fmt.Errorf("%s: symbolic link loop: it leads back to %s", dir, real)
	}
	open[real] = true
	defer delete(open, real)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("dataset: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
			continue
		}
		p := filepath.Join(dir, name)
		st, err := os.Stat(p)
		if err != nil {
			return linkError(p, err)
		}
		switch {
		case st.IsDir():
			if err := s.walk(p, open, add); err != nil {
				return err
			}
		case st.Mode().IsRegular() && s.isData(p):
			add(p)
		}
	}
	return nil
}

// linkError explains a failed stat: a link loop, a dangling link.
func linkError(p string, err error) error {
	if errors.Is(err, syscall.ELOOP) {
		return fmt.Errorf("%s: symbolic link loop: %w", p, err)
	}
	if errors.Is(err, fs.ErrNotExist) {
		if fi, lerr := os.Lstat(p); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%s: symbolic link to a file that does not exist", p)
		}
	}
	return fmt.Errorf("dataset: %w", err)
}

// partition reads the key=value segments of each file's directory, types
// them, and applies Options.Partitions.
func (s *fileSet) partition() error {
	for i, f := range s.files {
		var keys []string
		dir := s.root
		for _, seg := range strings.Split(filepath.ToSlash(filepath.Dir(f.rel)), "/") {
			if seg == "." || seg == "" {
				continue
			}
			dir = filepath.Join(dir, seg)
			k, v, ok := strings.Cut(seg, "=")
			if !ok || k == "" {
				continue
			}
			if u, err := url.PathUnescape(v); err == nil {
				v = u
			}
			keys = append(keys, k)
			f.raw = append(f.raw, v)
			f.dir = dir
		}
		if i == 0 {
			s.keys = keys
		} else if !slices.Equal(keys, s.keys) {
			return fmt.Errorf("%s: partition keys [%s] differ from [%s] of %s; every file of a set must sit at the same partition depth",
				f.path, strings.Join(keys, ", "), strings.Join(s.keys, ", "), s.files[0].path)
		}
	}
	if len(s.keys) == 0 {
		return nil
	}
	types := make([]arrow.DataType, len(s.keys))
	for k, key := range s.keys {
		if dt, ok := s.opts.Types[key]; ok {
			types[k] = dt
			continue
		}
		vals := make([]string, 0, len(s.files))
		for _, f := range s.files {
			vals = append(vals, f.raw[k])
		}
		types[k] = inferPartition(vals)
	}
	for _, f := range s.files {
		f.parts = make([]scalar.Scalar, len(s.keys))
		for k, v := range f.raw {
			sc, err := partitionScalar(v, types[k])
			if err != nil {
				return &PartitionError{Dir: partitionDir(s.root, f.rel, s.keys[k]), Key: s.keys[k], Value: v, Type: types[k], Err: err}
			}
			f.parts[k] = sc
		}
	}
	if s.opts.Partitions != nil {
		keep := map[string]bool{}
		kept := s.files[:0]
		for _, f := range s.files {
			ok, seen := keep[f.dir]
			if !seen {
				pv := PartitionValues{Dir: f.dir, Values: map[string]any{}}
				for k, key := range s.keys {
					pv.Values[key] = goValue(f.parts[k])
				}
				ok = s.opts.Partitions(pv)
				keep[f.dir] = ok
			}
			if ok {
				kept = append(kept, f)
			} else {
				s.pruned++
			}
		}
		s.files = kept
		if len(s.files) == 0 {
			return &emptyError{path: s.location, why: fmt.Sprintf("the partition filter skipped all %d files", s.pruned)}
		}
	}
	return nil
}

// partitionDir returns the directory of rel whose segment names key.
func partitionDir(root, rel, key string) string {
	dir := root
	for _, seg := range strings.Split(filepath.ToSlash(filepath.Dir(rel)), "/") {
		dir = filepath.Join(dir, seg)
		if strings.HasPrefix(seg, key+"=") {
			break
		}
	}
	return dir
}

// inferPartition types partition values: int64 if every non-null value is
// a decimal integer, date32 if every one is a YYYY-MM-DD date, else utf8.
func inferPartition(vals []string) arrow.DataType {
	isInt, isDate, any := true, true, false
	for _, v := range vals {
		if v == hiveNull {
			continue
		}
		any = true
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			isInt = false
		}
		if _, err := time.Parse(time.DateOnly, v); err != nil || len(v) != 10 {
			isDate = false
		}
	}
	switch {
	case !any:
		return arrow.BinaryTypes.String
	case isInt:
		return arrow.PrimitiveTypes.Int64
	case isDate:
		return arrow.FixedWidthTypes.Date32
	}
	return arrow.BinaryTypes.String
}

// partitionScalar parses a partition value as dt.
func partitionScalar(v string, dt arrow.DataType) (scalar.Scalar, error) {
	if v == hiveNull {
		return scalar.MakeNullScalar(dt), nil
	}
	switch dt.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64:
		n, err := strconv.ParseInt(v, 10, dt.(arrow.FixedWidthDataType).BitWidth())
		if err != nil {
			return nil, err
		}
		return scalar.MakeIntegerScalar(n, dt.(arrow.FixedWidthDataType).BitWidth())
	case arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		n, err := strconv.ParseUint(v, 10, dt.(arrow.FixedWidthDataType).BitWidth())
		if err != nil {
			return nil, err
		}
		return scalar.MakeUnsignedIntegerScalar(n, dt.(arrow.FixedWidthDataType).BitWidth())
	case arrow.DATE32:
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return nil, err
		}
		return scalar.NewDate32Scalar(arrow.Date32FromTime(t)), nil
	case arrow.LARGE_STRING:
		return scalar.NewLargeStringScalar(v), nil
	case arrow.STRING, arrow.BOOL, arrow.FLOAT32, arrow.FLOAT64, arrow.TIMESTAMP:
		return scalar.ParseScalar(dt, v)
	}
	return nil, fmt.Errorf("partition columns cannot have type %s", dt)
}

// goValue returns a partition scalar as the Go value PartitionValues
// documents.
func goValue(sc scalar.Scalar) any {
	if !sc.IsValid() {
		return nil
	}
	switch v := sc.(type) {
	case *scalar.Int8:
		return int64(v.Value)
	case *scalar.Int16:
		return int64(v.Value)
	case *scalar.Int32:
		return int64(v.Value)
	case *scalar.Int64:
		return v.Value
	case *scalar.Uint8:
		return uint64(v.Value)
	case *scalar.Uint16:
		return uint64(v.Value)
	case *scalar.Uint32:
		return uint64(v.Value)
	case *scalar.Uint64:
		return v.Value
	case *scalar.Float32:
		return float64(v.Value)
	case *scalar.Float64:
		return v.Value
	case *scalar.Boolean:
		return v.Value
	case *scalar.Date32:
		return v.Value.ToTime().UTC()
	case *scalar.Timestamp:
		return v.ToTime().UTC()
	}
	return sc.String()
}

// textFormat reports whether f is decoded from text, with Options.Types.
func textFormat(f Format) bool { return f == CSV || f == TSV || f == JSONLines }

// readSchemas opens every file, at most Workers at once, to read its
// schema, then unifies or compares them.
func (s *fileSet) readSchemas(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.workers())
	for _, f := range s.files {
		g.Go(func() error {
			o := s.opts
			o.Columns, o.Types, o.schemaOnly = nil, nil, true
			r, err := Open(gctx, f.path, o)
			if errors.Is(err, ErrEmpty) {
				return nil
			}
			if err != nil {
				return err
			}
			defer r.Close()
			f.format = r.Format()
			fs := r.FileSchema()
			if textFormat(f.format) && len(s.opts.Types) > 0 {
				fields := slices.Clone(fs.Fields())
				for i := range fields {
					if dt, ok := s.opts.Types[fields[i].Name]; ok {
						fields[i].Type = dt
					}
				}
				fs = arrow.NewSchema(fields, nil)
			}
			f.schema = fs
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	var first *setFile
	type column struct {
		field   arrow.Field
		present int
		types   []string // each distinct type, with the first file having it
		seen    map[string]bool
	}
	var order []string
	cols := map[string]*column{}
	nonEmpty := 0
	for _, f := range s.files {
		if f.schema == nil {
			continue
		}
		nonEmpty++
		if first == nil {
			first = f
		} else if s.opts.Schema == SchemaStrict {
			if d := schemaDiff(first, f); d != "" {
				return &SchemaError{File: f.path, First: first.path, Diff: d + " (data.schema: strict)"}
			}
		}
		for _, fd := range f.schema.Fields() {
			if slices.Contains(s.keys, fd.Name) {
				return fmt.Errorf("%s: column %q is both a column of the file and a partition key in its path", f.path, fd.Name)
			}
			c, ok := cols[fd.Name]
			if !ok {
				c = &column{field: fd, seen: map[string]bool{}}
				cols[fd.Name] = c
				order = append(order, fd.Name)
			} else if !arrow.TypeEqual(c.field.Type, fd.Type) {
				wide, ok := widerType(c.field.Type, fd.Type)
				if !ok {
					return &SchemaError{File: f.path, First: first.path, Diff: fmt.Sprintf("column %q is %s here and %s in an earlier file; these types cannot be unified", fd.Name, fd.Type, c.field.Type)}
				}
				c.field.Type = wide
			}
			if t := fd.Type.String(); !c.seen[t] {
				c.seen[t] = true
				c.types = append(c.types, t+" in "+f.rel)
			}
			c.present++
			c.field.Nullable = c.field.Nullable || fd.Nullable
		}
	}
	if nonEmpty == 0 {
		return &emptyError{path: s.location, why: fmt.Sprintf("all %d files are empty", len(s.files))}
	}
	fields := make([]arrow.Field, 0, len(order)+len(s.keys))
	for _, name := range order {
		c := cols[name]
		fields = append(fields, c.field)
		if len(c.types) > 1 {
			s.unified = append(s.unified, fmt.Sprintf("column %q: %s: read as %s", name, strings.Join(c.types, ", "), c.field.Type))
		}
		if c.present < nonEmpty {
			c.field.Nullable = true
			fields[len(fields)-1].Nullable = true
			absent := ""
			for _, f := range s.files {
				if f.schema != nil && f.schema.FieldIndices(name) == nil {
					absent = f.rel
					break
				}
			}
			s.unified = append(s.unified, fmt.Sprintf("column %q: absent from %d of %d files (first %s): null there", name, nonEmpty-c.present, nonEmpty, absent))
		}
	}
	for k, key := range s.keys {
		nullable := false
		for _, f := range s.files {
			nullable = nullable || !f.parts[k].IsValid()
		}
		fields = append(fields, arrow.Field{Name: key, Type: s.files[0].parts[k].DataType(), Nullable: nullable})
	}
	s.schema = arrow.NewSchema(fields, nil)
	var missing []string
	for name := range s.opts.Types {
		if s.schema.FieldIndices(name) == nil {
			missing = append(missing, name)
		}
	}
	if missing != nil {
		slices.Sort(missing)
		return &MissingColumnsError{Path: s.location, Missing: missing, Available: fieldNames(s.schema)}
	}
	return nil
}

// schemaDiff says how f's schema differs from first's, or "".
func schemaDiff(first, f *setFile) string {
	for _, a := range first.schema.Fields() {
		i := f.schema.FieldIndices(a.Name)
		if i == nil {
			return fmt.Sprintf("it lacks column %q", a.Name)
		}
		if b := f.schema.Field(i[0]); !arrow.TypeEqual(a.Type, b.Type) {
			return fmt.Sprintf("column %q is %s here, %s there", a.Name, b.Type, a.Type)
		}
	}
	for _, b := range f.schema.Fields() {
		if first.schema.FieldIndices(b.Name) == nil {
			return fmt.Sprintf("it has column %q, which the first file lacks", b.Name)
		}
	}
	return ""
}

// intWidth returns the bit width of an integer type and whether it is
// signed; ok is false for other types.
func intWidth(dt arrow.DataType) (bits int, signed, ok bool) {
	switch dt.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64:
		return dt.(arrow.FixedWidthDataType).BitWidth(), true, true
	case arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return dt.(arrow.FixedWidthDataType).BitWidth(), false, true
	}
	return 0, false, false
}

func isFloat(dt arrow.DataType) bool { return dt.ID() == arrow.FLOAT32 || dt.ID() == arrow.FLOAT64 }

// widerType returns the type both a and b widen to under SchemaUnify.
func widerType(a, b arrow.DataType) (arrow.DataType, bool) {
	if arrow.TypeEqual(a, b) {
		return a, true
	}
	ab, as, aInt := intWidth(a)
	bb, bs, bInt := intWidth(b)
	switch {
	case (aInt || isFloat(a)) && (bInt || isFloat(b)) && (!aInt || !bInt):
		return arrow.PrimitiveTypes.Float64, true
	case aInt && bInt && as == bs:
		if ab >= bb {
			return a, true
		}
		return b, true
	case aInt && bInt:
		ub := ab
		if as {
			ub = bb
		}
		if ub < 64 {
			return arrow.PrimitiveTypes.Int64, true
		}
	}
	return nil, false
}

func (s *fileSet) workers() int {
	if s.opts.Workers > 0 {
		return s.opts.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// Scan reads the files in path order, at most Workers open at once, as
// one table.
func (s *fileSet) Scan(ctx context.Context, columns []string) (Scan, error) {
	if len(columns) == 0 {
		columns = fieldNames(s.schema)
	}
	_, out, err := projection(s.location, s.schema, columns)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	sc := &setScan{set: s, ctx: ctx, cancel: cancel, schema: out, order: make(chan *fileTask, s.workers())}
	sc.refs.Store(1)
	for _, f := range s.files {
		sc.total += f.size
	}
	sc.wg.Add(1)
	go sc.produce()
	return sc, nil
}

// setScan is a pass over a fileSet.
type setScan struct {
	set    *fileSet
	ctx    context.Context
	cancel context.CancelFunc
	schema *arrow.Schema
	order  chan *fileTask
	wg     sync.WaitGroup
	refs   atomic.Int64

	task *fileTask
	cur  arrow.RecordBatch
	rows int64
	err  error
	done bool

	starts []int64  // first row of each file begun
	names  []string // and its name
	fps    []FileFingerprint

	total     int64
	bytesDone atomic.Int64

	closeOnce sync.Once
}

var _ RowLocator = (*setScan)(nil)

type fileTask struct {
	f   *setFile
	out chan taskItem
	fp  FileFingerprint
}

type taskItem struct {
	b   arrow.RecordBatch
	err error
}

// produce starts one goroutine per file, in order, each holding one of
// Workers slots from before its file is opened until after it is closed;
// the consumer takes the files in order, so the first unfinished file
// always has a slot and the pipeline cannot deadlock.
func (sc *setScan) produce() {
	defer sc.wg.Done()
	defer close(sc.order)
	slots := make(chan struct{}, sc.set.workers())
	for _, f := range sc.set.files {
		select {
		case slots <- struct{}{}:
		case <-sc.ctx.Done():
			return
		}
		t := &fileTask{f: f, out: make(chan taskItem, 2)}
		sc.wg.Add(1)
		go func() {
			defer sc.wg.Done()
			defer func() { <-slots }()
			defer close(t.out)
			if err := sc.read(t); err != nil {
				select {
				case t.out <- taskItem{err: err}:
				case <-sc.ctx.Done():
				}
			}
		}()
		select {
		case sc.order <- t:
		case <-sc.ctx.Done():
			return
		}
	}
}

// read decodes t's file into batches of the scan's schema.
func (sc *setScan) read(t *fileTask) error {
	f, o := t.f, sc.set.opts
	t.fp = FileFingerprint{Path: f.rel}
	if f.schema == nil {
		// Empty when the schemas were read: hash what is there now.
		sum, n, err := hashFile(f.path, o.Fingerprint)
		if err != nil {
			return vanished(f.path, err)
		}
		if n != f.size {
			return changed(f.path)
		}
		t.fp.Bytes, t.fp.Hash = n, sum
		return nil
	}
	// The file's own columns among those projected; null or partition
	// columns for the others.
	type source struct {
		file int // index in the file's batches, or -1
		part int // partition key, or -1
	}
	srcs := make([]source, sc.schema.NumFields())
	var cols []string
	o.Types = nil
	for i, fd := range sc.schema.Fields() {
		srcs[i] = source{file: -1, part: slices.Index(sc.set.keys, fd.Name)}
		if srcs[i].part < 0 && f.schema.FieldIndices(fd.Name) != nil {
			srcs[i].file = len(cols)
			cols = append(cols, fd.Name)
			if textFormat(f.format) {
				if o.Types == nil {
					o.Types = map[string]arrow.DataType{}
				}
				o.Types[fd.Name] = fd.Type
			}
		}
	}
	if len(cols) == 0 {
		// Only the row count is needed: read the narrowest projection.
		cols = []string{f.schema.Field(0).Name}
	}
	o.Columns = cols
	r, err := Open(sc.ctx, f.path, o)
	if err != nil {
		if errors.Is(err, ErrEmpty) {
			return changed(f.path)
		}
		return vanished(f.path, err)
	}
	defer r.Close()
	mem := o.Allocator
	consts := make([]arrow.Array, len(srcs))
	defer func() {
		for _, a := range consts {
			if a != nil {
				a.Release()
			}
		}
	}()
	for r.Next() {
		b := r.RecordBatch()
		n := int(b.NumRows())
		arrs := make([]arrow.Array, len(srcs))
		for i, src := range srcs {
			dt := sc.schema.Field(i).Type
			switch {
			case src.file >= 0:
				c := b.Column(src.file)
				if arrow.TypeEqual(c.DataType(), dt) {
					c.Retain()
					arrs[i] = c
				} else {
					arrs[i] = widenArray(c, dt, mem)
				}
			default:
				if consts[i] == nil || consts[i].Len() < n {
					if consts[i] != nil {
						consts[i].Release()
					}
					consts[i], err = constArray(f, src.part, dt, max(n, o.BatchSize), mem)
					if err != nil {
						releaseAll(arrs)
						return err
					}
				}
				arrs[i] = array.NewSlice(consts[i], 0, int64(n))
			}
		}
		out := array.NewRecordBatch(sc.schema, arrs, int64(n))
		releaseAll(arrs)
		select {
		case t.out <- taskItem{b: out}:
		case <-sc.ctx.Done():
			out.Release()
			return nil
		}
	}
	if err := r.Err(); err != nil {
		if !errors.Is(err, ErrEmpty) {
			return err
		}
		// A binary file with a schema and no rows.
		sum, n, herr := hashFile(f.path, o.Fingerprint)
		if herr != nil {
			return vanished(f.path, herr)
		}
		t.fp.Bytes, t.fp.Hash = n, sum
		return nil
	}
	fp, err := r.Fingerprint()
	if err != nil {
		return err
	}
	if fp.Bytes != f.size {
		return changed(f.path)
	}
	t.fp.Bytes, t.fp.Hash, t.fp.Rows = fp.Bytes, fp.Hash, fp.Rows
	return nil
}

func releaseAll(arrs []arrow.Array) {
	for _, a := range arrs {
		if a != nil {
			a.Release()
		}
	}
}

// constArray returns n copies of file f's value of partition key k, or n
// nulls when k < 0 (a column the file lacks).
func constArray(f *setFile, k int, dt arrow.DataType, n int, mem memory.Allocator) (arrow.Array, error) {
	if k < 0 {
		return array.MakeArrayOfNull(mem, dt, n), nil
	}
	return scalar.MakeArrayFromScalar(f.parts[k], n, mem)
}

// widenArray converts an integer or float array to int64 or float64.
func widenArray(a arrow.Array, to arrow.DataType, mem memory.Allocator) arrow.Array {
	n := a.Len()
	valid := make([]bool, n)
	for i := range valid {
		valid[i] = a.IsValid(i)
	}
	if to.ID() == arrow.INT64 {
		vals := make([]int64, n)
		for i := range vals {
			if valid[i] {
				vals[i] = intAt(a, i)
			}
		}
		b := array.NewInt64Builder(mem)
		defer b.Release()
		b.AppendValues(vals, valid)
		return b.NewArray()
	}
	vals := make([]float64, n)
	for i := range vals {
		if !valid[i] {
			continue
		}
		switch c := a.(type) {
		case *array.Float32:
			vals[i] = float64(c.Value(i))
		case *array.Float64:
			vals[i] = c.Value(i)
		default:
			if _, signed, _ := intWidth(a.DataType()); signed {
				vals[i] = float64(intAt(a, i))
			} else {
				vals[i] = float64(uintAt(a, i))
			}
		}
	}
	b := array.NewFloat64Builder(mem)
	defer b.Release()
	b.AppendValues(vals, valid)
	return b.NewArray()
}

func intAt(a arrow.Array, i int) int64 {
	switch c := a.(type) {
	case *array.Int8:
		return int64(c.Value(i))
	case *array.Int16:
		return int64(c.Value(i))
	case *array.Int32:
		return int64(c.Value(i))
	case *array.Int64:
		return c.Value(i)
	}
	return int64(uintAt(a, i)) // unsigned of fewer than 64 bits, by widerType
}

func uintAt(a arrow.Array, i int) uint64 {
	switch c := a.(type) {
	case *array.Uint8:
		return uint64(c.Value(i))
	case *array.Uint16:
		return uint64(c.Value(i))
	case *array.Uint32:
		return uint64(c.Value(i))
	case *array.Uint64:
		return c.Value(i)
	}
	panic("dataset: uintAt on " + a.DataType().String())
}

func vanished(path string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: the file disappeared during the run (it was listed when the run started)", path)
	}
	return err
}

func changed(path string) error {
	return fmt.Errorf("%s: the file changed during the run (its size differs from when the run started)", path)
}

func hashFile(path string, alg HashAlgorithm) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := newHash(alg)
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hexSum(h), n, nil
}

// Schema returns the projected schema.
func (sc *setScan) Schema() *arrow.Schema { return sc.schema }

// TableSchema returns the unified schema of the whole set.
func (sc *setScan) TableSchema() *arrow.Schema { return sc.set.schema }

// Next advances to the next batch, in file order.
func (sc *setScan) Next() bool {
	if sc.cur != nil {
		sc.cur.Release()
		sc.cur = nil
	}
	for sc.err == nil && !sc.done {
		if err := sc.ctx.Err(); err != nil {
			sc.err = fmt.Errorf("%s: %w", sc.set.location, err)
			break
		}
		if sc.task == nil {
			t, ok := <-sc.order
			if !ok {
				sc.done = true
				if sc.rows == 0 {
					sc.err = &emptyError{path: sc.set.location, why: fmt.Sprintf("none of the %d files has rows", len(sc.set.files))}
				}
				break
			}
			sc.task = t
			sc.starts = append(sc.starts, sc.rows)
			sc.names = append(sc.names, t.f.rel)
		}
		it, ok := <-sc.task.out
		if !ok {
			sc.fps = append(sc.fps, sc.task.fp)
			sc.bytesDone.Add(sc.task.f.size)
			sc.task = nil
			continue
		}
		if it.err != nil {
			sc.err = it.err
			break
		}
		sc.rows += it.b.NumRows()
		sc.cur = it.b
		return true
	}
	return false
}

// RecordBatch returns the current batch.
func (sc *setScan) RecordBatch() arrow.RecordBatch { return sc.cur }

// Record returns the current batch.
//
// Deprecated: Use RecordBatch; Record is kept for array.RecordReader.
func (sc *setScan) Record() arrow.RecordBatch { return sc.cur }

// Err returns the error that stopped Next, or nil at the end.
func (sc *setScan) Err() error { return sc.err }

// Retain increments the reference count.
func (sc *setScan) Retain() { sc.refs.Add(1) }

// Release decrements the reference count; at zero it closes the scan.
func (sc *setScan) Release() {
	if sc.refs.Add(-1) == 0 {
		sc.Close()
	}
}

// Close stops the goroutines, closes every file and releases the batches
// in flight.
func (sc *setScan) Close() error {
	sc.closeOnce.Do(func() {
		sc.cancel()
		if sc.cur != nil {
			sc.cur.Release()
			sc.cur = nil
		}
		drain := func(t *fileTask) {
			for it := range t.out {
				if it.b != nil {
					it.b.Release()
				}
			}
		}
		if sc.task != nil {
			drain(sc.task)
		}
		for t := range sc.order {
			drain(t)
		}
		sc.wg.Wait()
	})
	return nil
}

// Progress reports the bytes of the files read to the end, of the total.
func (sc *setScan) Progress() (done, total int64, unit string) {
	return sc.bytesDone.Load(), sc.total, "bytes"
}

// Locate maps a row of the pass to its file and its row there.
func (sc *setScan) Locate(row int64) (string, int64) {
	i := sort.Search(len(sc.starts), func(i int) bool { return sc.starts[i] > row }) - 1
	if i < 0 {
		return "", row
	}
	// Files without rows share their start with the next one, which
	// sort.Search finds.
	return sc.names[i], row - sc.starts[i]
}

// Fingerprint lists every file read and hashes the list.
func (sc *setScan) Fingerprint() (Fingerprint, error) {
	if !sc.done || sc.err != nil {
		return Fingerprint{}, fmt.Errorf("%s: fingerprint: the data has not been read to the end", sc.set.location)
	}
	h := newHash(sc.set.opts.Fingerprint)
	fp := Fingerprint{
		Algorithm: sc.set.opts.Fingerprint,
		Path:      sc.set.location,
		Rows:      sc.rows,
		Columns:   sc.set.schema.NumFields(),
		Schema:    schemaString(sc.set.schema),
		Files:     sc.fps,
		Pruned:    sc.set.pruned,
		Unified:   sc.set.unified,
	}
	for i, f := range sc.fps {
		fmt.Fprintf(h, "%s\x00%d\x00%s\n", f.Path, f.Bytes, f.Hash)
		fp.Bytes += f.Bytes
		if ff := sc.set.files[i].format; i == 0 {
			fp.Format = ff
		} else if ff != fp.Format {
			fp.Format = "" // mixed
		}
	}
	fp.Hash = hexSum(h)
	return fp, nil
}
