// Package advisory turns a security advisory database into the advisories a Composer repository serves, and
// reads them back as the Composer client does.
//
// # Vocabulary
//
//   - An [Advisory] is one known vulnerability of one package: an id, the versions it affects (a Composer
//     constraint), a title, where it was reported. Its JSON form is the one Composer reads from a p2 file's
//     "security-advisories" list (Composer\Advisory\SecurityAdvisory): advisoryId, packageName,
//     affectedVersions, title, cve, link, reportedAt, sources.
//   - A [DB] holds the advisories of the packages a repository serves, in a deterministic order, and is what
//     internal/repo publishes ([DB.Of]).
//   - The database read is FriendsOfPHP/security-advisories, the one packagist.org reads, or anything in its
//     layout: one YAML file per advisory at <vendor>/<name>/<id>.yaml ([Read]).
//
// # Serving rules
//
// A repository that serves advisories says so in packages.json ("security-advisories": {"metadata": true})
// and puts each package's list in the top-level "security-advisories" key of p2/<name>.json, the file
// Composer fetches for them (ComposerRepository::getSecurityAdvisories); the ~dev file is not read for them.
// Composer 2.5 fails the whole audit on one advisory whose affectedVersions it cannot parse, or that lacks
// title, sources or reportedAt (it asks for full advisories when the repository has no api-url), so [Read]
// leaves such advisories out and reports them, and [ParseServed] reports them as defects of a served file.
//
// The package does no I/O of its own: [Read] reads the [fs.FS] it is given (a git tree or a directory).
package advisory
