package build

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/mage-os/magerepo/internal/config"
	"github.com/mage-os/magerepo/internal/repo"
)

// stateFile records which tags have been fully processed, so a run with nothing new reads only refs.
const stateFile = "build-state.json"

// buildState maps a source's location to the tags done under one layout configuration.
type buildState struct {
	Version int                     `json:"version"`
	Sources map[string]*sourceState `json:"sources"`
	// Published holds the options of the last complete publish.
	Published *repo.PublishOptions `json:"published,omitempty"`
	// Renderer is the repo.RenderVersion that publish was made with: a magerepo that renders the same manifest
	// into other bytes (new web pages, a metadata fix) publishes again although nothing else is new.
	Renderer int `json:"renderer,omitempty"`
	// Prebuilt maps a prebuilt source's name to the git tree of its zip directory whose every zip was
	// published (or reported as a duplicate) by a run that completed: the same tree needs no work.
	Prebuilt map[string]*prebuiltState `json:"prebuilt,omitempty"`
	// Advisories are the security advisories the last complete run published (advisories.go).
	Advisories *advisoriesState `json:"advisories,omitempty"`
	// Nightly holds the published nightly sets of a profile that builds branches (nightly.go).
	Nightly *nightlyState `json:"nightly,omitempty"`
	// Releases maps each distribution release done to what it was made with (distro.go).
	Releases map[string]*releaseState `json:"releases,omitempty"`
}

// releaseState records a distribution release that is done.
type releaseState struct {
	// Config is releaseHash of the settings it was made with.
	Config string `json:"config"`
	// Vendor is the vendor it is published under: a release's vendor never changes.
	Vendor string `json:"vendor"`
}

type prebuiltState struct {
	// Config is a hash of what decides where the zips of the tree are published (prebuiltHash).
	Config string `json:"config"`
	// Tree is the git tree id of the source's zip directory.
	Tree string `json:"tree"`
}

type sourceState struct {
	// Config is a hash of everything that changes what a tag yields; when it changes, every tag is expanded
	// again (published versions are still never rebuilt).
	Config string `json:"config"`
	// Tags maps tag name to the commit it was processed at.
	Tags map[string]string `json:"tags"`
}

func loadState(out *repo.Repo) (*buildState, error) {
	st := &buildState{Version: 1, Sources: map[string]*sourceState{}}
	if _, err := out.ReadState(stateFile, st); err != nil {
		return nil, err
	}
	if st.Sources == nil {
		st.Sources = map[string]*sourceState{}
	}
	if st.Prebuilt == nil {
		st.Prebuilt = map[string]*prebuiltState{}
	}
	return st, nil
}

func (st *buildState) save(out *repo.Repo) error { return out.WriteReport(stateFile, st) }

// forSource returns the state of a source, reset when its configuration changed.
func (st *buildState) forSource(location, hash string) *sourceState {
	s := st.Sources[location]
	if s == nil || s.Config != hash {
		s = &sourceState{Config: hash, Tags: map[string]string{}}
		st.Sources[location] = s
	}
	return s
}

// configHash covers what a source's tags yield: its layouts and tag rules, the archive format, the fixes that
// name it and the base URL (the project package embeds it).
func configHash(c *config.Config, s config.Source) string {
	type fixesOf struct {
		Pins    []config.VersionPin
		Patches []config.Patch
		Refs    []config.ExtraRef
		Repl    []config.FileReplacement
	}
	f := fixesOf{
		Pins:    ofSource(c.VersionPins, s.Name, func(p config.VersionPin) string { return p.Source }),
		Patches: ofSource(c.Patches, s.Name, func(p config.Patch) string { return p.Source }),
		Refs:    ofSource(c.ExtraRefs, s.Name, func(r config.ExtraRef) string { return r.Source }),
		Repl:    ofSource(c.FileReplacements, s.Name, func(r config.FileReplacement) string { return r.Source }),
	}
	b, _ := json.Marshal(struct {
		V      int
		Format string
		Base   string
		Src    config.Source
		Fixes  fixesOf
	}{2, c.ArchiveFormat, c.BaseURL, s, f})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// ofSource keeps the fixes that name source.
func ofSource[T any](all []T, source string, sourceOf func(T) string) []T {
	var out []T
	for _, x := range all {
		if sourceOf(x) == source {
			out = append(out, x)
		}
	}
	return out
}

// prebuiltHash covers what decides how a prebuilt source's zips are published besides their bytes: the
// directory read and the dist directory they are published under.
func prebuiltHash(c *config.Config, s config.PrebuiltSource) string {
	b, _ := json.Marshal(struct {
		V       int
		Dir     string
		DistDir string
	}{1, s.Dir, c.DistDir})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
