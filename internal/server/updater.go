package server

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// Updater runs an update function (typically: fetch sources, build, publish) on a
// schedule and on demand, never two at a time. Triggers that arrive while an
// update runs are merged into one follow-up run. Requests keep being served
// meanwhile: the update publishes files by rename, dists first, p2 files next
// and packages.json last, so a client never sees a name before its file exists.
type Updater struct {
	fn      func(context.Context) ([]slog.Attr, error)
	log     *slog.Logger
	trigger chan struct{}
}

// NewUpdater returns an Updater for fn. Errors from fn are logged, never fatal.
func NewUpdater(fn func(context.Context) error, log *slog.Logger) *Updater {
	return NewCountingUpdater(func(ctx context.Context) ([]slog.Attr, error) { return nil, fn(ctx) }, log)
}

// NewCountingUpdater is [NewUpdater] for an fn that also says what it did: its attributes (counts of what was
// built, say) go into the "update finished" and "update failed" log lines, so an operator reading the log sees
// whether an update changed anything.
func NewCountingUpdater(fn func(context.Context) ([]slog.Attr, error), log *slog.Logger) *Updater {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Updater{fn: fn, log: log, trigger: make(chan struct{}, 1)}
}

// Trigger asks for an update as soon as possible without waiting for it. It
// never blocks: a trigger already pending absorbs this one.
func (u *Updater) Trigger() {
	select {
	case u.trigger <- struct{}{}:
	default:
	}
}

// Run performs updates until ctx is done: once at the start if now is true,
// every interval if every > 0, and after each [Updater.Trigger]. It returns
// when ctx is done; an update in progress gets ctx's cancellation.
func (u *Updater) Run(ctx context.Context, every time.Duration, now bool) {
	var tick <-chan time.Time
	if every > 0 {
		t := time.NewTicker(every)
		defer t.Stop()
		tick = t.C
	}
	if now {
		u.Trigger()
	}
	for ctx.Err() == nil {
		select {
		case <-ctx.Done():
			return
		case <-tick:
		case <-u.trigger:
		}
		if ctx.Err() != nil {
			return
		}
		u.runOnce(ctx)
	}
}

func (u *Updater) runOnce(ctx context.Context) {
	start := time.Now()
	u.log.LogAttrs(ctx, slog.LevelInfo, "update started")
	counts, err := u.fn(ctx)
	if err != nil {
		u.log.LogAttrs(ctx, slog.LevelError, "update failed", append([]slog.Attr{
			slog.Duration("duration", time.Since(start)), slog.String("error", err.Error())}, counts...)...)
		return
	}
	u.log.LogAttrs(ctx, slog.LevelInfo, "update finished", append([]slog.Attr{slog.Duration("duration", time.Since(start))}, counts...)...)
}

// maxHookBody bounds what the webhook reads to check a GitHub signature.
const maxHookBody = 1 << 20

// serveHook answers POST /hooks/update: with the shared secret it queues an
// update and answers 202 at once. The secret may come as "X-Magerepo-Secret",
// as "Authorization: Bearer", or as a GitHub "X-Hub-Signature-256" over the body.
func (s *Server) serveHook(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		plainError(w, http.StatusMethodNotAllowed)
		return
	}
	if !s.hookAuthorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="`+s.realm+` hooks"`)
		plainError(w, http.StatusUnauthorized)
		return
	}
	s.upd.Trigger()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusAccepted)
	io.WriteString(w, "update queued\n")
}

func (s *Server) hookAuthorized(r *http.Request) bool {
	if v := r.Header.Get("X-Magerepo-Secret"); v != "" {
		return equalSecret(v, s.secret)
	}
	if scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		return equalSecret(strings.TrimSpace(tok), s.secret)
	}
	if sig, ok := strings.CutPrefix(r.Header.Get("X-Hub-Signature-256"), "sha256="); ok {
		got, err := hex.DecodeString(sig)
		if err != nil {
			return false
		}
		body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxHookBody))
		if err != nil {
			return false
		}
		mac := hmac.New(sha256.New, []byte(s.secret))
		mac.Write(body)
		return hmac.Equal(got, mac.Sum(nil))
	}
	return false
}

// equalSecret compares digests so that the comparison time does not depend on
// where or whether the lengths differ.
func equalSecret(got, want string) bool {
	a, b := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}
