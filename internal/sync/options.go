package sync

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/mage-os/magerepo/internal/fetch"
	"github.com/mage-os/magerepo/internal/jsonreport"
	"github.com/mage-os/magerepo/internal/progress"
)

// Options configures a [Run].
type Options struct {
	// Upstream is the repository URL, as given to Composer: "https://host/path"
	// (packages.json below it) or the URL of its packages.json.
	Upstream string
	// BaseURL is the URL the local copy is served at; dist URLs point under it. Empty means the URL the copy is
	// recorded at (repo.Repo.BaseURL); a new copy needs one.
	BaseURL string
	// ChangeBaseURL allows BaseURL to differ from the recorded URL: every dist URL is rewritten.
	ChangeBaseURL bool
	// DistDir is the directory, relative to the output directory, that dists
	// are stored under as <vendor>/<name>-<version>.<type>. Default "dist".
	DistDir string
	// MirrorPaths stores a dist at the path its upstream URL has below the
	// upstream repository URL, when it has one, instead of under DistDir.
	MirrorPaths bool
	// KeepUpstreamMirror publishes the upstream dist URL as a dist mirror.
	KeepUpstreamMirror bool
	// Only keeps the package names matching any of these patterns ("*" matches
	// any run of characters); empty means all.
	Only []string
	// Prune removes local versions that upstream no longer has.
	Prune bool
	// Jobs bounds parallel HTTP requests. Default 8.
	Jobs int
	// Retries is how many times a failed request is retried (0: never; the
	// command's default is 4). See [fetch.Client.Retry] for what is retried.
	Retries int
	// Backoff is the wait before the first retry, doubled for each next one
	// (capped at 30 s, jittered). Default 500 ms.
	Backoff time.Duration
	// StallTimeout fails a transfer that delivers less than 1 KiB in this
	// long; the item fails at once (a stall is not retried) and the run goes
	// on. Default [fetch.DefaultStallTimeout].
	StallTimeout time.Duration
	// MaxMetadataSize caps one metadata file (packages.json, a p2 file); a p2
	// file above it is a failure of its package, refused before it costs
	// memory. Default [fetch.DefaultMaxMetadata].
	MaxMetadataSize int64
	// Transport replaces the default HTTP transport (tests, proxies).
	Transport http.RoundTripper
	// Logger receives progress and problem lines; nil discards them.
	Logger *slog.Logger
	// Progress, if set, is called at the start of each long phase ("fetching metadata", "downloading dists")
	// and returns what to tell how far it is (a terminal progress bar, log lines), or nil.
	Progress progress.Phases
}

// Progress is told how much work a phase has and how much is done (internal/progress).
type Progress = progress.Reporter

func (o *Options) defaults() {
	if o.DistDir == "" {
		o.DistDir = "dist"
	}
	if o.Jobs <= 0 {
		o.Jobs = 8
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.MaxMetadataSize <= 0 {
		o.MaxMetadataSize = fetch.DefaultMaxMetadata
	}
}

// client returns the run's HTTP client: at most Jobs connections to a host,
// the other limits at their defaults.
func (o *Options) client() *fetch.Client {
	return fetch.New(fetch.Options{Conns: o.Jobs, Retries: o.Retries, Backoff: o.Backoff,
		StallTimeout: o.StallTimeout, Transport: o.Transport, Logger: o.Logger})
}

// Report is what a run did. It is written to ".magerepo/sync-report.json".
type Report struct {
	Upstream string `json:"upstream"`
	// Packages and Versions are what the local repository publishes afterwards.
	Packages int `json:"packages"`
	Versions int `json:"versions"`
	// Metadata files fetched with a body, answered 304, and absent (404).
	MetadataFetched     int `json:"metadata_fetched"`
	MetadataNotModified int `json:"metadata_not_modified"`
	MetadataMissing     int `json:"metadata_missing"`
	// Dists downloaded (completely or resumed), and found complete on disk.
	Downloaded int `json:"downloaded"`
	Resumed    int `json:"resumed"`
	Reused     int `json:"reused"`
	// Requests made and bytes received on the wire (headers and bodies).
	Requests      int64 `json:"requests"`
	BytesReceived int64 `json:"bytes_received"`
	// Versions added, updated (metadata changed upstream), removed upstream and
	// kept, and pruned.
	Added   []string `json:"added"`
	Updated []string `json:"updated"`
	Gone    []string `json:"gone_upstream"`
	Pruned  []string `json:"pruned"`
	// Skipped are upstream versions that cannot be published (invalid version
	// or constraint, no dist); they are warnings, not failures.
	Skipped []Problem `json:"-"`
	// Failures are what went wrong: transfers, checksums, conflicts.
	Failures []Problem `json:"-"`
	// Interrupted reports that the run was stopped (a signal): nothing was published, and the next run resumes
	// the downloads.
	Interrupted bool               `json:"-"`
	Duration    jsonreport.Seconds `json:"-"`
}

// MarshalJSON writes the report in the shape every magerepo report has (internal/jsonreport): the counts, with
// "skipped" and "failed" as numbers, every list present, then "interrupted", the duration and one "problems"
// list in which a failure has the severity "error" and a version left out the severity "skipped". The fields
// tagged "-" are written here, in that order.
func (rep Report) MarshalJSON() ([]byte, error) {
	type problem struct {
		Severity string `json:"severity"`
		Package  string `json:"package,omitempty"`
		Version  string `json:"version,omitempty"`
		URL      string `json:"url,omitempty"`
		Message  string `json:"message"`
	}
	probs := []problem{}
	for _, p := range rep.Failures {
		probs = append(probs, problem{"error", p.Package, p.Version, p.URL, p.Reason})
	}
	for _, p := range rep.Skipped {
		probs = append(probs, problem{"skipped", p.Package, p.Version, p.URL, p.Reason})
	}
	type fields Report // the report's own fields, without this method
	out := fields(rep)
	out.Added, out.Updated = jsonreport.List(rep.Added), jsonreport.List(rep.Updated)
	out.Gone, out.Pruned = jsonreport.List(rep.Gone), jsonreport.List(rep.Pruned)
	return jsonreport.Marshal(struct {
		fields
		Skipped     int                `json:"skipped"`
		Failed      int                `json:"failed"`
		Interrupted bool               `json:"interrupted"`
		Duration    jsonreport.Seconds `json:"duration_seconds"`
		Problems    []problem          `json:"problems"`
	}{out, len(rep.Skipped), len(rep.Failures), rep.Interrupted, rep.Duration, probs})
}

// Problem is one failed or skipped item.
type Problem struct {
	Package string `json:"package,omitempty"`
	Version string `json:"version,omitempty"`
	URL     string `json:"url,omitempty"`
	Reason  string `json:"reason"`
}

func (p Problem) String() string {
	s := p.Package
	if p.Version != "" {
		s += " " + p.Version
	}
	if p.URL != "" {
		if s != "" {
			s += " "
		}
		s += "(" + p.URL + ")"
	}
	if s != "" {
		s += ": "
	}
	return s + p.Reason
}
