package main

import (
	"debug/elf"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"
)

// TestDockerfileCommands runs, outside Docker (no engine here), the commands the image is built and run with:
// the Dockerfile's own `go build` line must give a static binary, which then builds a repository once and serves
// it with updates, the image's two documented invocations, and stops cleanly on SIGTERM.
func TestDockerfileCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	df, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^RUN (CGO_ENABLED=0 go build .* -o )/out/magerepo( \./cmd/magerepo)$`).FindStringSubmatch(string(df))
	if m == nil {
		t.Fatal("the Dockerfile's go build line was not found")
	}
	// The line as the image runs it (a shell command), with only the output path changed.
	bin := filepath.Join(t.TempDir(), "magerepo")
	line := m[1] + bin + m[2]
	cmd := exec.Command("/bin/sh", "-c", line)
	cmd.Dir = "../.."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", line, err, out)
	}
	if f, err := elf.Open(bin); err != nil {
		t.Fatal(err)
	} else {
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				t.Fatal("the binary is dynamically linked; the image's runtime stage needs a static one")
			}
		}
		f.Close()
	}

	f := newFixture(t)
	out := filepath.Join(t.TempDir(), "srv")
	cfg := f.config(t, "https://repo.example.com/", "mageos")
	run := exec.Command(bin, "build", "--config", cfg, "--cache", t.TempDir(), "--base-url", "https://repo.example.com/", "--out", out)
	if b, err := run.CombinedOutput(); err != nil {
		t.Fatalf("build once: %v\n%s", err, b)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	serve := exec.Command(bin, "serve", "--listen", addr, "--config", cfg, "--cache", t.TempDir(), "--update-every", "1h",
		"--base-url", "https://repo.example.com/", out)
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer serve.Process.Kill()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/packages.json")
		if err == nil && resp.StatusCode == http.StatusOK {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve never answered: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	serve.Process.Signal(syscall.SIGTERM)
	if err := serve.Wait(); err != nil {
		t.Fatalf("serve did not stop cleanly on SIGTERM: %v", err)
	}
}
