package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Timeouts used by [Run]. Requests are tiny (GET without a body, a webhook
// payload), so headers and bodies must arrive quickly; responses may be large
// dists going to slow clients, so writing gets much longer.
const (
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 30 * time.Second
	WriteTimeout      = 15 * time.Minute
	IdleTimeout       = 2 * time.Minute
	ShutdownTimeout   = 30 * time.Second
	maxHeaderBytes    = 64 << 10
)

// RunOptions configure [Run].
type RunOptions struct {
	// TLSCert and TLSKey are PEM files; when both are set the server speaks
	// TLS and offers HTTP/2.
	TLSCert, TLSKey string
	// Logger receives start, stop and server errors. Nil discards them.
	Logger *slog.Logger
}

// Run serves h on ln until ctx is done, then shuts down gracefully: it stops
// accepting, lets requests in flight finish for up to [ShutdownTimeout] and
// returns nil. Any other serving error is returned.
func Run(ctx context.Context, ln net.Listener, h http.Handler, opts RunOptions) error {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	tls := opts.TLSCert != "" || opts.TLSKey != ""
	errc := make(chan error, 1)
	go func() {
		if tls {
			// With no TLSConfig of its own the server offers h2 through ALPN.
			errc <- srv.ServeTLS(ln, opts.TLSCert, opts.TLSKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	log.Info("serving", slog.String("addr", ln.Addr().String()), slog.Bool("tls", tls))

	select {
	case err := <-errc:
		return fmt.Errorf("server: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("server: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("server: %w", err)
	}
	return nil
}
