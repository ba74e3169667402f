// Package jsonreport holds the conventions every machine-readable report of magerepo follows (the --json output
// of build, sync, verify and version, and the copies under <out>/.magerepo/), so that a script reads them alike:
//
//   - the same idea has the same field name in every report: counts are "built", "reused", "skipped", "failed";
//     "problems" is the list of everything reported, each with a "severity" and a "message"; "interrupted" says
//     the run was stopped by a signal, so the counts are what was done until then;
//   - durations are seconds as a JSON number, in fields named duration_seconds ([Seconds]);
//   - a list is always present, empty as [] rather than null or left out ([List]), so that a consumer can
//     iterate without checking; a string field that does not apply to an item (a problem without a tag) is
//     left out.
//
// docs/cli.md shows each report with an example produced by the tests.
package jsonreport

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"time"
)

// Seconds is a duration that is written as seconds, a JSON number rounded to milliseconds (30.306), instead
// of Go's nanoseconds or a "30.306s" string that every consumer would have to parse.
type Seconds time.Duration

// MarshalJSON writes the duration in seconds.
func (s Seconds) MarshalJSON() ([]byte, error) {
	sec := math.Round(time.Duration(s).Seconds()*1000) / 1000
	return strconv.AppendFloat(nil, sec, 'f', -1, 64), nil
}

// UnmarshalJSON reads seconds.
func (s *Seconds) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*s = Seconds(time.Duration(f * float64(time.Second)))
	return nil
}

// String formats the duration as Go does, rounded to milliseconds (for text summaries).
func (s Seconds) String() string { return time.Duration(s).Round(time.Millisecond).String() }

// List returns l, or an empty list for nil, so that it is written as [].
func List[T any](l []T) []T {
	if l == nil {
		return []T{}
	}
	return l
}

// Marshal is json.Marshal without HTML escaping, for the MarshalJSON methods of reports: a message such as
// "requires acme/lib >=2.0" stays readable (json.Marshal would write \u003e=2.0, and an encoder's
// SetEscapeHTML(false) cannot undo what a MarshalJSON method already escaped).
func Marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}
