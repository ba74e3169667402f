package archive

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrUnsafeName is returned (wrapped) by [CheckName] for a name that extractors misread.
var ErrUnsafeName = errors.New("archive: unsafe name")

// CheckName reports, wrapping [ErrUnsafeName], a "/"-separated entry name that an extractor would not turn
// into the file it names, or that is dangerous to extract. A trailing "/" (a directory) is allowed. Refused
// in every path component:
//
//   - a backslash: the zip format requires "/", and Windows extractors treat "\" as a separator, so
//     `..\..\evil.txt` escapes the target directory;
//   - a drive prefix ("C:"): Windows resolves `C:x.txt` against the current directory of drive C;
//   - a control character (C0, DEL, C1) or invalid UTF-8: names are marked UTF-8, and terminals and file
//     systems mangle control characters;
//   - ".git" in any case, also with trailing dots or spaces (which Windows drops) and as the short name
//     "git~1": extracted into a Composer vendor directory, it is a repository git would run (its config can
//     run commands). Git refuses to check these out for the same reason (verify_path, is_ntfs_dotgit).
//
// [Write] refuses such names; callers that list files (the build) check them first, to leave the file out
// and say so.
func CheckName(name string) error {
	for part := range strings.SplitSeq(strings.TrimSuffix(name, "/"), "/") {
		if why := unsafeComponent(part); why != "" {
			return fmt.Errorf("%w: %q %s", ErrUnsafeName, part, why)
		}
	}
	return nil
}

// unsafeComponent says why one path component is unsafe, or returns "".
func unsafeComponent(part string) string {
	switch {
	case strings.ContainsRune(part, '\\'):
		return "has a backslash, a path separator for Windows extractors"
	case len(part) >= 2 && part[1] == ':' && isASCIILetter(part[0]):
		return "starts with a drive prefix"
	case !utf8.ValidString(part):
		return "is not valid UTF-8"
	case strings.IndexFunc(part, unicode.IsControl) >= 0:
		return "has a control character"
	case isDotGit(part):
		return "is a .git directory name"
	}
	return ""
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// isDotGit reports ".git" and its Windows aliases, case-insensitively.
func isDotGit(part string) bool {
	base := strings.TrimRight(part, ". ")
	return strings.EqualFold(base, ".git") || strings.EqualFold(base, "git~1")
}
