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
	// packagistOrg is the constructor's packagist.org rewrite.
	packagistOrg = regexp.MustCompile(`(?i)^(https?)://packagist\.org/?$`)
)

// ParseRepositoryURL reads a repository URL as ComposerRepository's constructor does: "http://" is assumed
// when the URL has no scheme, trailing slashes are trimmed, "https?://" is https and packagist.org is read
// from repo.packagist.org. magerepo reads only http and https repositories, and only URLs that net/url
// parses (Composer also takes, say, a host with a space or a path with "%zz", which no request can use).
func ParseRepositoryURL(s string) (RepositoryURL, error) {
	raw := s
	if !hasScheme.MatchString(s) {
		s = "http://" + s
	}
	s = strings.TrimRight(s, "/")
	if strings.HasPrefix(s, "https?") { // "https if the client has openssl"
		s = "https" + s[len("https?"):]
	}
	u, err := url.Parse(strings.ReplaceAll(s, `\`, "/"))
	if err != nil {
		return RepositoryURL{}, fmt.Errorf("composer: repository URL %q: %w", raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return RepositoryURL{}, fmt.Errorf("composer: repository URL %q must be an http(s) URL with a host", raw)
	}
	if m := packagistOrg.FindStringSubmatch(s); m != nil {
		s = m[1] + "://repo.packagist.org" // the client reads packagist.org from repo.packagist.org
	}
	return RepositoryURL{url: s, origin: originRe.FindString(s)}, nil
}

// String returns the URL as Composer keeps it.
func (r RepositoryURL) String() string { return r.url }

// PackagesJSON returns the URL of the repository's root file (ComposerRepository::getPackagesJsonUrl): the URL
// itself when its path (as parse_url gives it: not percent-decoded) contains ".json" anywhere, else
// "/packages.json" appended.
func (r RepositoryURL) PackagesJSON() string {
	if strings.Contains(rawPath(strings.ReplaceAll(r.url, `\`, "/")), ".json") {
		return r.url
	}
	return r.url + "/packages.json"
}

// rawPath is parse_url's path of an absolute URL: from the first "/" after the authority to the query or
// fragment, "" when a query or fragment comes first.
func rawPath(u string) string {
	_, rest, _ := strings.Cut(u, "://")
	i := strings.IndexAny(rest, "/?#")
	if i < 0 || rest[i] != '/' {
		return ""
	}
	path := rest[i:]
	if j := strings.IndexAny(path, "?#"); j >= 0 {
		path = path[:j]
	}
	return path
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
