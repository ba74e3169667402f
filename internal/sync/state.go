package sync

import (
	"fmt"
	"maps"

	"github.com/mage-os/magerepo/internal/repo"
)

// stateName is the sync state file under ".magerepo/".
const stateName = "sync-state.json"

// state is what a run remembers for the next one: the Last-Modified of every
// upstream metadata file that was synced completely, and the versions it held
// (so a 304 still tells which versions upstream has, for pruning).
type state struct {
	// Key identifies the upstream and the options that shape local entries;
	// state saved under another key is ignored.
	Key      string               `json:"key"`
	Root     fileState            `json:"root"`
	RootBody string               `json:"root_body,omitempty"`
	Files    map[string]fileState `json:"files"`
}

type fileState struct {
	LastModified string   `json:"last_modified,omitempty"`
	Versions     []string `json:"versions,omitempty"`
}

func stateKey(root string, o *Options) string {
	return fmt.Sprintf("%s dist-dir=%s mirror-paths=%t keep-upstream-mirror=%t", root, o.DistDir, o.MirrorPaths, o.KeepUpstreamMirror)
}

// loadState reads the previous state; a missing, unreadable or foreign one
// means starting without conditional requests.
func loadState(r *repo.Repo, key string) *state {
	st := &state{}
	ok, err := r.ReadState(stateName, st)
	if !ok || err != nil || st.Key != key {
		return &state{Key: key, Files: map[string]fileState{}}
	}
	if st.Files == nil {
		st.Files = map[string]fileState{}
	}
	return st
}

func (st *state) clone() *state {
	c := *st
	c.Files = maps.Clone(st.Files)
	return &c
}
