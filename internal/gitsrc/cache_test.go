package gitsrc

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mage-os/magerepo/internal/gittest"
)

// TestFailedFirstFetchLeavesNoMirror: an unreachable URL leaves no empty bare repository in the cache; a
// mirror that fetched once is kept when a later fetch fails (it still holds the tags it had).
func TestFailedFirstFetchLeavesNoMirror(t *testing.T) {
	cache := &Cache{Dir: t.TempDir()}
	missing := "file://" + filepath.Join(t.TempDir(), "no-such-repo.git")
	if _, err := cache.Open(t.Context(), missing, Options{}); err == nil {
		t.Fatal("opening an unreachable URL succeeded")
	}
	if ents, _ := os.ReadDir(cache.Dir); len(ents) != 0 {
		t.Fatalf("the failed fetch left %d entries in the cache", len(ents))
	}

	src := gittest.New(t)
	src.Write(map[string]string{"composer.json": `{"name": "a/b"}`})
	src.CommitTag("1.0.0")
	url := "file://" + src.Dir
	r, err := cache.Open(t.Context(), url, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	if err := os.RemoveAll(src.Dir); err != nil {
		t.Fatal(err)
	}
	if _, err := cache.Open(t.Context(), url, Options{}); err == nil {
		t.Fatal("fetching from a removed repository succeeded")
	}
	if _, err := os.Stat(filepath.Join(cache.Dir, cacheKey(url), "HEAD")); err != nil {
		t.Fatalf("a mirror that fetched before was removed: %v", err)
	}
}
