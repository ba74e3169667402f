package composer

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// RepositoryURL is the URL of a Composer repository (type "composer") as ComposerRepository reads it.
type RepositoryURL struct {
	url    string // as Composer keeps it: a scheme added when missing, trailing slashes trimmed
	origin string // scheme://host[:port]
}

var (
	hasScheme = regexp.MustCompile(`^[\w.]+\??://`)
	originRe  = regexp.MustCompile(`^[^:]+://[^/]*`) // canonicalizeUrl's scheme, user info, host and port
)

// ParseRepositoryURL reads a repository URL as ComposerRepository's constructor does: "http://" is assumed
// when the URL has no scheme and trailing slashes are trimmed. magerepo reads only http and https
// repositories.
func ParseRepositoryURL(s string) (RepositoryURL, error) {
	raw := s
	if !hasScheme.MatchString(s) {
		s = "http://" + s
	}
	s = strings.TrimRight(s, "/")
	u, err := url.Parse(strings.ReplaceAll(s, `\`, "/"))
	if err != nil {
		return RepositoryURL{}, fmt.Errorf("composer: repository URL %q: %w", raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return RepositoryURL{}, fmt.Errorf("composer: repository URL %q must be an http(s) URL with a host", raw)
	}
	return RepositoryURL{url: s, origin: originRe.FindString(s)}, nil
}

// String returns the URL as Composer keeps it.
func (r RepositoryURL) String() string { return r.url }

// PackagesJSON returns the URL of the repository's root file (ComposerRepository::getPackagesJsonUrl): the URL
// itself when its path contains ".json" anywhere, else "/packages.json" appended.
func (r RepositoryURL) PackagesJSON() string {
	u, err := url.Parse(strings.ReplaceAll(r.url, `\`, "/"))
	if err == nil && strings.Contains(u.Path, ".json") {
		return r.url
	}
	return r.url + "/packages.json"
}

// Resolve returns the absolute URL of a URL found in the repository's metadata (metadata-url, a dist url), as
// ComposerRepository::canonicalizeUrl does: a value starting with "/" is taken relative to the repository's
// scheme and host; anything else is used as it is, so it must already be absolute.
func (r RepositoryURL) Resolve(ref string) string {
	if strings.HasPrefix(ref, "/") {
		return r.origin + ref
	}
	return ref
}
