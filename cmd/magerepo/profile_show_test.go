package main

import (
	"archive/zip"
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/mage-os/magerepo/internal/config"
	"github.com/mage-os/magerepo/internal/gittest"
)

// TestProfileShowBuildsAsPrinted: `magerepo profile show > mirror.yaml` and `magerepo build --config
// mirror.yaml` build the file replacement of the embedded profile from the saved copy alone (its data files are
// compiled into the binary, not next to the copy). Offline: a miniature magento2 repository holds the one
// package version the replacement is for, and --sources-dir reads it; the profile's other sources are missing
// from that directory and so skipped.
func TestProfileShowBuildsAsPrinted(t *testing.T) {
	def, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	fr := def.FileReplacements[0]
	rf := fr.Files[0]
	want, err := fs.ReadFile(config.DataFS(def), rf.Data)
	if err != nil {
		t.Fatal(err)
	}

	// The printed profile, saved where there are no data files.
	stdout, stderr, code := runCLI(t, "profile", "show")
	if code != exitOK {
		t.Fatalf("profile show: exit %d\n%s", code, stderr)
	}
	dir := t.TempDir()
	profile := filepath.Join(dir, "mirror.yaml")
	if err := os.WriteFile(profile, []byte(stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := runCLI(t, "config", "check", profile); code != exitOK {
		t.Fatalf("config check of the printed profile: exit %d\n%s", code, stderr)
	}

	sources := miniMirrorSources(t, fr)

	out := filepath.Join(dir, "public")
	stdout, stderr, code = runCLI(t, "build", "--config", profile, "--sources-dir", sources, "--out", out,
		"--cache", t.TempDir(), "--base-url", "https://mirror.example.com/", "-q")
	if code != exitOK {
		t.Fatalf("build of the printed profile: exit %d\n%s%s", code, stdout, stderr)
	}
	zipPath := filepath.Join(out, def.DistDir, fr.Package+"-"+fr.Version+".zip")
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatalf("build (exit %d) did not write %s: %v\n%s%s", code, zipPath, err, stdout, stderr)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name != rf.Path {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(got, want) {
			t.Fatalf("%s in the archive has %d bytes, not the %d of the replacement", rf.Path, len(got), len(want))
		}
		return
	}
	t.Fatalf("%s is not in %s", rf.Path, zipPath)
}

// miniMirrorSources returns a --sources-dir for the embedded mirror profile with two of its sources: a miniature
// magento2 at the tag whose Catalog module is the version fr replaces a file of (with other bytes at the
// replaced path), and the release metadata of that release. The profile's other sources are missing from it, so
// a build skips them.
func miniMirrorSources(t *testing.T, fr config.FileReplacement) string {
	t.Helper()
	rf := fr.Files[0]
	sources := t.TempDir()
	m2 := gittest.New(t)
	m2.Write(map[string]string{
		"composer.json":                                   `{"name": "magento/magento2ce", "version": "2.4.7-p3"}`,
		"app/code/Magento/Catalog/composer.json":          gittest.ComposerJSON(fr.Package, fr.Version, nil),
		"app/code/Magento/Catalog/registration.php":       "<?php\n",
		"app/code/Magento/Catalog/" + rf.Path:             "<!-- as in the git tag: the release differs -->\n",
		"app/code/Magento/Catalog/Model/Product.php":      "<?php class Product {}\n",
		"lib/internal/Magento/Framework/composer.json":    gittest.ComposerJSON("magento/framework", "103.0.7-p3", nil),
		"lib/internal/Magento/Framework/registration.php": "<?php\n",
	})
	m2.CommitTag("2.4.7-p3")
	// The released composer.json files of the release, as in mage-os/magento2-base-composer-json.
	md := gittest.New(t)
	md.Write(map[string]string{
		"2.4.7-p3/magento2-base/composer.json": `{"name": "magento/magento2-base", "type": "magento2-component", "version": "2.4.7-p3"}`,
		"2.4.7-p3/product-community-edition/composer.json": `{"name": "magento/product-community-edition", "type": "metapackage",
    "version": "2.4.7-p3", "require": {"magento/module-catalog": "103.0.7-p3"}}`,
		"2.4.7-p3/project-community-edition/composer.json": `{"name": "magento/project-community-edition", "type": "project",
    "version": "2.4.7-p3", "require": {"magento/product-community-edition": "2.4.7-p3"}}`,
	})
	md.CommitTag("2.4.7-p3")
	for dir, name := range map[string]string{m2.Dir: fr.Source, md.Dir: config.ReleaseMetadataDir} {
		if err := os.Rename(dir, filepath.Join(sources, name)); err != nil {
			t.Fatal(err)
		}
	}

	return sources
}
