package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// watch cancels one attempt when its body deadline passes or when it stops making progress. Written by hand:
// net/http has a header timeout but nothing that watches a body.
type watch struct {
	ctx    context.Context
	parent context.Context
	cancel context.CancelCauseFunc

	stallAfter time.Duration
	stallErr   error

	mu       sync.Mutex
	stall    *time.Timer // started at the first sign of progress: a connection
	deadline *time.Timer
	stopped  bool
}

func (c *Client) watch(parent context.Context) *watch {
	ctx, cancel := context.WithCancelCause(parent)
	w := &watch{ctx: ctx, parent: parent, cancel: cancel, stallAfter: c.o.StallTimeout,
		stallErr: fmt.Errorf("%w: less than %d bytes in %s", ErrStalled, stallBytes, c.o.StallTimeout)}
	bodyErr := fmt.Errorf("%w (%s)", ErrBodyTimeout, c.o.BodyTimeout)
	w.deadline = time.AfterFunc(c.o.BodyTimeout, func() { cancel(bodyErr) })
	return w
}

// progress restarts the stall clock.
func (w *watch) progress() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return
	}
	if w.stall == nil {
		w.stall = time.AfterFunc(w.stallAfter, func() { w.cancel(w.stallErr) })
		return
	}
	w.stall.Reset(w.stallAfter)
}

// done stops the clocks once the body has been read to its end.
func (w *watch) done() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stopped = true
	w.deadline.Stop()
	if w.stall != nil {
		w.stall.Stop()
	}
}

// stop ends the attempt: clocks stopped, its context released.
func (w *watch) stop() {
	w.done()
	w.cancel(context.Canceled)
}

// cause turns an error of this attempt into one that says why it ended: a stall or the body deadline when one of
// them cancelled it; the error itself otherwise (the caller's cancellation included).
func (w *watch) cause(err error, url string, n int64) error {
	if w.parent.Err() != nil {
		return err
	}
	if c := context.Cause(w.ctx); errors.Is(c, ErrStalled) || errors.Is(c, ErrBodyTimeout) {
		return fmt.Errorf("GET %s: %w after %d bytes", url, c, n)
	}
	return err
}

// guardedBody is a response body under a watch: every stallBytes read restart the stall clock.
type guardedBody struct {
	rc      io.ReadCloser
	w       *watch
	url     string
	n       int64 // bytes read
	pending int64 // bytes read since the clock was last restarted
}

func (b *guardedBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.n += int64(n)
	b.pending += int64(n)
	if b.pending >= stallBytes {
		b.pending = 0
		b.w.progress()
	}
	switch {
	case err == io.EOF:
		b.w.done()
	case err != nil:
		err = b.w.cause(err, b.url, b.n)
		if !errors.Is(err, ErrStalled) && !errors.Is(err, ErrBodyTimeout) && b.w.parent.Err() == nil {
			err = fmt.Errorf("GET %s: %w", b.url, err)
		}
	}
	return n, err
}

func (b *guardedBody) Close() error {
	err := b.rc.Close()
	b.w.stop()
	return err
}
