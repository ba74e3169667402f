package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer the server's goroutines may log to while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestServeMessages: serve warns about a directory that holds no repository, refuses an unreadable TLS pair
// before it says it is serving, and logs each update's counts.
func TestServeMessages(t *testing.T) {
	t.Run("empty directory", func(t *testing.T) {
		var logs lockedBuffer
		g := &globalOptions{LogFormat: "text", stdout: &bytes.Buffer{}, stderr: &logs}
		ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
		defer cancel()
		if err := runServe(ctx, &serveOptions{Listen: "127.0.0.1:0"}, g, t.TempDir()); err != nil {
			t.Fatal(err)
		}
		if s := logs.String(); !strings.Contains(s, "level=WARN") || !strings.Contains(s, "no packages.json") {
			t.Errorf("no warning for an empty directory:\n%s", s)
		}
	})
	t.Run("missing certificate", func(t *testing.T) {
		var logs lockedBuffer
		g := &globalOptions{LogFormat: "text", stdout: &bytes.Buffer{}, stderr: &logs}
		err := runServe(t.Context(), &serveOptions{Listen: "127.0.0.1:0", TLSCert: "missing.pem", TLSKey: "missing.key"}, g, t.TempDir())
		if exitCode(t.Context(), err) != exitUsage || !strings.Contains(err.Error(), "missing.pem") {
			t.Fatalf("exit %d: %v", exitCode(t.Context(), err), err)
		}
		if s := logs.String(); strings.Contains(s, "serving") {
			t.Errorf("announced before failing:\n%s", s)
		}
	})
	t.Run("update counts", func(t *testing.T) {
		f := newFixture(t)
		var logs lockedBuffer
		g := &globalOptions{LogFormat: "text", stdout: &bytes.Buffer{}, stderr: &logs}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() {
			done <- runServe(ctx, &serveOptions{Listen: "127.0.0.1:0", UpdateEvery: time.Hour,
				Config: f.config(t, "https://repo.example.com/", "mageos"), Cache: t.TempDir()}, g, t.TempDir())
		}()
		deadline := time.Now().Add(30 * time.Second)
		for !strings.Contains(logs.String(), "update finished") && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		line := ""
		for _, l := range strings.Split(logs.String(), "\n") {
			if strings.Contains(l, "update finished") {
				line = l
			}
		}
		for _, want := range []string{"built=10", "reused=0", "failed=0", "new_tags=5"} {
			if !strings.Contains(line, want) {
				t.Errorf("update finished line lacks %s: %q", want, line)
			}
		}
	})
}
