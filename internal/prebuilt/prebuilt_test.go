package prebuilt

import (
	"archive/zip"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// writeZip writes a zip holding files (name -> content, in the given order) and returns its path.
func writeZip(t *testing.T, path string, files ...string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for i := 0; i+1 < len(files); i += 2 {
		w, err := zw.Create(files[i])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(files[i+1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func cj(name, version string) string {
	return `{"name":"` + name + `","version":"` + version + `","type":"magento2-module"}`
}

func TestScan(t *testing.T) {
	dir := t.TempDir()
	short := writeZip(t, filepath.Join(dir, "magento-module-adobe-stock-image-1.0.2-p2.zip"),
		"composer.json", cj("magento/module-adobe-stock-image", "1.0.2-p2"), "Model/A.php", "<?php")
	// repo.magento.com's 4-part file name for the same version, with different bytes.
	long := writeZip(t, filepath.Join(dir, "magento-module-adobe-stock-image-1.0.2.0-patch2.zip"),
		"composer.json", cj("magento/module-adobe-stock-image", "1.0.2-p2"), "Model/A.php", "<?php // other")
	// The name on disk says nothing: this zip is version 1.3.1 inside.
	alpha := writeZip(t, filepath.Join(dir, "sub", "magento-module-adobe-stock-client-1.3.1-alpha1.zip"),
		"composer.json", cj("magento/module-adobe-stock-client", "1.3.1"))
	nested := writeZip(t, filepath.Join(dir, "klarna.zip"),
		"m2-payments-6.1.0/", "", "m2-payments-6.1.0/composer.json", cj("Klarna/M2-Payments", "6.1.0"), "m2-payments-6.1.0/src/a.php", "x",
		"__MACOSX/._composer.json", "junk")
	older := writeZip(t, filepath.Join(dir, "paypal-module-braintree-4.6.1-p2.zip"),
		"composer.json", cj("paypal/module-braintree", "4.6.1-p2"))
	newer := writeZip(t, filepath.Join(dir, "paypal-module-braintree-10.0.0.zip"),
		"composer.json", cj("paypal/module-braintree", "10.0.0"))
	if err := os.WriteFile(filepath.Join(dir, "README.md"), []byte("not a zip, not looked at"), 0o644); err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(dir, "broken.zip")
	if err := os.WriteFile(broken, []byte("PK\x03\x04 this is not a zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := map[string]string{
		writeZip(t, filepath.Join(dir, "no-composer.zip"), "a.txt", "a", "b/c.txt", "c"):                   "no composer.json",
		writeZip(t, filepath.Join(dir, "two-dirs.zip"), "a/composer.json", cj("a/a", "1.0.0"), "b/x", "x"): "not exactly one top-level",
		writeZip(t, filepath.Join(dir, "deep.zip"), "a/b/composer.json", cj("a/a", "1.0.0")):               "no composer.json",
		writeZip(t, filepath.Join(dir, "no-version.zip"), "composer.json", `{"name":"a/b"}`):               "no version",
		writeZip(t, filepath.Join(dir, "no-name.zip"), "composer.json", `{"version":"1.0.0"}`):             "no valid name",
		writeZip(t, filepath.Join(dir, "bad-version.zip"), "composer.json", cj("a/b", "not a version!")):   "invalid version",
		writeZip(t, filepath.Join(dir, "bad-json.zip"), "composer.json", `{"name":`):                       "composer.json",
		broken: "zip",
	}
	missing := filepath.Join(dir, "does-not-exist")

	pkgs, problems := Scan(dir, missing)

	var got []string
	for _, p := range pkgs {
		got = append(got, p.Name+" "+p.Version+" "+p.Base)
	}
	want := []string{
		"klarna/m2-payments 6.1.0 klarna.zip",
		"magento/module-adobe-stock-client 1.3.1 magento-module-adobe-stock-client-1.3.1-alpha1.zip",
		"magento/module-adobe-stock-image 1.0.2-p2 magento-module-adobe-stock-image-1.0.2-p2.zip",
		"paypal/module-braintree 4.6.1-p2 paypal-module-braintree-4.6.1-p2.zip", // version order, not file-name order
		"paypal/module-braintree 10.0.0 paypal-module-braintree-10.0.0.zip",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("packages:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, p := range pkgs {
		b, err := os.ReadFile(p.File)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha1.Sum(b)
		if p.SHA1 != hex.EncodeToString(sum[:]) || p.Size != int64(len(b)) || !filepath.IsAbs(p.File) {
			t.Errorf("%s: sha1 %s size %d file %s", p.Base, p.SHA1, p.Size, p.File)
		}
		if v, _ := p.Metadata.GetString("version"); v != p.Version {
			t.Errorf("%s: metadata version %q", p.Base, v)
		}
	}
	if pkgs[0].File != nested || pkgs[1].File != alpha || pkgs[2].File != short || pkgs[3].File != older || pkgs[4].File != newer {
		t.Fatal("files do not match their packages")
	}
	if pkgs[2].Normalized != "1.0.2.0-patch2" {
		t.Fatalf("normalized = %q", pkgs[2].Normalized)
	}

	// Every bad file, the duplicate and the missing directory are reported, each with its path.
	if len(problems) != len(bad)+2 {
		t.Errorf("%d problems, want %d: %v", len(problems), len(bad)+2, problems)
	}
	byPath := map[string]error{}
	for _, err := range problems {
		var pe *Error
		if !errors.As(err, &pe) {
			t.Fatalf("problem %v is not an *Error", err)
		}
		byPath[pe.Path] = err
		if !strings.Contains(err.Error(), pe.Path) {
			t.Errorf("%v does not name its path", err)
		}
	}
	for path, want := range bad {
		if err := byPath[path]; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: problem %v, want one containing %q", filepath.Base(path), err, want)
		}
	}
	if err := byPath[long]; !errors.Is(err, ErrDuplicate) || !strings.Contains(err.Error(), "different bytes") {
		t.Errorf("4-part duplicate: %v", err)
	}
	if byPath[missing] == nil {
		t.Error("missing directory not reported")
	}
}

func TestScanEarlierDirectoryWins(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	writeZip(t, filepath.Join(a, "x-1.zip"), "composer.json", cj("v/x", "1.0"))
	first := writeZip(t, filepath.Join(b, "x.zip"), "composer.json", cj("v/x", "1.0.0"))
	pkgs, problems := Scan(b, a)
	if len(pkgs) != 1 || pkgs[0].File != first || len(problems) != 1 || !errors.Is(problems[0], ErrDuplicate) {
		t.Fatalf("pkgs %+v problems %v", pkgs, problems)
	}
}

// TestScanDirs: a directory in any file system (a git tree in the build) is scanned by the same rules, its
// files named by Label and their path, and an earlier Dir wins over a later one.
func TestScanDirs(t *testing.T) {
	read := func(p string) []byte {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tmp := t.TempDir()
	x := read(writeZip(t, filepath.Join(tmp, "x.zip"), "composer.json", cj("v/x", "1.0.0")))
	y := read(writeZip(t, filepath.Join(tmp, "y.zip"), "composer.json", cj("v/y", "2.0.0")))
	mfs := fstest.MapFS{
		"res/zips/v-x-1.0.0.zip": {Data: x},
		"res/zips/README.md":     {Data: []byte("not a zip")},
		"res/zips/bad.zip":       {Data: []byte("not a zip")},
		"res/other/v-y.zip":      {Data: y},
	}
	disk := t.TempDir()
	later := writeZip(t, filepath.Join(disk, "v-x-1.0.zip"), "composer.json", cj("v/x", "1.0"))
	onDisk := writeZip(t, filepath.Join(disk, "v-z.zip"), "composer.json", cj("v/z", "3.0.0"))
	pkgs, problems := ScanDirs(Dir{FS: mfs, Root: "res/zips", Label: "src:"}, Dir{FS: os.DirFS(disk), Root: ".", OSDir: disk})
	if len(pkgs) != 2 || pkgs[0].File != "src:res/zips/v-x-1.0.0.zip" || pkgs[0].Path != "res/zips/v-x-1.0.0.zip" || pkgs[0].Dir != 0 ||
		pkgs[1].File != onDisk || pkgs[1].Dir != 1 {
		t.Fatalf("packages %+v", pkgs)
	}
	rc, err := pkgs[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var buf strings.Builder
	if _, err := io.Copy(&buf, rc); err != nil || buf.String() != string(x) || pkgs[0].Size != int64(len(x)) {
		t.Fatalf("Open: %v", err)
	}
	if len(problems) != 2 {
		t.Fatalf("problems %v", problems)
	}
	var bad, dup *Error
	if !errors.As(problems[0], &bad) || bad.Path != "src:res/zips/bad.zip" || bad.Rel != "res/zips/bad.zip" || bad.Dir != 0 {
		t.Errorf("bad zip: %v", problems[0])
	}
	if !errors.As(problems[1], &dup) || !errors.Is(dup, ErrDuplicate) || dup.Path != later || dup.Dir != 1 ||
		!strings.Contains(dup.Error(), "src:res/zips/v-x-1.0.0.zip") {
		t.Errorf("duplicate: %v", problems[1])
	}
	if _, problems := ScanDirs(Dir{FS: mfs, Root: "res/none", Label: "src:"}); len(problems) != 1 || !strings.Contains(problems[0].Error(), "src:res/none") {
		t.Errorf("missing root: %v", problems)
	}
}
