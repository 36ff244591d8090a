package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Output-path rules (README "Output files"):
//
//   - An empty value is a usage error (see parseArgs).
//   - "-" is standard output; at most one output may be "-".
//   - An output may not be an input of the run (the suite, the data, the
//     reference, a file named in a model command) nor another output: by
//     path and by os.SameFile. This is checked before any data is read or
//     any file is created.
//   - A regular file (or a path that does not exist yet) is written to a
//     temporary file beside it and renamed into place; any other existing
//     file (a device such as /dev/stdout or /dev/null, a FIFO) is written
//     directly, never replaced.
//   - The set is all-or-nothing: every output is rendered in memory first;
//     if one cannot be rendered or written, no result file is left in place
//     and existing files keep their former content.

// stdoutPath names standard output as an output path.
const stdoutPath = "-"

// output is one file a command writes: its flag or suite key (for
// messages), its path, and how to render it.
type output struct {
	name  string
	path  string
	write func(io.Writer) error
	// spool, when set, is a file already written while the run went (the
	// failed rows): it is renamed into place for a regular file, and
	// copied to standard output or a device; write is not called.
	spool string
}

// destination is an output's resolved kind.
type destination int

const (
	toFile    destination = iota // regular file: temp file + rename
	toSpecial                    // existing non-regular file: written directly
	toStdout                     // "-"
)

// kindOf classifies path; an existing directory is an error.
func kindOf(path string) (destination, os.FileInfo, error) {
	if path == stdoutPath {
		return toStdout, nil, nil
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return toFile, nil, nil
	case err != nil:
		return 0, nil, err
	case fi.IsDir():
		return 0, nil, fmt.Errorf("%s is a directory", path)
	case fi.Mode().IsRegular():
		return toFile, fi, nil
	}
	return toSpecial, fi, nil
}

// checkOutputs applies the output-path rules to outs against the run's
// inputs, before anything is read or written. Outputs with an empty path
// are not written and are skipped.
func checkOutputs(outs []output, inputs []string) error {
	type seen struct {
		name, path string
		fi         os.FileInfo
	}
	var ins []seen
	for _, in := range inputs {
		if in == "" || in == stdoutPath {
			continue
		}
		fi, _ := os.Stat(in)
		ins = append(ins, seen{path: in, fi: fi})
	}
	var prev []seen
	stdoutBy := ""
	for _, o := range outs {
		if o.path == "" {
			continue
		}
		kind, fi, err := kindOf(o.path)
		if err != nil {
			return fmt.Errorf("%s: %w", o.name, err)
		}
		if kind == toStdout {
			if stdoutBy != "" {
				return fmt.Errorf("%s and %s both write to standard output (-); give one of them a file", stdoutBy, o.name)
			}
			stdoutBy = o.name
			continue
		}
		for _, in := range ins {
			// A device or FIFO is written, not replaced: it cannot destroy
			// an input, and /dev/stdin and /dev/stdout may be one terminal.
			if kind == toFile && samePath(o.path, fi, in.path, in.fi) {
				return fmt.Errorf("%s %s is an input of the run (%s): refusing to overwrite it", o.name, o.path, in.path)
			}
		}
		if kind != toFile {
			continue // several outputs may go to /dev/null
		}
		for _, p := range prev {
			if samePath(o.path, fi, p.path, p.fi) {
				return fmt.Errorf("%s and %s both write to %s", p.name, o.name, o.path)
			}
		}
		prev = append(prev, seen{name: o.name, path: o.path, fi: fi})
	}
	return nil
}

// samePath reports whether a and b name one file: equal absolute cleaned
// paths, or os.SameFile when both exist.
func samePath(a string, afi os.FileInfo, b string, bfi os.FileInfo) bool {
	if afi != nil && bfi != nil && os.SameFile(afi, bfi) {
		return true
	}
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}

// writeOutputs renders every output in memory and writes the set
// all-or-nothing (see the rules above). ctx is checked before anything is
// put in place: an interrupted run writes nothing.
func writeOutputs(ctx context.Context, outs []output, stdout io.Writer) error {
	type staged struct {
		o      output
		kind   destination
		data   []byte
		tmp    string // toFile: the temporary file
		backup string // toFile: a hard link to the former file, if any
	}
	var st []*staged
	for _, o := range outs {
		if o.path == "" {
			continue
		}
		kind, _, err := kindOf(o.path)
		if err != nil {
			return fmt.Errorf("%s: %w", o.name, err)
		}
		if o.spool != "" {
			s := &staged{o: o, kind: kind}
			if kind == toFile {
				s.tmp = o.spool
			}
			st = append(st, s)
			continue
		}
		var buf bytes.Buffer
		if err := o.write(&buf); err != nil {
			return fmt.Errorf("render %s: %w", o.path, err)
		}
		st = append(st, &staged{o: o, kind: kind, data: buf.Bytes()})
	}
	cleanup := func() {
		for _, s := range st {
			if s.tmp != "" {
				os.Remove(s.tmp)
			}
			if s.backup != "" {
				os.Remove(s.backup)
			}
		}
	}
	// Stage regular files beside their destinations.
	for _, s := range st {
		if s.kind != toFile || s.tmp != "" {
			continue
		}
		if err := stage(s.o.path, s.data, &s.tmp); err != nil {
			cleanup()
			return fmt.Errorf("write %s: %w", s.o.path, err)
		}
	}
	if err := ctx.Err(); err != nil {
		cleanup()
		return err
	}
	// Devices, FIFOs and standard output cannot be taken back: write them
	// once every regular file is staged, before any is put in place.
	for _, s := range st {
		var err error
		switch {
		case s.kind == toFile:
			continue
		case s.o.spool != "":
			err = copySpool(s.o.spool, s.o.path, s.kind, stdout)
		case s.kind == toStdout:
			_, err = stdout.Write(s.data)
		case s.kind == toSpecial:
			err = writeSpecial(s.o.path, s.data)
		}
		if err != nil {
			cleanup()
			return fmt.Errorf("write %s: %w", s.o.path, err)
		}
	}
	// Keep a link to each former file so that a failed rename can be
	// undone; then rename every staged file into place.
	for _, s := range st {
		if s.kind != toFile {
			continue
		}
		if _, err := os.Lstat(s.o.path); err == nil {
			b := s.tmp + ".old"
			if os.Link(s.o.path, b) == nil {
				s.backup = b
			}
		}
	}
	for i, s := range st {
		if s.kind != toFile {
			continue
		}
		if err := os.Rename(s.tmp, s.o.path); err != nil {
			// Undo the renames done: restore former files, remove new ones.
			for _, d := range st[:i] {
				if d.kind != toFile {
					continue
				}
				if d.backup != "" {
					if os.Rename(d.backup, d.o.path) == nil {
						d.backup = ""
					}
				} else {
					os.Remove(d.o.path)
				}
				d.tmp = ""
			}
			cleanup()
			return fmt.Errorf("write %s: %w", s.o.path, err)
		}
		s.tmp = ""
	}
	for _, s := range st {
		if s.backup != "" {
			os.Remove(s.backup)
		}
	}
	return nil
}

// stage writes data to a new temporary file beside path and sets *tmp to
// its name.
func stage(path string, data []byte, tmp *string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	*tmp = f.Name()
	_, werr := f.Write(data)
	if werr == nil {
		werr = f.Chmod(0o644) // CreateTemp makes files only their owner can read
	}
	cerr := f.Close()
	return errors.Join(werr, cerr)
}

// writeSpecial writes data to an existing device or FIFO, without
// truncating or replacing it.
func writeSpecial(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	return errors.Join(werr, f.Close())
}

// copySpool copies a spooled output to standard output or a device,
// streaming, in bounded memory.
func copySpool(spool, path string, kind destination, stdout io.Writer) error {
	in, err := os.Open(spool)
	if err != nil {
		return err
	}
	defer in.Close()
	if kind == toStdout {
		_, err = io.Copy(stdout, in)
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, werr := io.Copy(f, in)
	return errors.Join(werr, f.Close())
}

// spoolFile creates the file an output streamed during the run is written
// to: a temporary file beside a regular file's path (renamed into place
// by writeOutputs), else one in the temporary directory (copied).
func spoolFile(path string) (*os.File, error) {
	kind, _, err := kindOf(path)
	if err != nil {
		return nil, err
	}
	if kind != toFile {
		return os.CreateTemp("", "trustml-spool-*")
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err == nil {
		err = f.Chmod(0o644)
	}
	return f, err
}
