package archive

import "fmt"

// Format is an archive format. It implements pflag.Value, so an unknown name fails while flags are parsed.
type Format int

const (
	// Mageos is byte-identical to the reference generator: STORE, fixed DOS time, no data descriptor.
	Mageos Format = iota
	// Deflate has the Mageos order, names, modes and times, with deflate-compressed file content.
	Deflate
)

var formatNames = [...]string{Mageos: "mageos", Deflate: "deflate"}

// ParseFormat returns the Format named s ("mageos" or "deflate").
func ParseFormat(s string) (Format, error) {
	for f, name := range formatNames {
		if s == name {
			return Format(f), nil
		}
	}
	return 0, fmt.Errorf("archive: unknown format %q (want mageos or deflate)", s)
}

// String returns the format's name as accepted by [ParseFormat].
func (f Format) String() string {
	if f < 0 || int(f) >= len(formatNames) {
		return fmt.Sprintf("Format(%d)", int(f))
	}
	return formatNames[f]
}

// Set parses s into f (pflag.Value).
func (f *Format) Set(s string) error {
	v, err := ParseFormat(s)
	if err != nil {
		return err
	}
	*f = v
	return nil
}

// Type names the flag value type in help output (pflag.Value).
func (f *Format) Type() string { return "format" }
