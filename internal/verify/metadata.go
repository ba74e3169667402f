package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/mage-os/magerepo/internal/composer"
	"github.com/mage-os/magerepo/internal/progress"
)

// rootFile holds the packages.json fields verify uses.
type rootFile struct {
	MetadataURL string   `json:"metadata-url"`
	Available   []string `json:"available-packages"`
	Patterns    []string `json:"available-package-patterns"`
	// SecurityAdvisories is the repository's advisories configuration, as it is ([rootFile.servesAdvisories]).
	SecurityAdvisories json.RawMessage `json:"security-advisories"`
}

// repository is the metadata of a repository, loaded and checked.
type repository struct {
	src Source
	// maxMetadata caps packages.json and each p2 file.
	maxMetadata int64
	// checkGzip compares the gzip copy of each metadata file with the file:
	// set for the repository verified, not for those it is compared with.
	checkGzip bool
	// opts are the run's options, for its progress (nil: none shown, as for the repositories compared with).
	opts     *Options
	root     rootFile
	packages []*pkg // sorted by name
	problems []Problem
}

// pkg is one package: its versions from both p2 files, in file order.
type pkg struct {
	name    string
	entries []*entry
	// advisories are the security advisories of its tag file, when packages.json declares them.
	advisories servedAdvisories
}

// load reads packages.json and every p2 file of r.src. It fails only when the
// repository cannot be read at all.
func (r *repository) load(ctx context.Context, jobs int) (*repository, error) {
	if err := r.loadRoot(ctx); err != nil {
		return nil, err
	}
	names, err := r.names()
	if err != nil {
		return nil, err
	}
	r.packages = make([]*pkg, len(names))
	probs := make([][]Problem, len(names))
	var phases progress.Phases
	if r.opts != nil {
		phases = r.opts.Progress
	}
	bar := progress.Start(phases, "reading metadata", len(names))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(jobs, 1))
	for i, name := range names {
		g.Go(func() error {
			r.packages[i], probs[i] = r.loadPackage(gctx, name)
			bar.Add(1)
			return nil
		})
	}
	_ = g.Wait()
	bar.Finish()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.problems = append(r.problems, slices.Concat(probs...)...)
	return r, nil
}

// loadRoot reads and decodes packages.json.
func (r *repository) loadRoot(ctx context.Context) error {
	data, release, err := r.src.ReadMetadata(ctx, r.src.Root(), r.maxMetadata)
	if err != nil {
		return fmt.Errorf("verify: reading packages.json: %w", err)
	}
	defer release()
	if err := json.Unmarshal(data, &r.root); err != nil {
		return fmt.Errorf("verify: packages.json: %w", err)
	}
	r.problems = append(r.problems, r.gzipProblems(ctx, r.src.Root(), data, "packages.json", "packages.json")...)
	if r.root.MetadataURL == "" {
		return fmt.Errorf("verify: packages.json has no metadata-url: not a Composer 2 repository")
	}
	if !strings.Contains(r.root.MetadataURL, "%package%") {
		return fmt.Errorf("verify: packages.json: metadata-url %q has no %%package%%", r.root.MetadataURL)
	}
	if !strings.HasPrefix(r.root.MetadataURL, "/") && !isAbsURL(strings.ReplaceAll(r.root.MetadataURL, "%package%", "vendor/name")) {
		r.problems = append(r.problems, Problem{Package: "packages.json",
			Message: fmt.Sprintf("metadata-url %q is neither root-absolute nor an absolute URL", r.root.MetadataURL)})
	}
	return nil
}

// names returns the sorted package names of available-packages, reporting
// invalid and repeated ones.
func (r *repository) names() ([]string, error) {
	if len(r.root.Available) == 0 {
		return nil, fmt.Errorf("verify: packages.json has no available-packages: cannot list the packages")
	}
	names := slices.Clone(r.root.Available)
	slices.Sort(names)
	for i, n := range names {
		if i > 0 && names[i-1] == n {
			r.problems = append(r.problems, Problem{Package: "packages.json",
				Message: fmt.Sprintf("available-packages lists %s twice", n)})
		}
		if err := composer.ValidatePackageName(n); err != nil {
			r.problems = append(r.problems, Problem{Package: "packages.json",
				Message: fmt.Sprintf("available-packages: invalid name %q: %v", n, err)})
		}
	}
	return slices.Compact(names), nil
}

// loadPackage reads and checks <name>.json and <name>~dev.json.
func (r *repository) loadPackage(ctx context.Context, name string) (*pkg, []Problem) {
	p := &pkg{name: name}
	var probs []Problem
	for _, file := range []string{name, name + "~dev"} {
		entries, fp := r.readP2(ctx, name, file, p)
		probs = append(probs, fp...)
		for _, obj := range entries {
			e, ep := parseEntry(obj, name)
			probs = append(probs, ep...)
			if e != nil {
				p.entries = append(p.entries, e)
			}
		}
	}
	if len(p.entries) == 0 && len(probs) == 0 {
		probs = append(probs, Problem{Package: name, Message: "listed in packages.json but has no versions"})
	}
	return p, append(probs, duplicates(p)...)
}

// loadFile reads one p2 file and returns its expanded entries ([composer.ParseP2]). A missing ~dev file means
// the package has no branches.
func (r *repository) loadFile(ctx context.Context, name, file string) ([]*composer.Object, []Problem) {
	return r.readP2(ctx, name, file, nil)
}

// readP2 is loadFile, and reads the security advisories of p's tag file into p when packages.json declares
// them (p nil: not wanted).
func (r *repository) readP2(ctx context.Context, name, file string, p *pkg) ([]*composer.Object, []Problem) {
	label := "p2 file " + file + ".json"
	u, err := resolve(r.src.Root(), strings.ReplaceAll(r.root.MetadataURL, "%package%", file))
	if err != nil {
		return nil, []Problem{{Package: name, Message: fmt.Sprintf("%s: %v", label, err)}}
	}
	data, release, err := r.src.ReadMetadata(ctx, u, r.maxMetadata)
	switch {
	case err != nil && isNotFound(err) && file != name:
		return nil, nil
	case err != nil && isNotFound(err):
		return nil, []Problem{{Package: name, Message: label + " is missing"}}
	case err != nil:
		return nil, []Problem{{Package: name, Message: fmt.Sprintf("%s cannot be read: %v", label, err)}}
	}
	defer release()
	probs := r.gzipProblems(ctx, u, data, name, label)
	if p != nil && file == name && r.root.servesAdvisories() {
		probs = append(probs, p.readAdvisories(data, label)...)
	}
	entries, err := composer.ParseP2(data, name)
	if err != nil {
		return nil, append(probs, Problem{Package: name, Message: fmt.Sprintf("%s: Composer cannot read it: %v", label, err)})
	}
	return entries, probs
}

// resolve turns a URL found in the repository into an absolute URL as the Composer client does
// ([composer.RepositoryURL.Resolve]: a value starting with "/" is relative to the scheme and host of
// packages.json; anything else must be absolute). Here the host may be unknown (a directory verified without a
// base URL), so the rule is applied to the parsed URL.
func resolve(root *url.URL, ref string) (*url.URL, error) {
	if strings.HasPrefix(ref, "/") && !strings.HasPrefix(ref, "//") {
		u, err := url.Parse(ref)
		if err != nil {
			return nil, fmt.Errorf("invalid URL %q", ref)
		}
		u.Scheme, u.Host = root.Scheme, root.Host
		return u, nil
	}
	if !isAbsURL(ref) {
		return nil, fmt.Errorf("URL %q is not absolute", ref)
	}
	return url.Parse(ref)
}

// isAbsURL reports whether s is an absolute http(s) URL with a host.
func isAbsURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
