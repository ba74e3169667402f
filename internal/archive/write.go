package archive

import (
	"archive/zip"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strings"

	"github.com/klauspost/compress/flate"
)

// Header constants of the reference generator's zips (docs/reference-generator.md §4.3, §4.4).
const (
	dosTime       = 0xB04B // 22:02:22
	dosDate       = 0x5456 // 2022-02-22
	madeByUnix30  = 0x031E // UNIX, version 3.0
	versionStore  = 10
	versionDeflt  = 20
	flagUTF8      = 0x0800
	unicodePathID = 0x7075 // Info-ZIP Unicode Path extra field ("up")
	attrDir       = 0x10   // MS-DOS directory bit
	deflateLevel  = 6      // fixed, so Deflate output is deterministic for a given klauspost/compress version
	centralLen    = 46     // fixed part of a central directory header
	max16         = 0xFFFF
	max32         = 0xFFFFFFFF
)

// ErrTooLarge is returned when an archive would need ZIP64, which the reference cannot write.
var ErrTooLarge = errors.New("archive: too large for a zip without ZIP64")

// Write writes entries, in the order given, as a zip archive in format f. It reads each file's content once
// (through a bounded buffer that spills to a temporary file), because the CRC and sizes precede the content.
func Write(w io.Writer, f Format, entries []Entry) error {
	if f != Mageos && f != Deflate {
		return fmt.Errorf("archive: unknown format %d", int(f))
	}
	// archive/zip switches to ZIP64 records at 0xFFFF entries.
	if len(entries) >= max16 {
		return fmt.Errorf("%w: %d entries", ErrTooLarge, len(entries))
	}
	ew := &entryWriter{format: f, cw: &countWriter{w: w}, sp: newSpool(spillLimit)}
	defer ew.sp.close()
	if f == Deflate {
		fw, err := flate.NewWriter(nil, deflateLevel)
		if err != nil {
			return fmt.Errorf("archive: deflate writer: %w", err)
		}
		ew.fw = fw
	}
	ew.zw = zip.NewWriter(ew.cw)
	for i := range entries {
		if err := ew.write(&entries[i]); err != nil {
			return fmt.Errorf("archive: entry %q: %w", entries[i].Path, err)
		}
	}
	if ew.cw.n+ew.central >= max32 {
		return fmt.Errorf("%w: %d bytes", ErrTooLarge, ew.cw.n+ew.central)
	}
	if err := ew.zw.Close(); err != nil {
		return fmt.Errorf("archive: finishing zip: %w", err)
	}
	return nil
}

// entryWriter holds the state of one Write call.
type entryWriter struct {
	format  Format
	cw      *countWriter
	zw      *zip.Writer
	sp      *spool
	fw      *flate.Writer
	crc     hashWriter
	central int64 // bytes the central directory will take
}

func (ew *entryWriter) write(e *Entry) error {
	if err := checkEntry(e); err != nil {
		return err
	}
	if ew.cw.n >= max32 {
		return fmt.Errorf("%w: offset %d", ErrTooLarge, ew.cw.n)
	}
	fh := ew.header(e)
	if e.File != nil {
		if err := ew.load(e.File, fh); err != nil {
			return err
		}
	}
	out, err := ew.zw.CreateRaw(fh)
	if err != nil {
		return fmt.Errorf("writing header: %w", err)
	}
	ew.central += centralLen + int64(len(fh.Name)+len(fh.Extra))
	if e.File == nil {
		return nil
	}
	if err := ew.sp.writeTo(out); err != nil {
		return fmt.Errorf("writing content: %w", err)
	}
	return nil
}

// header returns the entry's header without CRC and sizes.
func (ew *entryWriter) header(e *Entry) *zip.FileHeader {
	fh := &zip.FileHeader{
		Name:           e.Path,
		CreatorVersion: madeByUnix30,
		ReaderVersion:  versionStore,
		Method:         zip.Store,
		ModifiedTime:   dosTime,
		ModifiedDate:   dosDate,
		ExternalAttrs:  (e.Mode & 0xFFFF) << 16,
	}
	if ew.format == Deflate {
		fh.ReaderVersion = versionDeflt
	}
	if e.File == nil {
		fh.ExternalAttrs |= attrDir
	}
	if !isASCII(e.Path) {
		fh.Flags = flagUTF8
		fh.Extra = unicodePathExtra(e.Path)
	}
	return fh
}

// load reads the file's content into the spool (compressed for Deflate) and fills CRC, sizes and method.
func (ew *entryWriter) load(f *File, fh *zip.FileHeader) error {
	ew.sp.reset(f.Size)
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("opening: %w", err)
	}
	ew.crc.reset()
	var sink io.Writer = ew.sp
	if ew.fw != nil {
		ew.fw.Reset(ew.sp)
		sink = ew.fw
	}
	n, err := io.Copy(io.MultiWriter(sink, &ew.crc), rc)
	if cerr := rc.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("reading: %w", err)
	}
	if ew.fw != nil {
		if err := ew.fw.Close(); err != nil {
			return fmt.Errorf("compressing: %w", err)
		}
	}
	if n >= max32 || ew.sp.n >= max32 {
		return fmt.Errorf("%w: %d bytes", ErrTooLarge, n)
	}
	fh.CRC32 = ew.crc.sum
	fh.UncompressedSize64 = uint64(n)
	fh.CompressedSize64 = uint64(ew.sp.n)
	if ew.fw != nil {
		fh.Method = zip.Deflate
		if n == 0 { // an empty file is stored empty rather than as a 2-byte deflate stream
			fh.Method = zip.Store
			ew.sp.reset(0)
			fh.CompressedSize64 = 0
		}
	}
	return nil
}

// checkEntry rejects names that are not relative, clean paths, names extractors misread ([CheckName]), and
// dir/file mismatches.
func checkEntry(e *Entry) error {
	p := e.Path
	if p == "" || p[0] == '/' || strings.IndexByte(p, 0) >= 0 {
		return errors.New("invalid path")
	}
	if err := CheckName(p); err != nil {
		return err
	}
	isDir := strings.HasSuffix(p, "/")
	if isDir != (e.File == nil) {
		return errors.New("directory entries (and only they) must end in \"/\" and have no file")
	}
	for part := range strings.SplitSeq(strings.TrimSuffix(p, "/"), "/") {
		if part == "" || part == "." || part == ".." {
			return errors.New("path has an empty, \".\" or \"..\" element")
		}
	}
	return nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// unicodePathExtra returns the Info-ZIP Unicode Path extra field JSZip adds to non-ASCII names: version 1,
// the CRC-32 of the name as stored in the header, then the UTF-8 name.
func unicodePathExtra(name string) []byte {
	b := make([]byte, 0, 9+len(name))
	b = binary.LittleEndian.AppendUint16(b, unicodePathID)
	b = binary.LittleEndian.AppendUint16(b, uint16(5+len(name)))
	b = append(b, 1)
	b = binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE([]byte(name)))
	return append(b, name...)
}

// countWriter counts the bytes written through it, to detect offsets that would need ZIP64.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// hashWriter is a CRC-32 (IEEE) writer without the allocation of hash.Hash32.
type hashWriter struct{ sum uint32 }

func (h *hashWriter) reset() { h.sum = 0 }

func (h *hashWriter) Write(p []byte) (int, error) {
	h.sum = crc32.Update(h.sum, crc32.IEEETable, p)
	return len(p), nil
}
