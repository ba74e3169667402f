// Package progress is the contract between the long-running stages (build, sync, verify) and whatever shows
// their progress (internal/ui's terminal bar or log lines): a stage reports how much work a phase has and how
// much is done, and never needs to know whether anyone is watching.
package progress

// Reporter is told how much work a phase has and how much is done. Add is called from several goroutines.
type Reporter interface {
	Start(total int)
	Add(n int)
	Finish()
}

// Phases returns a Reporter for each long phase of a run ("fetching metadata", "downloading dists"); it may
// return nil for a phase nobody watches.
type Phases func(phase string) Reporter

// Start starts phase with total items on phases, and returns its Reporter, never nil: a run without phases,
// or a phase nobody watches, reports to nothing.
func Start(phases Phases, phase string, total int) Reporter {
	var r Reporter
	if phases != nil {
		r = phases(phase)
	}
	if r == nil {
		return discard{}
	}
	r.Start(total)
	return r
}

type discard struct{}

func (discard) Start(int) {}
func (discard) Add(int)   {}
func (discard) Finish()   {}
