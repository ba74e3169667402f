package config

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// profiles holds the embedded profiles (profiles/NAME.yaml, listed by [Profiles]) and the data files their fixes
// refer to (profiles/data).
//
//go:embed profiles
var profiles embed.FS

const (
	defaultDataDir = "profiles/data"
	// DefaultProfileName is how errors name the embedded profile.
	DefaultProfileName = "embedded profile mageos-mirror.yaml"
)

// DefaultYAML returns the embedded default profile, the Magento Open Source mirror, as written (comments
// included), for `magerepo profile show`.
func DefaultYAML() []byte {
	b, err := ProfileYAML(DefaultProfile)
	if err != nil {
		// The file is compiled in; a missing file is a build defect, not bad input.
		panic(fmt.Sprintf("config: embedded profile missing: %v", err))
	}
	return b
}

// Default parses and validates the embedded default profile, [Profile]([DefaultProfile]). Each call returns a new
// Config the caller may change (base-url, prebuilt directories). Its File is "": its data paths resolve in
// [DefaultDataFS].
func Default() (*Config, error) { return Profile(DefaultProfile) }

// DefaultDataFS returns the data files of the embedded profiles (file-replacement bytes), rooted where their
// data: paths are relative to.
func DefaultDataFS() fs.FS {
	sub, err := fs.Sub(profiles, defaultDataDir)
	if err != nil {
		panic(fmt.Sprintf("config: embedded profile data missing: %v", err))
	}
	return sub
}

// DataFS returns where c's relative data paths resolve: DataDir if set, the embedded data for an embedded
// profile (File ""), else the directory of the configuration file.
// Inline contents (content: instead of data:) are served first, under their [InlineName].
func DataFS(c *Config) fs.FS {
	var base fs.FS
	switch {
	case c.DataDir != "":
		base = os.DirFS(c.DataDir)
	case c.File == "":
		base = DefaultDataFS()
	case c.Extends != "":
		base = overlayFS{os.DirFS(filepath.Dir(c.File)), DefaultDataFS()}
	default:
		base = os.DirFS(filepath.Dir(c.File))
	}
	if len(c.inline) == 0 {
		return base
	}
	return inlineFS{c.inline, base}
}

// inlineFS serves inline contents by name, and everything else from base.
type inlineFS struct {
	files map[string][]byte
	base  fs.FS
}

func (f inlineFS) Open(name string) (fs.File, error) {
	if b, ok := f.files[name]; ok {
		return &memFile{name: name, Reader: bytes.NewReader(b), size: int64(len(b))}, nil
	}
	return f.base.Open(name)
}

// memFile is an open inline content.
type memFile struct {
	*bytes.Reader
	name string
	size int64
}

func (f *memFile) Stat() (fs.FileInfo, error) { return memInfo{f}, nil }
func (f *memFile) Close() error               { return nil }

type memInfo struct{ f *memFile }

func (i memInfo) Name() string       { return i.f.name }
func (i memInfo) Size() int64        { return i.f.size }
func (i memInfo) Mode() fs.FileMode  { return 0o444 }
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return false }
func (i memInfo) Sys() any           { return nil }
