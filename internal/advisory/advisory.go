package advisory

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"

	"github.com/mage-os/magerepo/internal/composer"
)

// FriendsOfPHP is the name of the advisories' source as Packagist names it ("sources": [{"name": …,
// "remoteId": "<vendor>/<name>/<file>.yaml"}]), so that an audit.ignore entry keyed by a remote id means the
// same advisory here and on packagist.org.
const FriendsOfPHP = "FriendsOfPHP/security-advisories"

// TimeLayout is how reportedAt is written: UTC, as Packagist's advisories API writes it. Composer reads it with
// new DateTimeImmutable($reportedAt, UTC).
const TimeLayout = "2006-01-02 15:04:05"

// Source names where an advisory comes from.
type Source struct {
	Name     string `json:"name"`
	RemoteID string `json:"remoteId"`
}

// Advisory is one advisory of one package, with the fields of Composer's SecurityAdvisory.
type Advisory struct {
	// ID is the advisoryId: "MRSA-" and twelve hex digits of a hash of the remote id (Packagist's own
	// PKSA-… ids are random and cannot be derived), stable for as long as the file keeps its path.
	ID string `json:"advisoryId"`
	// Package is the package name, lower-cased.
	Package string `json:"packageName"`
	// AffectedVersions is a Composer constraint: each branch's versions joined by ",", the branches by "|".
	AffectedVersions string `json:"affectedVersions"`
	Title            string `json:"title"`
	// CVE is a CVE id ("CVE-2024-34102"), or "" (published as null).
	CVE string `json:"cve,omitempty"`
	// Link is the announcement's URL, or "" (published as null).
	Link string `json:"link,omitempty"`
	// ReportedAt is in [TimeLayout], UTC.
	ReportedAt string   `json:"reportedAt"`
	Sources    []Source `json:"sources"`
}

// Object returns the advisory as an entry of a p2 file's "security-advisories" list, keys in the order of
// Composer's own serialisation (PartialSecurityAdvisory, then SecurityAdvisory); a missing cve or link is null.
func (a Advisory) Object() *composer.Object {
	o := composer.NewObject()
	o.SetString("advisoryId", a.ID)
	o.SetString("packageName", a.Package)
	o.SetString("affectedVersions", a.AffectedVersions)
	o.SetString("title", a.Title)
	o.Set("cve", nullable(a.CVE))
	o.Set("link", nullable(a.Link))
	o.SetString("reportedAt", a.ReportedAt)
	srcs := make([]*composer.Value, len(a.Sources))
	for i, s := range a.Sources {
		so := composer.NewObject()
		so.SetString("name", s.Name)
		so.SetString("remoteId", s.RemoteID)
		srcs[i] = composer.ObjectValue(so)
	}
	o.Set("sources", composer.ArrayValue(srcs...))
	return o
}

func nullable(s string) *composer.Value {
	if s == "" {
		return composer.NullValue()
	}
	return composer.StringValue(s)
}

// remoteID returns the id of the advisory's first source, which orders a package's advisories.
func (a Advisory) remoteID() string {
	if len(a.Sources) == 0 {
		return ""
	}
	return a.Sources[0].RemoteID
}

// idFor derives the advisoryId of the advisory read from remote id rid.
func idFor(rid string) string {
	sum := sha256.Sum256([]byte(FriendsOfPHP + "\x00" + rid))
	h := hex.EncodeToString(sum[:6])
	return "MRSA-" + h[0:4] + "-" + h[4:8] + "-" + h[8:12]
}

// DB holds advisories by package. The zero value and nil hold none. A DB is not changed after it is made, so
// it may be read from several goroutines.
type DB struct {
	byName map[string][]Advisory
}

// NewDB makes a DB of the given advisories (by package name, as [DB.Packages] returns them), ordered as [Read]
// orders them, so a DB saved and made again publishes the same bytes.
func NewDB(byName map[string][]Advisory) *DB {
	db := &DB{byName: map[string][]Advisory{}}
	for name, list := range byName {
		name = strings.ToLower(name)
		db.byName[name] = append(db.byName[name], list...)
	}
	for _, list := range db.byName {
		sortAdvisories(list)
	}
	return db
}

// sortAdvisories orders one package's advisories by remote id (the file's path), then id.
func sortAdvisories(list []Advisory) {
	slices.SortFunc(list, func(a, b Advisory) int {
		return cmp.Or(strings.Compare(a.remoteID(), b.remoteID()), strings.Compare(a.ID, b.ID))
	})
}

// Of returns the advisories of package name as the entries of its p2 file's "security-advisories" list, in
// order; a package without advisories gets an empty list (the repository answered: none known).
func (db *DB) Of(name string) []*composer.Object {
	if db == nil {
		return []*composer.Object{}
	}
	list := db.byName[strings.ToLower(name)]
	out := make([]*composer.Object, len(list))
	for i, a := range list {
		out[i] = a.Object()
	}
	return out
}

// Advisories returns the advisories of package name, in order.
func (db *DB) Advisories(name string) []Advisory {
	if db == nil {
		return nil
	}
	return slices.Clone(db.byName[strings.ToLower(name)])
}

// Packages returns the advisories by package name, for saving; [NewDB] makes the DB again.
func (db *DB) Packages() map[string][]Advisory {
	out := map[string][]Advisory{}
	if db == nil {
		return out
	}
	for n, list := range db.byName {
		out[n] = slices.Clone(list)
	}
	return out
}

// Len returns the number of advisories.
func (db *DB) Len() int {
	if db == nil {
		return 0
	}
	n := 0
	for _, list := range db.byName {
		n += len(list)
	}
	return n
}

// Key identifies the DB's content: two DBs with the same key publish the same bytes.
func (db *DB) Key() string {
	h := sha256.New()
	h.Write([]byte("advisories v1\n"))
	if db != nil {
		names := make([]string, 0, len(db.byName))
		for n := range db.byName {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, n := range names {
			b, _ := json.Marshal(db.byName[n])
			h.Write([]byte(n + "\n"))
			h.Write(b)
			h.Write([]byte("\n"))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
