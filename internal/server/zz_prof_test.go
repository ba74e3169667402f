package server

import (
	"net"
	"net/http"
	"os"
	"testing"
	"time"
)

func TestZZProf(t *testing.T) {
	dir := os.Getenv("PROF_DIR")
	if dir == "" {
		t.Skip()
	}
	s, err := New(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:18099")
	srv := &http.Server{Handler: s}
	go srv.Serve(ln)
	time.Sleep(9 * time.Second)
	srv.Close()
}
