package dataset

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
)

// magic is the signature at the start of a file format that Open reads,
// or that people mistake for one.
type magic struct {
	prefix string
	name   string // what the file is, for errors
	format Format // the format to set to read it, or "" if Open cannot
}

// magics are checked in order against a file's first bytes.
var magics = []magic{
	{"\x1f\x8b", "gzip-compressed", ""},
	{"PAR1", "a Parquet file", Parquet},
	{"ARROW1", "an Arrow IPC file", ArrowFile},
	{"\xff\xff\xff\xff", "an Arrow IPC stream", ArrowStream},
	{"\x28\xb5\x2f\xfd", "zstd-compressed", ""},
	{"BZh", "bzip2-compressed", ""},
	{"\xfd7zXZ\x00", "xz-compressed", ""},
	{"PK\x03\x04", "a ZIP archive (or an Excel .xlsx workbook)", ""},
	{"\xd0\xcf\x11\xe0", "an Excel .xls workbook", ""},
}

// sniff returns the magic that head starts with, if any.
func sniff(head []byte) (magic, bool) {
	for _, m := range magics {
		if bytes.HasPrefix(head, []byte(m.prefix)) {
			return m, true
		}
	}
	return magic{}, false
}

// wrongFormat is the error for a file whose content is m but that is read
// as format: it names what the file is and how to read it.
func wrongFormat(path string, format Format, m magic) error {
	fix := "convert it to a format trustml reads"
	if m.format != "" {
		fix = fmt.Sprintf("give it the extension .%s or set format: %s", m.format, m.format)
	}
	return fmt.Errorf("%s: the file is %s, not %s; %s", path, m.name, formatTitle(format), fix)
}

// formatTitle names a format in prose.
func formatTitle(f Format) string {
	switch f {
	case CSV:
		return "CSV text"
	case TSV:
		return "tab-separated text"
	case JSONLines:
		return "JSON Lines text"
	case Parquet:
		return "a Parquet file"
	case ArrowFile:
		return "an Arrow IPC file"
	case ArrowStream:
		return "an Arrow IPC stream"
	}
	return string(f)
}

// sniffStream prepares the stream of a file to be decoded as a streaming
// format: it checks the first bytes against the known signatures, so that
// a binary file is named as what it is instead of failing as bad text;
// decompresses gzip (text formats only); and, for text, translates
// old Mac line endings (a lone CR: the first 64 KiB hold a CR and no LF)
// into LF. An empty stream is ErrEmpty. A pipe (not a regular file) that
// holds a format that needs random access is an error that says so.
func sniffStream(r io.Reader, path string, format Format, pipe bool) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(8)
	if len(head) == 0 {
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return nil, &emptyError{path: path, why: "the file is empty"}
	}
	text := format == CSV || format == TSV || format == JSONLines
	var in io.Reader = br
	if m, ok := sniff(head); ok && m.format != format {
		if pipe && (m.format == Parquet || m.format == ArrowFile) {
			return nil, notSeekable(path, m)
		}
		if !text || m.prefix != "\x1f\x8b" {
			return nil, wrongFormat(path, format, m)
		}
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: gzip: %w", path, err)
		}
		br = bufio.NewReaderSize(zr, 64<<10)
		in = br
		if head, err = br.Peek(8); len(head) == 0 {
			if err != nil && err != io.EOF {
				return nil, fmt.Errorf("%s: gzip: %w", path, err)
			}
			return nil, &emptyError{path: path, why: "the gzip-compressed file is empty"}
		}
		if m, ok := sniff(head); ok {
			return nil, fmt.Errorf("%s: the gzip-compressed content is %s, not %s", path, m.name, formatTitle(format))
		}
	}
	if !text {
		return in, nil
	}
	// Peek returns what it has with an error when the stream is shorter.
	head, _ = br.Peek(64 << 10)
	if bytes.IndexByte(head, '\n') < 0 && bytes.IndexByte(head, '\r') >= 0 {
		return &crReader{r: br}, nil
	}
	return in, nil
}

// crReader reads a text with CR line endings as one with LF endings.
type crReader struct {
	r io.Reader
}

func (c *crReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	b := p[:n]
	for {
		i := bytes.IndexByte(b, '\r')
		if i < 0 {
			break
		}
		b[i] = '\n'
		b = b[i+1:]
	}
	return n, err
}

func notSeekable(path string, m magic) error {
	return fmt.Errorf("%s: the data is %s, which is read by seeking: it cannot be read from a pipe or device; save it to a file first", path, m.name)
}

// checkParquet checks that f can be read as Parquet: a regular file (the
// footer is read first) that starts with Parquet's signature.
func checkParquet(f io.ReaderAt, path string, regular bool) error {
	if !regular {
		return notSeekable(path, magic{name: "Parquet"})
	}
	head := make([]byte, 8)
	n, err := f.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		return fmt.Errorf("%s: %w", path, err)
	}
	head = head[:n]
	if bytes.HasPrefix(head, []byte("PAR1")) {
		return nil
	}
	if m, ok := sniff(head); ok {
		return wrongFormat(path, Parquet, m)
	}
	return fmt.Errorf("%s: not a Parquet file: it does not start with Parquet's signature PAR1", path)
}
