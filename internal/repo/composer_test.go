package repo

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/mage-os/magerepo/internal/repo/repotest"
)

// TestComposerInstalls publishes a repository, serves it with a plain file
// server under a sub-path, and installs a metapackage and its dependencies with
// the real Composer client.
func TestComposerInstalls(t *testing.T) {
	repotest.Composer(t)
	dir := t.TempDir()
	mux := http.NewServeMux()
	mux.Handle("/sub/", http.StripPrefix("/sub/", http.FileServer(http.Dir(dir))))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	r := openRepo(t, dir)
	pkgs := []struct {
		name, version string
		meta          string
		files         map[string]string
	}{
		{"acme/lib", "1.0.0", `{"name":"acme/lib","type":"library","autoload":{"psr-4":{"Acme\\Lib\\":"src/"}}}`,
			map[string]string{"src/Lib.php": "<?php // lib 1.0.0\n"}},
		{"acme/lib", "1.1.0", `{"name":"acme/lib","type":"library","require":{"acme/util":"^2.0"},"autoload":{"psr-4":{"Acme\\Lib\\":"src/"}}}`,
			map[string]string{"src/Lib.php": "<?php // lib 1.1.0\n"}},
		{"acme/util", "2.0.0", `{"name":"acme/util","type":"library"}`,
			map[string]string{"README": "util 2.0.0\n"}},
	}
	for _, p := range pkgs {
		files := map[string]string{"composer.json": p.meta}
		for k, v := range p.files {
			files[k] = v
		}
		rel := "dist/" + p.name + "-" + p.version + ".zip"
		w, err := r.CreateDist(rel)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(repotest.Zip(t, files))
		sum, size, err := w.Commit()
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Add(Entry{Name: p.name, Version: p.version, Dist: rel, SHA1: sum, Size: size, Metadata: []byte(p.meta)}); err != nil {
			t.Fatal(err)
		}
	}
	meta := `{"name":"acme/meta","type":"metapackage","require":{"acme/lib":"1.1.0"}}`
	if err := r.Add(Entry{Name: "acme/meta", Version: "1.0.0", Metadata: []byte(meta)}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Publish(t.Context(), PublishOptions{BaseURL: srv.URL + "/sub/"}); err != nil {
		t.Fatal(err)
	}

	project := repotest.Install(t, srv.URL+"/sub", map[string]string{"acme/meta": "1.0.0"})
	got, err := os.ReadFile(filepath.Join(project, "vendor/acme/lib/src/Lib.php"))
	if err != nil || string(got) != "<?php // lib 1.1.0\n" {
		t.Errorf("installed acme/lib: %q, %v", got, err)
	}
	if got, err := os.ReadFile(filepath.Join(project, "vendor/acme/util/README")); err != nil || string(got) != "util 2.0.0\n" {
		t.Errorf("installed acme/util: %q, %v", got, err)
	}
}
