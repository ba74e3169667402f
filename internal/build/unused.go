package build

// reportUnusedFixes reports as warnings the fixes (version pins, patches, file replacements) that applied to
// nothing, of the sources this run saw whole: opened, and every selected tag expanded by this run without an
// error or a wait for release metadata. That is the first build, and every run after a source's configuration
// (its layouts or its fixes) changed, since that expands all its tags again. A fix of a source missing from
// --sources-dir or unreachable, or of a source whose tags an earlier run processed, is not judged: it may well
// apply to what this run did not read, and an offline or incremental build must not flood warnings.
func (b *builder) reportUnusedFixes() {
	whole := map[string]bool{}
	for _, s := range b.sources {
		whole[s.cfg.Name] = s.sawWhole()
	}
	for _, f := range b.fixes.UnusedIn(func(source string) bool { return whole[source] }) {
		b.report.add(Problem{Severity: SeverityWarning, Source: f.Source,
			Message: "fix never applied (a typo in a name, tag or version?): " + f.ID})
	}
}

// sawWhole reports whether this run expanded every selected tag of the source, each without a problem that
// could have kept a fix from being reached.
func (s *source) sawWhole() bool {
	if s.repo == nil || s.state == nil || len(s.pending) != len(s.seen) {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.failedTags) == 0
}
