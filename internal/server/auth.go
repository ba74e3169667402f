package server

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
)

// TokenUser is the user name that marks a bearer token in a credentials file.
const TokenUser = "token"

// Credentials are the accepted HTTP Basic users and bearer tokens. Only SHA-256
// digests are kept, and every check compares against every entry in constant
// time, so neither timing nor memory dumps reveal much.
//
// The file format (see [ParseCredentials]) is one entry a line:
//
//	# comment
//	alice:correct horse battery staple
//	token:3f9a0c1e7b
//
// "user:password" accepts HTTP Basic as Composer sends it for an auth.json
// "http-basic" entry. "token:<token>" accepts "Authorization: Bearer <token>" (an
// auth.json "bearer" entry) and also Basic with user "token" and the token as
// password, for clients that only speak Basic. Blank lines and lines starting
// with "#" are ignored; leading and trailing white space is trimmed; the user
// ends at the first colon; user and password must not be empty.
type Credentials struct {
	basic  [][sha256.Size]byte
	bearer [][sha256.Size]byte
}

// LoadCredentials reads a credentials file.
func LoadCredentials(path string) (*Credentials, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("credentials: %w", err)
	}
	c, err := ParseCredentials(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("credentials: %s: %w", path, err)
	}
	return c, nil
}

// ParseCredentials reads credentials in the format described at [Credentials].
// Errors name the line but never echo its content.
func ParseCredentials(r io.Reader) (*Credentials, error) {
	c := &Credentials{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		user, secret, ok := strings.Cut(line, ":")
		if !ok || user == "" || secret == "" {
			return nil, fmt.Errorf("line %d: want user:password or token:<token>", n)
		}
		if user == TokenUser {
			c.bearer = append(c.bearer, digest("bearer", secret))
		} else {
			c.basic = append(c.basic, digest(user, secret))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(c.basic)+len(c.bearer) == 0 {
		return nil, fmt.Errorf("no credentials")
	}
	return c, nil
}

// Check reports whether the request carries accepted credentials.
func (c *Credentials) Check(r *http.Request) bool {
	if user, pass, ok := r.BasicAuth(); ok {
		if user == TokenUser && match(c.bearer, digest("bearer", pass)) {
			return true
		}
		return match(c.basic, digest(user, pass))
	}
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if ok && strings.EqualFold(scheme, "Bearer") {
		return match(c.bearer, digest("bearer", strings.TrimSpace(tok)))
	}
	return false
}

func (s *Server) authorized(r *http.Request) bool {
	return s.creds == nil || s.creds.Check(r)
}

// digest hashes a user and secret; the NUL separator keeps "a:bc" and "ab:c"
// apart.
func digest(user, secret string) [sha256.Size]byte {
	return sha256.Sum256([]byte(user + "\x00" + secret))
}

// match compares d with every entry without stopping early.
func match(list [][sha256.Size]byte, d [sha256.Size]byte) bool {
	found := 0
	for i := range list {
		found |= subtle.ConstantTimeCompare(list[i][:], d[:])
	}
	return found == 1
}
