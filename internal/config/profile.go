package config

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// profiles holds the embedded default profile and the data files its fixes refer to.
//
//go:embed profiles
var profiles embed.FS

const (
	defaultProfilePath = "profiles/mageos-mirror.yaml"
	defaultDataDir     = "profiles/data"
	// DefaultProfileName is how errors name the embedded profile.
	DefaultProfileName = "embedded profile mageos-mirror.yaml"
)

// DefaultYAML returns the embedded default profile, the Magento Open Source mirror, as written (comments
// included), for `magerepo profile show`.
func DefaultYAML() []byte {
	b, err := profiles.ReadFile(defaultProfilePath)
	if err != nil {
		// The file is compiled in; a missing file is a build defect, not bad input.
		panic(fmt.Sprintf("config: embedded profile missing: %v", err))
	}
	return b
}

// Default parses and validates the embedded default profile. Each call returns a new Config the caller may
// change (base-url, prebuilt directories). Its File is "": its data paths resolve in [DefaultDataFS].
func Default() (*Config, error) {
	c, err := Parse(DefaultYAML(), DefaultProfileName)
	if err != nil {
		return nil, err
	}
	c.File = ""
	return c, nil
}

// DefaultDataFS returns the data files of the embedded profile (file-replacement bytes), rooted where its
// data: paths are relative to.
func DefaultDataFS() fs.FS {
	sub, err := fs.Sub(profiles, defaultDataDir)
	if err != nil {
		panic(fmt.Sprintf("config: embedded profile data missing: %v", err))
	}
	return sub
}

// DataFS returns where c's relative data paths resolve: DataDir if set, the embedded data for the embedded
// profile (File ""), else the directory of the configuration file.
func DataFS(c *Config) fs.FS {
	switch {
	case c.DataDir != "":
		return os.DirFS(c.DataDir)
	case c.File == "":
		return DefaultDataFS()
	}
	return os.DirFS(filepath.Dir(c.File))
}
