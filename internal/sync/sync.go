package sync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path"
	"slices"
	"strings"
	stdsync "sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/mage-os/magerepo/internal/composer"
	"github.com/mage-os/magerepo/internal/fetch"
	"github.com/mage-os/magerepo/internal/jsonreport"
	"github.com/mage-os/magerepo/internal/progress"
	"github.com/mage-os/magerepo/internal/repo"
)

// syncer is one run.
type syncer struct {
	o    Options
	r    *repo.Repo
	c    *fetch.Client
	log  *slog.Logger
	root *url.URL
	src  string // provenance recorded in entries: the upstream root URL

	mu  stdsync.Mutex
	rep Report
}

// Run syncs the upstream repository into the open output directory r and
// publishes the result. Per-item failures are in the report (and make
// [Report.Failed] true); the error is for a run that could not work at all,
// such as an unreadable upstream packages.json or a failed publish.
func Run(ctx context.Context, r *repo.Repo, opts Options) (*Report, error) {
	start := time.Now()
	opts.defaults()
	base, err := r.ResolveBaseURL(opts.BaseURL, opts.ChangeBaseURL)
	if err != nil {
		return nil, fmt.Errorf("sync: %w", err)
	}
	opts.BaseURL = base
	root, err := rootURL(opts.Upstream)
	if err != nil {
		return nil, fmt.Errorf("sync: %w", err)
	}
	s := &syncer{o: opts, r: r, c: opts.client(), log: opts.Logger, root: root, src: root.String()}
	s.rep.Upstream = s.src
	prev := loadState(r, stateKey(s.src, &opts))
	next, err := s.run(ctx, prev)
	st := s.c.Stats()
	s.rep.Requests, s.rep.BytesReceived = st.Requests, st.BytesReceived
	s.rep.Duration = jsonreport.Seconds(time.Since(start))
	s.rep.Interrupted = ctx.Err() != nil
	if err != nil {
		return &s.rep, err
	}
	if err := r.WriteReport(stateName, next); err != nil {
		return &s.rep, err
	}
	if err := r.WriteReport("sync-report.json", &s.rep); err != nil {
		return &s.rep, err
	}
	return &s.rep, nil
}

// Failed reports whether anything failed.
func (rep *Report) Failed() bool { return len(rep.Failures) > 0 }

func (s *syncer) run(ctx context.Context, prev *state) (*state, error) {
	next := prev.clone()
	l, err := s.fetchRoot(ctx, prev, next)
	if err != nil {
		return nil, err
	}
	only := newMatcher(s.o.Only)
	var names []string
	for _, n := range l.names {
		if only.match(n) {
			names = append(names, n)
		}
	}
	files := s.fetchFiles(ctx, l, names, prev)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	tasks := s.plan(files)
	s.runTasks(ctx, tasks)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.apply(files, tasks, next)
	s.removals(files, names, only)

	st, err := s.r.Publish(ctx, repo.PublishOptions{BaseURL: s.o.BaseURL, ChangeBaseURL: s.o.ChangeBaseURL})
	if err != nil {
		return nil, err
	}
	s.rep.Packages, s.rep.Versions = st.Packages, st.Versions
	for _, p := range st.Problems {
		s.skip(Problem{Package: p.Name, Version: p.Version, Reason: p.Reason})
	}
	s.sortReport()
	return next, nil
}

// fetchRoot reads the upstream packages.json (conditionally, falling back to
// the body remembered from the last run on 304) and lists its packages.
func (s *syncer) fetchRoot(ctx context.Context, prev, next *state) (*listing, error) {
	ims := ""
	if prev.RootBody != "" {
		ims = prev.Root.LastModified
	}
	var fetched string
	res, err := s.fetchMeta(ctx, s.src, ims, func(b []byte) error { fetched = string(b); return nil })
	if err != nil {
		return nil, fmt.Errorf("sync: upstream packages.json: %w", err)
	}
	body := []byte(prev.RootBody)
	switch res.status {
	case 200:
		body = []byte(fetched)
		next.Root = fileState{LastModified: res.lastModified}
		next.RootBody = fetched
		s.rep.MetadataFetched++
	case 304:
		s.rep.MetadataNotModified++
	default:
		return nil, fmt.Errorf("sync: upstream packages.json %s: not found", s.src)
	}
	return s.parseRoot(ctx, s.root, body)
}

// file is one upstream metadata file of one package (or the Composer 1 inline
// versions of a package) and what fetching it gave.
type file struct {
	name   string
	dev    bool   // the ~dev file
	inline bool   // Composer 1 versions from the root or its includes
	url    string // "" for inline
	res    metaResult
	err    error
	// versions are the file's versions, compact: a parsed document takes several times its JSON, and sync holds
	// every file's versions until it has planned them all.
	versions [][]byte
	known    []string // versions upstream has, when known (200, 304 with state, 404)
	knownOK  bool
}

// fetchFiles fetches the p2 files of every name in parallel; results are by
// index, so the order never depends on scheduling.
func (s *syncer) fetchFiles(ctx context.Context, l *listing, names []string, prev *state) []*file {
	var files []*file
	for _, n := range names {
		if vs, ok := l.inline[n]; ok && l.metadataURL == "" {
			files = append(files, &file{name: n, inline: true, res: metaResult{status: 200}, versions: compact(vs)})
			continue
		}
		if l.metadataURL == "" {
			continue
		}
		for _, dev := range []bool{false, true} {
			p := n
			if dev {
				p += "~dev"
			}
			files = append(files, &file{name: n, dev: dev, url: strings.ReplaceAll(l.metadataURL, placeholder, p)})
		}
	}
	n := 0
	for _, f := range files {
		if !f.inline {
			n++
		}
	}
	bar := progress.Start(s.o.Progress, "fetching metadata", n)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.o.Jobs)
	for _, f := range files {
		if f.inline {
			continue
		}
		g.Go(func() error {
			s.fetchFile(gctx, f, prev)
			bar.Add(1)
			return nil
		})
	}
	g.Wait()
	bar.Finish()
	return files
}

// checkMetadataFile refuses a body that the client reads as "no versions" only because it is no metadata file
// at all (valid JSON whose root is no object, or an object without "packages"): sync acts on the versions a file
// lists (--prune removes the others), so a broken upstream file must fail, not empty the package.
func checkMetadataFile(body []byte) error {
	doc, err := composer.ParseDocument(body)
	if err != nil {
		return fmt.Errorf("not a Composer metadata file: %w", err)
	}
	if _, ok := doc.GetObject("packages"); !ok {
		return errors.New("not a Composer metadata file: no packages object")
	}
	return nil
}

func (s *syncer) fetchFile(ctx context.Context, f *file, prev *state) {
	ps, had := prev.Files[f.url]
	ims := ""
	if had {
		ims = ps.LastModified
	}
	// Parsed while the body is held, inside the client's in-flight budget.
	f.res, f.err = s.fetchMeta(ctx, f.url, ims, func(body []byte) error {
		vs, err := composer.ParseP2(body, f.name)
		if err != nil {
			return fmt.Errorf("%s: %w", f.url, err)
		}
		f.versions = compact(vs)
		if len(vs) > 0 {
			return nil // versions came from a "packages" object: checkMetadataFile would parse the body again for nothing
		}
		return checkMetadataFile(body)
	})
	if f.res.status == 0 {
		return // not fetched: reported by plan
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch f.res.status {
	case 200:
		s.rep.MetadataFetched++
	case 304:
		s.rep.MetadataNotModified++
		f.known, f.knownOK = ps.Versions, true
	case 404:
		s.rep.MetadataMissing++
		f.knownOK = true
	}
}

// task is one upstream version to bring into the local repository.
type task struct {
	f        *file
	entry    repo.Entry // what to record; Dist, SHA1 and Size filled by the download
	url      string     // upstream dist URL; "" when nothing must be downloaded
	shasum   string
	replace  bool   // replace an existing entry (changed metadata, moved dev branch)
	conflict bool   // upstream contradicts a published version; reported in decide
	action   string // "add", "update" or "" (nothing to record)
	err      error
	got      fetched
	reused   bool
}

// compact returns the versions as compact JSON.
func compact(vs []*composer.Object) [][]byte {
	out := make([][]byte, len(vs))
	for i, v := range vs {
		out[i] = composer.MarshalCompact(composer.ObjectValue(v))
	}
	return out
}

// plan turns every fetched version into a task, deciding what is new.
func (s *syncer) plan(files []*file) []*task {
	var tasks []*task
	for _, f := range files {
		if f.err != nil {
			s.fail(Problem{Package: f.name, URL: f.url, Reason: f.err.Error()})
			continue
		}
		if f.res.status != 200 {
			continue
		}
		f.knownOK = true
		for _, b := range f.versions {
			v, err := composer.ParseDocument(b)
			if err != nil { // the compact form of a parsed version: cannot happen
				s.fail(Problem{Package: f.name, URL: f.url, Reason: err.Error()})
				continue
			}
			t := s.planVersion(f, v)
			if t == nil {
				continue
			}
			f.known = append(f.known, t.entry.Version)
			tasks = append(tasks, t)
		}
		// The parsed documents take several times their JSON; the tasks keep what is needed, compact.
		f.versions = nil
	}
	return tasks
}

// planVersion builds the task of one upstream version, or nil (after
// reporting) when the version cannot be used at all.
func (s *syncer) planVersion(f *file, v *composer.Object) *task {
	lv, err := composer.LoadVersion(v)
	if err != nil {
		version, _ := v.GetString("version")
		s.skip(Problem{Package: f.name, Version: version, URL: f.url, Reason: "Composer cannot load this version: " + err.Error()})
		return nil
	}
	version := lv.Version
	if lv.Name != f.name {
		s.skip(Problem{Package: f.name, Version: version, URL: f.url, Reason: fmt.Sprintf("entry names package %q", lv.PrettyName)})
		return nil
	}
	meta := v.Clone()
	meta.Delete("version_normalized")
	meta.Delete("notification-url") // upstream's download statistics, not ours
	dist, hasDist := meta.GetObject("dist")
	meta.Delete("dist")
	t := &task{f: f, entry: repo.Entry{
		Name: f.name, Version: version, Source: s.src,
		Metadata: composer.MarshalCompact(composer.ObjectValue(meta)),
	}}
	if err := repo.Check(t.entry); err != nil {
		s.skip(Problem{Package: f.name, Version: version, URL: f.url, Reason: "cannot be published: " + err.Error()})
		return nil
	}
	if !hasDist {
		t.action = s.decide(t)
		return t
	}
	t.url, _ = dist.GetString("url")
	t.shasum, _ = dist.GetString("shasum")
	t.shasum = strings.ToLower(t.shasum)
	t.entry.Reference, _ = dist.GetString("reference")
	t.entry.DistType, _ = dist.GetString("type")
	if t.entry.DistType == "zip" {
		t.entry.DistType = ""
	}
	if t.url == "" {
		s.skip(Problem{Package: f.name, Version: version, URL: f.url, Reason: "dist has no url"})
		return nil
	}
	abs, err := s.root.Parse(t.url)
	if err != nil || (abs.Scheme != "http" && abs.Scheme != "https") {
		s.skip(Problem{Package: f.name, Version: version, URL: t.url, Reason: "dist url is not an http(s) URL"})
		return nil
	}
	t.url = abs.String()
	if s.o.KeepUpstreamMirror {
		t.entry.Mirrors = []string{t.url}
	}
	t.entry.Dist = s.distPath(f.name, version, t.shasum, abs)
	t.action = s.decide(t)
	return t
}

// decide compares the task with the local entry: nothing to do, a new version
// to download, or an update. It sets t.url to "" when nothing must be fetched.
func (s *syncer) decide(t *task) string {
	old, ok := s.r.Lookup(t.entry.Name, t.entry.Version)
	if !ok {
		return "add"
	}
	dev := composer.VersionStability(t.entry.Version) == "dev"
	switch {
	case t.url == "" && old.Dist == "":
		// metapackage: only metadata can change
	case t.url == "" || old.Dist == "":
		if !dev {
			t.conflict = true
			s.fail(Problem{Package: t.entry.Name, Version: t.entry.Version, Reason: "upstream changed whether this published version has a dist; kept the published one"})
			return ""
		}
		t.replace = true
		return "update"
	case t.shasum == "" || t.shasum == old.SHA1:
		// same bytes: keep the local file, and its path
		t.entry.Dist, t.entry.SHA1, t.entry.Size = old.Dist, old.SHA1, old.Size
		t.url = ""
	case !dev:
		t.conflict = true
		s.fail(Problem{Package: t.entry.Name, Version: t.entry.Version, URL: t.url,
			Reason: fmt.Sprintf("upstream changed the dist of a published version (sha1 %s, published %s); kept the published one", t.shasum, old.SHA1)})
		return ""
	default:
		t.replace = true // a dev branch moved: new bytes under a new path
		return "update"
	}
	if sameEntry(old, t.entry) {
		return ""
	}
	t.replace = true
	return "update"
}

// sameEntry compares what sync controls in an entry.
func sameEntry(a, b repo.Entry) bool {
	return a.Dist == b.Dist && a.DistType == b.DistType && a.SHA1 == b.SHA1 && a.Reference == b.Reference &&
		slices.Equal(a.Mirrors, b.Mirrors) && a.Source == b.Source && string(a.Metadata) == string(b.Metadata)
}

// distPath chooses where a dist is stored: the upstream path below the
// upstream repository (MirrorPaths), or <dist-dir>/<vendor>/<name>-<version>.<type>.
// A dev version's path also carries its SHA-1, because a branch's bytes change
// while published files must not.
func (s *syncer) distPath(name, version, shasum string, u *url.URL) string {
	if s.o.MirrorPaths && u.Host == s.root.Host {
		base := path.Dir(s.root.Path)
		if base != "/" {
			base += "/"
		}
		if rel, ok := strings.CutPrefix(u.Path, base); ok && u.RawQuery == "" && repo.CheckDistPath(rel) == nil {
			return rel
		}
	}
	ext := "zip"
	if t := path.Ext(u.Path); t == ".tar" || t == ".gz" || t == ".tgz" {
		ext = strings.TrimPrefix(t, ".")
	}
	file := safeName(version)
	if composer.VersionStability(version) == "dev" && shasum != "" {
		file += "-" + shasum[:min(12, len(shasum))]
	}
	return path.Join(s.o.DistDir, name+"-"+file+"."+ext)
}

// safeName maps a version to a file-name fragment.
func safeName(v string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_', r == '+':
			return r
		}
		return '-'
	}, v)
}

// runTasks downloads the dists the tasks need, at most Jobs at a time.
func (s *syncer) runTasks(ctx context.Context, tasks []*task) {
	n := 0
	for _, t := range tasks {
		if t.action != "" && t.url != "" {
			n++
		}
	}
	bar := progress.Start(s.o.Progress, "downloading dists", n)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.o.Jobs)
	for _, t := range tasks {
		if t.action == "" || t.url == "" {
			continue
		}
		g.Go(func() error {
			s.fetchDist(gctx, t)
			bar.Add(1)
			return nil
		})
	}
	g.Wait()
	bar.Finish()
}

func (s *syncer) fetchDist(ctx context.Context, t *task) {
	rel := t.entry.Dist
	// A complete file from an earlier run that never reached the manifest.
	if t.shasum != "" {
		if sum, size, err := s.r.HashFile(rel); err == nil && sum == t.shasum {
			t.entry.SHA1, t.entry.Size, t.reused = sum, size, true
			return
		}
	}
	got, err := s.download(ctx, rel, t.url, t.shasum)
	if err != nil {
		t.err = err
		return
	}
	t.got = got
	t.entry.SHA1, t.entry.Size = got.sha1, got.size
	s.log.Debug("downloaded", "package", t.entry.Name, "version", t.entry.Version, "path", rel, "bytes", got.size)
}

// apply records the results in the manifest, in task order, and notes in the
// next state every file whose versions all came through.
func (s *syncer) apply(files []*file, tasks []*task, next *state) {
	failed := map[*file]bool{}
	for _, t := range tasks {
		if t.conflict {
			failed[t.f] = true
		}
		if t.err != nil {
			failed[t.f] = true
			s.fail(Problem{Package: t.entry.Name, Version: t.entry.Version, URL: t.url, Reason: t.err.Error()})
			continue
		}
		switch {
		case t.reused:
			s.rep.Reused++
		case t.url != "" && t.action != "":
			s.rep.Downloaded++
			if t.got.resumed {
				s.rep.Resumed++
			}
		}
		if t.action == "" {
			continue
		}
		var err error
		if t.replace {
			err = s.r.Replace(t.entry)
		} else {
			err = s.r.Add(t.entry)
		}
		if err != nil {
			failed[t.f] = true
			s.fail(Problem{Package: t.entry.Name, Version: t.entry.Version, Reason: err.Error()})
			continue
		}
		label := t.entry.Name + " " + t.entry.Version
		if t.action == "add" {
			s.rep.Added = append(s.rep.Added, label)
		} else {
			s.rep.Updated = append(s.rep.Updated, label)
		}
	}
	for _, f := range files {
		if f.inline {
			continue
		}
		switch {
		case f.err != nil || failed[f] || f.res.status == 404:
			delete(next.Files, f.url)
		case f.res.status == 200:
			next.Files[f.url] = fileState{LastModified: f.res.lastModified, Versions: f.known}
		}
	}
}

// removals reports, or with Prune removes, local versions from this upstream
// that upstream no longer lists. Only files whose content is known count.
func (s *syncer) removals(files []*file, names []string, only matcher) {
	known := map[string]map[bool][]string{} // name → dev → versions
	ok := map[string]map[bool]bool{}
	for _, f := range files {
		if known[f.name] == nil {
			known[f.name], ok[f.name] = map[bool][]string{}, map[bool]bool{}
		}
		if f.inline {
			for _, v := range f.known {
				dev := composer.VersionStability(v) == "dev"
				known[f.name][dev] = append(known[f.name][dev], v)
			}
			ok[f.name][false], ok[f.name][true] = f.err == nil, f.err == nil
			continue
		}
		known[f.name][f.dev] = f.known
		ok[f.name][f.dev] = f.knownOK && f.err == nil
	}
	listed := map[string]bool{}
	for _, n := range names {
		listed[n] = true
	}
	for _, e := range s.r.Entries() {
		if e.Source != s.src || !only.match(e.Name) {
			continue
		}
		dev := composer.VersionStability(e.Version) == "dev"
		if listed[e.Name] {
			if !ok[e.Name][dev] || hasVersion(known[e.Name][dev], e.Version) {
				continue
			}
		}
		label := e.Name + " " + e.Version
		if s.o.Prune {
			s.r.Remove(e.Name, e.Version)
			s.rep.Pruned = append(s.rep.Pruned, label)
			s.log.Info("pruned: upstream no longer has this version", "package", e.Name, "version", e.Version)
		} else {
			s.rep.Gone = append(s.rep.Gone, label)
			s.log.Warn("gone upstream (kept; --prune removes it)", "package", e.Name, "version", e.Version)
		}
	}
}

// hasVersion reports whether vs holds v, comparing normalized forms.
func hasVersion(vs []string, v string) bool {
	nv, err := composer.NormalizeVersion(v)
	for _, x := range vs {
		if x == v {
			return true
		}
		if err == nil {
			if nx, err := composer.NormalizeVersion(x); err == nil && nx == nv {
				return true
			}
		}
	}
	return false
}

func (s *syncer) fail(p Problem) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rep.Failures = append(s.rep.Failures, p)
	// Logged once, here, as it happens; the summary only counts it (-q keeps errors).
	s.log.Error(p.String(), "package", p.Package, "version", p.Version, "url", p.URL)
}

func (s *syncer) skip(p Problem) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rep.Skipped = append(s.rep.Skipped, p)
	s.log.Warn("skipped: "+p.Reason, "package", p.Package, "version", p.Version)
}

// sortReport orders every list, so the report does not depend on scheduling.
func (s *syncer) sortReport() {
	for _, l := range []*[]string{&s.rep.Added, &s.rep.Updated, &s.rep.Gone, &s.rep.Pruned} {
		slices.Sort(*l)
	}
	for _, l := range []*[]Problem{&s.rep.Skipped, &s.rep.Failures} {
		slices.SortFunc(*l, func(a, b Problem) int { return strings.Compare(a.String(), b.String()) })
	}
}
