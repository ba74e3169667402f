//go:build race

package build

// raceEnabled: the race detector changes allocation (a slice grown by append costs about twice as much), so
// tests that bound allocation skip that check.
const raceEnabled = true
