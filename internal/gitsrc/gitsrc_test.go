package gitsrc

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mage-os/magerepo/internal/gittest"
)

func TestLocalRepoTagsTreesBlobs(t *testing.T) {
	g := gittest.New(t)
	g.Write(map[string]string{"a/composer.json": `{"name":"x/a"}`, "a/b/c.txt": "hello\n", "README": "r"})
	g.WriteFile("a/run.sh", "#!/bin/sh\n", true)
	g.Symlink("a/link", "c.txt")
	g.CommitTag("1.0.0")
	g.Write(map[string]string{"a/b/c.txt": "changed\n"})
	g.Commit("unreleased")

	repo, err := (&Cache{Dir: t.TempDir()}).Open(t.Context(), g.Dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	tags, err := repo.Tags(t.Context())
	if err != nil || len(tags) != 1 || tags[0].Name != "1.0.0" || tags[0].Tree == "" {
		t.Fatalf("tags = %+v, %v", tags, err)
	}
	a, ok, err := repo.Lookup(t.Context(), tags[0].Tree, "a")
	if err != nil || !ok || !a.IsTree() {
		t.Fatalf("lookup a: %+v %v %v", a, ok, err)
	}
	files, err := repo.Walk(t.Context(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, f.Path)
		if f.Path == "run.sh" && !f.Executable {
			t.Errorf("run.sh lost its executable bit")
		}
		if f.Path == "b/c.txt" {
			b, err := repo.Blob(t.Context(), f.ID)
			if err != nil || string(b) != "hello\n" {
				t.Errorf("blob = %q, %v (must be the tagged content)", b, err)
			}
		}
	}
	if strings.Join(got, ",") != "b/c.txt,composer.json,run.sh" {
		t.Fatalf("walk = %v (symlink must be dropped)", got)
	}
	if _, err := repo.Blob(t.Context(), strings.Repeat("1", 40)); !errors.Is(err, ErrMissing) {
		t.Fatalf("missing blob error = %v", err)
	}
	// the process survives a missing object
	if _, ok, err := repo.Lookup(t.Context(), tags[0].Tree, "README"); err != nil || !ok {
		t.Fatalf("after missing: %v %v", ok, err)
	}
}

func TestCacheMirrorsTagsOnlyAndRefreshes(t *testing.T) {
	g := gittest.New(t)
	g.Write(map[string]string{"f": "1"})
	g.CommitTag("1.0.0")
	g.Git("branch", "feature")
	g.Git("update-ref", "refs/pull/1/head", "HEAD")
	url := "file://" + g.Dir
	cache := &Cache{Dir: t.TempDir()}
	repo, err := cache.Open(t.Context(), url, Options{})
	if err != nil {
		t.Fatal(err)
	}
	repo.Close()
	refs, _ := run(t.Context(), repo.GitDir, "for-each-ref", "--format=%(refname)")
	if strings.TrimSpace(string(refs)) != "refs/tags/1.0.0" {
		t.Fatalf("mirrored refs = %q, want only the tag", refs)
	}
	// a new tag upstream and a deleted one are seen on the next open
	g.Write(map[string]string{"f": "2"})
	g.CommitTag("1.1.0")
	g.Git("tag", "-d", "1.0.0")
	repo, err = cache.Open(t.Context(), url, Options{Branches: []string{"feature"}})
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	tags, _ := repo.Tags(t.Context())
	if len(tags) != 1 || tags[0].Name != "1.1.0" {
		t.Fatalf("tags after refresh = %+v", tags)
	}
	if _, err := os.Stat(filepath.Join(repo.GitDir, "refs", "heads", "feature")); err != nil {
		if _, err2 := run(t.Context(), repo.GitDir, "rev-parse", "refs/heads/feature"); err2 != nil {
			t.Fatalf("named branch not fetched: %v", err2)
		}
	}
}

func TestUnreachableSource(t *testing.T) {
	_, err := (&Cache{Dir: t.TempDir()}).Open(t.Context(), "file:///nonexistent/repo.git", Options{})
	if err == nil || !strings.Contains(err.Error(), "file:///nonexistent/repo.git") {
		t.Fatalf("error = %v, want one naming the URL", err)
	}
}
