package dataset

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readBoth reads path with the parallel decoder and with encoding/csv and
// requires the same batches, or the same error.
func readBoth(t *testing.T, path string, opts Options) (result, error) {
	t.Helper()
	seqOpts := opts
	seqOpts.sequential = true
	want, wantErr := read(t, path, seqOpts)
	got, gotErr := read(t, path, opts)
	if wantErr != nil || gotErr != nil {
		require.Error(t, gotErr, "the parallel decoder succeeded where encoding/csv failed with: %v", wantErr)
		require.EqualError(t, gotErr, fmt.Sprint(wantErr))
		return got, gotErr
	}
	require.Equal(t, schemaOf(want.fileSchema), schemaOf(got.fileSchema))
	require.Equal(t, schemaOf(want.schema), schemaOf(got.schema))
	require.Equal(t, want.batches, got.batches)
	require.Equal(t, want.rows, got.rows)
	require.Equal(t, want.fp, got.fp)
	return got, nil
}

// genText writes a random CSV (or, with tab, TSV) file of rows rows whose
// columns are an int, a float, a string with every kind of quoting and a
// date, with nulls, blank lines and CRLF line ends mixed in. With bad, some
// floats are out of range.
func genText(r *rand.Rand, rows int, tab, quotes, header, bad bool) string {
	var b strings.Builder
	delim := ","
	if tab {
		delim = "\t"
	}
	if r.IntN(4) == 0 {
		b.WriteString(utf8BOM)
	}
	eol := func() {
		if r.IntN(5) == 0 {
			b.WriteString("\r\n")
		} else {
			b.WriteString("\n")
		}
		if r.IntN(40) == 0 {
			b.WriteString("\n")
		}
	}
	if header {
		b.WriteString(strings.Join([]string{"i", "x", "s", "d"}, delim))
		eol()
	}
	words := []string{"a", "b c", "NA", "", "null", "x,y", "tab\there", "1.5", "ünï"}
	for i := range rows {
		var f [4]string
		f[0] = strconv.Itoa(r.IntN(2000) - 1000)
		if r.IntN(50) == 0 {
			f[0] = " " + f[0] + " "
		}
		switch r.IntN(6) {
		case 0:
			f[1] = strconv.FormatFloat(r.NormFloat64()*1e5, 'g', -1, 64)
		case 1:
			f[1] = strconv.FormatFloat(r.Float64(), 'e', r.IntN(20), 64)
		case 2:
			f[1] = strconv.FormatFloat(math.Ldexp(r.Float64(), r.IntN(2000)-1000), 'g', -1, 64)
		case 3:
			f[1] = strconv.Itoa(r.IntN(100))
		case 4:
			f[1] = []string{"", "NA", "inf", "-0", "NaN", "1e300", ".5", "5.", "00012.50", "123456789012345678901234"}[r.IntN(10)]
			if bad && r.IntN(10) == 0 {
				f[1] = "1e400"
			}
		default:
			f[1] = strconv.FormatFloat(r.Float64()*100, 'f', r.IntN(18), 64)
		}
		w := words[r.IntN(len(words))]
		if quotes {
			switch r.IntN(5) {
			case 0:
				w = `"` + strings.ReplaceAll(w+`"q"`, `"`, `""`) + `"`
			case 1:
				w = "\"multi\nline" + []string{"\r\n", "\n\n", ""}[r.IntN(3)] + w + "\""
			case 2:
				w = `"` + w + `"`
			}
		}
		if !quotes && (strings.Contains(w, delim) || strings.ContainsAny(w, "\"")) {
			w = "plain"
		}
		if strings.Contains(w, delim) && !strings.HasPrefix(w, `"`) {
			w = `"` + w + `"`
		}
		f[2] = w
		f[3] = fmt.Sprintf("2024-%02d-%02d", 1+r.IntN(12), 1+r.IntN(28))
		if i%97 == 5 {
			f[3] = ""
		}
		b.WriteString(strings.Join(f[:], delim))
		if i < rows-1 || r.IntN(2) == 0 {
			eol()
		}
	}
	return b.String()
}

// TestParallelMatchesSequential decodes generated files with the parallel
// decoder cut into many chunks and with encoding/csv, and requires the same
// batches.
func TestParallelMatchesSequential(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	floatType := map[string]arrow.DataType{"x": arrow.PrimitiveTypes.Float64}
	for n := range 40 {
		tab, quotes, header := n%2 == 1, n%3 != 0, n%5 != 4
		rows := []int{1, 2, 30, 200, 1000}[n%5]
		content := genText(r, rows, tab, quotes, header, n%4 == 3)
		name := "d.csv"
		if tab {
			name = "d.tsv"
		}
		path := writeFile(t, name, content)
		for _, batch := range []int{1, 7, 100000} {
			for _, chunk := range []int{1, 100, 0} {
				opts := Options{BatchSize: batch, chunkBytes: chunk, InferRows: 50, Types: floatType}
				if !header {
					opts.Header = HeaderAbsent
					opts.Types = map[string]arrow.DataType{"column1": arrow.PrimitiveTypes.Float64}
				}
				t.Run(fmt.Sprintf("file%d/batch%d/chunk%d", n, batch, chunk), func(t *testing.T) {
					readBoth(t, path, opts)
					if header {
						opts.Columns = []string{"d", "x", "i"}
						readBoth(t, path, opts)
					}
					opts.NullValues = []string{"a", "-0"}
					readBoth(t, path, opts)
				})
			}
		}
	}
}

// TestParallelEdgeCases compares the decoders on inputs at the corners of
// encoding/csv's rules.
func TestParallelEdgeCases(t *testing.T) {
	tests := []struct{ name, content string }{
		{"no final newline", "a,b\n1,2\n3,4"},
		{"final CR", "a,b\n1,2\n3,4\r"},
		{"final lone CR line", "a,b\n1,2\n\r"},
		{"CR inside a line", "a,b\n1,x\ry\n"},
		{"CR CR LF", "a,b\n1,x\r\r\n"},
		{"quoted CRLF", "a,b\n1,\"x\r\ny\"\r\n2,z\n"},
		{"quoted blank lines", "a,b\n1,\"\n\n\"\n2,z\n"},
		{"quoted final CR", "a,b\n1,\"x\"\r"},
		{"escaped quotes", "a,b\n1,\"\"\"\"\n2,\"a\"\"b\"\n"},
		{"empty quoted null", "a,b\n1,\"\"\n2,\"NA\"\n"},
		{"bare quote", "a,b\n1,2\n1,x\"y\n"},
		{"quote then text", "a,b\n1,2\n1,\"x\"y\n"},
		{"quote then CR", "a,b\n1,2\n1,\"x\"\r\r\n"},
		{"unterminated quote", "a,b\n1,2\n1,\"xy\n3,4\n"},
		{"unterminated quote at EOF", "a,b\n1,2\n1,\"xy"},
		{"unterminated quote then CR", "a,b\n1,2\n1,\"xy\n\r"},
		{"ragged", "a,b\n1,2\n3\n"},
		{"ragged quoted", "a,b\n1,2\n\"3\n4\"\n"},
		{"blank lines", "\n\r\na,b\n\n1,2\r\n\r\n\n3,4\n\n"},
		{"bad int after quoted newline", "a,b\n1,\"x\ny\"\n2,z\nq,w\n"},
		{"spaces around numbers", "a,b\n 1 ,\t2.5\n3,4\n"},
		{"leading-space quote", "a,b\n1, \"x\"\n"},
	}
	for _, tt := range tests {
		for _, format := range []Format{CSV, TSV} {
			content := tt.content
			if format == TSV {
				content = strings.ReplaceAll(content, ",", "\t")
			}
			for _, chunk := range []int{1, 0} {
				t.Run(fmt.Sprint(tt.name, "/", format, "/", chunk), func(t *testing.T) {
					path := writeFile(t, "d", content)
					readBoth(t, path, Options{Format: format, BatchSize: 1, InferRows: 1, chunkBytes: chunk})
					readBoth(t, path, Options{Format: format, BatchSize: 2, InferRows: 1, chunkBytes: chunk, Header: HeaderPresent,
						Types: map[string]arrow.DataType{"a": arrow.PrimitiveTypes.Int64}})
				})
			}
		}
	}
}

// TestParallelErrorLines checks errors far into a file cut into many chunks,
// with quoted newlines before them, name the right line.
func TestParallelErrorLines(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,note,v\n")
	line := 2
	for i := range 3000 {
		if i%10 == 0 {
			fmt.Fprintf(&b, "%d,\"two\nlines\",%d\n", i, i)
			line += 2
		} else {
			fmt.Fprintf(&b, "%d,one,%d\n", i, i)
			line++
		}
	}
	body := b.String()
	tests := []struct {
		name, tail, want string
	}{
		{"value", "3000,x,1.5\n", fmt.Sprintf(`data.csv:%d:3: column "v": "1.5" is not a valid int64 (type inferred from the first 100 rows; set it with types: {v: float64})`, line)},
		{"ragged", "3000,x\n", fmt.Sprintf(`data.csv:%d: row has 2 fields, header has 3`, line)},
		{"bare quote", "3000,x\"y,1\n", fmt.Sprintf(`data.csv:%d: bare " in non-quoted-field (at byte 7 of the line)`, line)},
		{"quote", "3000,\"x\ny\"z,1\n", fmt.Sprintf(`data.csv:%d: extraneous or missing " in quoted-field (at byte 2 of the line)`, line+1)},
		{"unterminated", "3000,\"x\ny,1\n", fmt.Sprintf(`data.csv:%d: extraneous or missing " in quoted-field (at byte 10 of the line)`, line+2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := here(t, "data.csv", body+tt.tail+"3001,y,2\n")
			for _, chunk := range []int{64, 1000, 0} {
				_, err := readBoth(t, path, Options{BatchSize: 128, InferRows: 100, chunkBytes: chunk})
				require.EqualError(t, err, tt.want)
			}
		})
	}
}

// TestParallelBatchesAcrossChunks checks that batches larger than the chunk
// cap are concatenated from several chunks.
func TestParallelBatchesAcrossChunks(t *testing.T) {
	var b strings.Builder
	b.WriteString("i,s\n")
	for i := range 5000 {
		fmt.Fprintf(&b, "%d,s%d\n", i, i)
	}
	path := writeFile(t, "d.csv", b.String())
	res, err := readBoth(t, path, Options{BatchSize: 3000, chunkBytes: 100})
	require.NoError(t, err)
	assert.Equal(t, []int64{3000, 2000}, res.batches)
}

// TestParallelEarlyClose stops reading after one batch, and after
// cancelling, with the producer still running: every batch must be
// released and the producer stopped.
func TestParallelEarlyClose(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	path := writeFile(t, "d.csv", genText(r, 5000, false, true, true, false))
	for _, batches := range []int{0, 1, 3} {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		rd, err := Open(context.Background(), path, Options{BatchSize: 10, chunkBytes: 200, Allocator: mem,
			Types: map[string]arrow.DataType{"x": arrow.BinaryTypes.String}})
		require.NoError(t, err)
		for range batches {
			require.True(t, rd.Next(), "%v", rd.Err())
		}
		require.NoError(t, rd.Close())
		mem.AssertSize(t, 0)
	}
}

func FuzzCSVParallel(f *testing.F) {
	for _, seed := range []string{
		"a,b\n1,2\n3,4\n",
		"1.5\t2\n3\t4\n",
		"x,y\n\"a\nb\",1\n,NA\n",
		"\ufeffid\n1\n2\n3\n4\n5\n6\nx\n",
		"a,b\n1,2\n3\n",
		"a\n\"unterminated\n",
		"a,b\r\n1,\"x\"\"y\"\r\n\r\n2,\"\"\r\n3,4\r",
		"a,b\n1,2\n1,\"x\"y\n",
		"a\tb\n1\tsay \"hi\"\n2\t\"x\"y\"\n3\t\"open\n",
		"i,x\n1,1e5\n2,-0.5\n3,1e400\n4,.5\n5,0x10\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, content []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, "f")
		require.NoError(t, os.WriteFile(path, content, 0o600))
		for _, format := range []Format{CSV, TSV} {
			readBoth(t, path, Options{Format: format, BatchSize: 3, InferRows: 4, chunkBytes: 8})
			readBoth(t, path, Options{Format: format, BatchSize: 2, InferRows: 2, chunkBytes: 1, Header: HeaderPresent})
		}
	})
}

// TestParseNumberBytes checks the fast number parsers against strconv on
// random and edge-case inputs.
func TestParseNumberBytes(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	check := func(s string) {
		want, wantOK := parseFloat(s, 64)
		got, ok := parseFloat64Bytes([]byte(s), pow10Table())
		// Digits past the end of the slice must not count.
		padded := append([]byte(s), "12345678"...)[:len(s)]
		gotPadded, okPadded := parseFloat64Bytes(padded, pow10Table())
		require.Equal(t, ok, okPadded, "%q", s)
		require.Equal(t, math.Float64bits(got), math.Float64bits(gotPadded), "%q", s)
		if ok {
			require.True(t, wantOK, "%q accepted, strconv rejects it", s)
			require.Equal(t, math.Float64bits(want), math.Float64bits(got), "%q", s)
		}
		wantI, wantIOK := parseInt(s, 64)
		gotI, okI := parseInt64Bytes([]byte(s))
		if okI {
			require.True(t, wantIOK, "%q accepted as an int, strconv rejects it", s)
			require.Equal(t, wantI, gotI, "%q", s)
		}
	}
	for _, s := range []string{"0", "-0", "+0", "0.0", "-0.0", ".5", "5.", "1e22", "1e23", "9007199254740993",
		"9007199254740992", "4.9e-324", "2.2250738585072014e-308", "1.7976931348623157e308", "1.8e308", "1e-400",
		"123456789012345678", "-123456789012345678", "1234567890123456789", "1e", "e5", ".", "-", "+", "1..2",
		"1e+", "1e-5", "1E5", "0.00000000000000000000123456789", "00000000000000000000001.5", "000000000000000000000",
		"1234567890123456789012e-5", "12345678901234567890", "1234567890123456789", "0.1234567890123456789", "9.999999999999999999e22", "0.000000000000000000000000000001", "100000000000000000000000e-23", "1_0", "0x10", " 1"} {
		check(s)
	}
	for range 200000 {
		f := math.Float64frombits(r.Uint64())
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		check(strconv.FormatFloat(f, 'g', -1, 64))
		check(strconv.FormatFloat(f, 'e', r.IntN(25), 64))
		check(strconv.FormatFloat(r.Float64()*math.Pow(10, float64(r.IntN(40)-20)), 'f', r.IntN(20), 64))
		check(strconv.FormatInt(r.Int64()>>r.IntN(64), 10))
	}
}

// benchCSV returns a CSV file of the benchmark's shape
// (examples/bench/README.md): id, age, income, score, region, label, x, y.
func benchCSV(rows int) []byte {
	r := rand.New(rand.NewPCG(1, 1))
	regions := []string{"north", "south", "east", "west", "central", "coast", "mountain", "island"}
	var b bytes.Buffer
	b.WriteString("id,age,income,score,region,label,x,y\n")
	var buf []byte
	for i := range rows {
		buf = strconv.AppendInt(buf[:0], int64(i), 10)
		buf = append(buf, ',')
		buf = strconv.AppendInt(buf, int64(r.IntN(101)), 10)
		buf = append(buf, ',')
		if r.IntN(100) != 0 {
			buf = strconv.AppendFloat(buf, math.Exp(10+0.5*r.NormFloat64()), 'g', -1, 64)
		}
		buf = append(buf, ',')
		if r.IntN(200) != 0 {
			buf = strconv.AppendFloat(buf, 100+15*r.NormFloat64(), 'g', -1, 64)
		}
		buf = append(buf, ',')
		buf = append(buf, regions[r.IntN(len(regions))]...)
		buf = append(buf, ',')
		buf = strconv.AppendInt(buf, int64(r.IntN(10)/9), 10)
		x := r.Float64() * 100
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, x, 'g', -1, 64)
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, 3.2*x+5+4*r.NormFloat64(), 'g', -1, 64)
		buf = append(buf, '\n')
		b.Write(buf)
	}
	return b.Bytes()
}

// BenchmarkCSVDecode decodes and hashes an in-memory CSV of the benchmark's
// shape, with the parallel decoder (all columns, and 3 of the 8) and with
// encoding/csv.
func BenchmarkCSVDecode(b *testing.B) {
	for _, rows := range []int{1e5, 1e6} {
		data := benchCSV(rows)
		for _, mode := range []string{"parallel", "parallel-3cols", "sequential"} {
			opts := Options{sequential: mode == "sequential"}
			if mode == "parallel-3cols" {
				opts.Columns = []string{"id", "score", "region"}
			}
			b.Run(fmt.Sprintf("rows=%d/%s", rows, mode), func(b *testing.B) {
				b.SetBytes(int64(len(data)))
				for b.Loop() {
					h := newHashingReader(bytes.NewReader(data), DefaultHash)
					src, err := newTextSource(h, "bench.csv", CSV, opts.withDefaults())
					if err != nil {
						b.Fatal(err)
					}
					var n int64
					for {
						rec, err := src.next()
						if err == io.EOF {
							break
						}
						if err != nil {
							b.Fatal(err)
						}
						n += rec.NumRows()
						rec.Release()
					}
					src.release()
					if n != int64(rows) {
						b.Fatalf("%d rows, want %d", n, rows)
					}
					h.finish()
				}
			})
		}
	}
}

// TestPow10Table checks entries of the computed table against strconv's
// (internal/strconv/pow10tab.go).
func TestPow10Table(t *testing.T) {
	tab := pow10Table()
	for _, tt := range []struct {
		e      int
		hi, lo uint64
	}{
		{-348, 0xfa8fd5a0081c0288, 0x1732c869cd60e453},
		{-347, 0x9c99e58405118195, 0x0e7fbd42205c8eb4},
		{-2, 0xa3d70a3d70a3d70a, 0x3d70a3d70a3d70a3},
		{-1, 0xcccccccccccccccc, 0xcccccccccccccccc},
		{0, 0x8000000000000000, 0},
		{1, 0xa000000000000000, 0},
		{-300, 0xab70fe17c79ac6ca, 0x6dbd630a48aaf406},
		{39, 0xbc143fa4e250eb31, 0x17d955a000000000},
		{100, 0x924d692ca61be758, 0x593c2626705f9c56},
		{347, 0xd13eb46469447567, 0x4b7195f2d2d1a9fb},
	} {
		assert.Equal(t, [2]uint64{tt.hi, tt.lo}, tab[tt.e-pow10Min], "1e%d", tt.e)
	}
}

// TestIndexShort compares indexShort with bytes.IndexByte.
func TestIndexShort(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for range 20000 {
		b := make([]byte, r.IntN(80))
		for i := range b {
			b[i] = byte(r.IntN(4)) + ','
		}
		if r.IntN(2) == 0 {
			for i := range b {
				if b[i] == ',' {
					b[i] = 0x80 | b[i]
				}
			}
		}
		require.Equal(t, bytes.IndexByte(b, ','), indexShort(b, ','), "%q", b)
	}
}

// TestAppendDigits checks the word-at-a-time digit parsing against a
// digit-by-digit loop.
func TestAppendDigits(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for range 200000 {
		b := make([]byte, r.IntN(30), 40)
		for i := range b {
			b[i] = '0' + byte(r.IntN(10))
			if r.IntN(12) == 0 {
				b[i] = byte(r.IntN(256))
			}
		}
		for i := len(b); i < cap(b); i++ {
			b = append(b, '0'+byte(r.IntN(10)))
		}
		b = b[:r.IntN(30)]
		from := r.IntN(len(b) + 1)
		man0 := r.Uint64N(1000)
		wantMan, wantEnd := man0, from
		for ; wantEnd < len(b) && b[wantEnd] >= '0' && b[wantEnd] <= '9'; wantEnd++ {
			wantMan = wantMan*10 + uint64(b[wantEnd]-'0')
		}
		man, end := appendDigits(man0, b, from)
		require.Equal(t, wantEnd, end, "%q from %d", b, from)
		require.Equal(t, wantMan, man, "%q from %d", b, from)
	}
}

// TestParallelIsUsed checks which decoder Open picks, so that the
// differential tests compare two different decoders.
func TestParallelIsUsed(t *testing.T) {
	path := writeFile(t, "d.csv", "a;b\n1;2\n")
	for _, tt := range []struct {
		opts     Options
		parallel bool
	}{
		{Options{}, true},
		{Options{Format: TSV}, true},
		{Options{Delimiter: ';'}, true},
		{Options{Delimiter: '§'}, false},
		{Options{sequential: true}, false},
	} {
		r, err := Open(context.Background(), path, tt.opts)
		require.NoError(t, err)
		assert.Equal(t, tt.parallel, r.src.(*textSource).par != nil, "%+v", tt.opts)
		require.NoError(t, r.Close())
	}
}

// TestParallelNumericNullTokens reads int64 and float64 columns with null
// tokens that are numbers, which must be nulls although the fast parsers
// accept them, and with the default tokens, which the fast parsers
// reject; the rows are written out by hand.
func TestParallelNumericNullTokens(t *testing.T) {
	path := writeFile(t, "d.csv", "i,x\n1,1.5\n-999,-999\n7,0.0\n,NA\n-9990,-999.0\n")
	types := map[string]arrow.DataType{"i": arrow.PrimitiveTypes.Int64, "x": arrow.PrimitiveTypes.Float64}
	for _, tt := range []struct {
		nulls []string
		want  [][]string
	}{
		{[]string{"-999", "0.0", ""}, [][]string{{"1", "1.5"}, {"(null)", "(null)"}, {"7", "(null)"}, {"(null)", "NA"}, {"-9990", "-999"}}},
		{nil, [][]string{{"1", "1.5"}, {"-999", "-999"}, {"7", "0"}, {"(null)", "(null)"}, {"-9990", "-999"}}},
	} {
		opts := Options{NullValues: tt.nulls, Types: types}
		if tt.nulls != nil {
			// "NA" is not a null token here: x cannot hold it.
			_, err := readBoth(t, path, opts)
			require.ErrorContains(t, err, `"NA" is not a valid float64`)
			opts.Types = map[string]arrow.DataType{"i": arrow.PrimitiveTypes.Int64, "x": arrow.BinaryTypes.String}
			res, err := readBoth(t, path, opts)
			require.NoError(t, err)
			assert.Equal(t, [][]string{{"1", "1.5"}, {"(null)", "(null)"}, {"7", "(null)"}, {"(null)", "NA"}, {"-9990", "-999.0"}}, res.rows)
			opts.NullValues = append(opts.NullValues, "NA")
			opts.Types = types
			tt.want[3][1] = "(null)"
		}
		res, err := readBoth(t, path, opts)
		require.NoError(t, err)
		assert.Equal(t, tt.want, res.rows)
	}
}

// BenchmarkCountLines counts the records of CSV text of the benchmark's
// shape without blank lines, as the producer does for quote-free data.
func BenchmarkCountLines(b *testing.B) {
	data := benchCSV(1e5)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if n, _ := countLines(data, math.MaxInt); n != 1e5+1 {
			b.Fatal(n)
		}
	}
}
