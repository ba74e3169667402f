package archive

import (
	"bytes"
	"fmt"
	"io"
	"os"
)

// spillLimit is the content size kept in memory; larger content goes to a temporary file.
const spillLimit = 16 << 20

// spool buffers one entry's content in memory up to a limit, then in a temporary file, so memory stays
// bounded whatever the file sizes.
type spool struct {
	buf   bytes.Buffer
	file  *os.File // nil until the limit is first exceeded; reused for later entries
	inMem bool     // content is in buf (false: in file)
	n     int64
	limit int
}

func newSpool(limit int) *spool { return &spool{limit: limit, inMem: true} }

// reset empties the spool; sizeHint (or -1) pre-sizes the memory buffer.
func (s *spool) reset(sizeHint int64) {
	s.buf.Reset()
	s.n = 0
	s.inMem = true
	if sizeHint > 0 && sizeHint <= int64(s.limit) {
		s.buf.Grow(int(sizeHint))
	}
}

func (s *spool) Write(p []byte) (int, error) {
	if s.inMem && s.buf.Len()+len(p) > s.limit {
		if err := s.spill(); err != nil {
			return 0, err
		}
	}
	if s.inMem {
		s.buf.Write(p)
		s.n += int64(len(p))
		return len(p), nil
	}
	n, err := s.file.Write(p)
	s.n += int64(n)
	return n, err
}

// spill moves the buffered bytes to the (truncated) temporary file.
func (s *spool) spill() error {
	if s.file == nil {
		f, err := os.CreateTemp("", "magerepo-archive-*")
		if err != nil {
			return fmt.Errorf("archive: spill file: %w", err)
		}
		s.file = f
	}
	if err := s.file.Truncate(0); err != nil {
		return fmt.Errorf("archive: spill file: %w", err)
	}
	if _, err := s.file.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("archive: spill file: %w", err)
	}
	if _, err := s.file.Write(s.buf.Bytes()); err != nil {
		return fmt.Errorf("archive: spill file: %w", err)
	}
	s.buf.Reset()
	s.inMem = false
	return nil
}

// writeTo copies the spooled content to w.
func (s *spool) writeTo(w io.Writer) error {
	if s.inMem {
		_, err := w.Write(s.buf.Bytes())
		return err
	}
	if _, err := s.file.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err := io.CopyN(w, s.file, s.n)
	return err
}

// close removes the temporary file, if any.
func (s *spool) close() {
	if s.file != nil {
		name := s.file.Name()
		_ = s.file.Close()
		_ = os.Remove(name)
		s.file = nil
	}
}
