package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
)

// TestUpdateWhileServing runs scheduled updates that publish a new version (and
// every third time a new package) in the documented order, dists, then p2 via
// rename, then packages.json, while clients walk packages.json, every p2 file it
// names and every dist those name. No request may fail. After each file an
// update writes, it waits for a client to complete a whole walk, so every
// intermediate state of the directory is walked at least once.
func TestUpdateWhileServing(t *testing.T) {
	const updates = 12
	repo := newTestRepo(t, filepath.Join(t.TempDir(), "repo"), "")
	walked := make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	waitForWalk := func() {
		select { // a walk that began before the write does not count
		case <-walked:
		default:
		}
		for range 2 {
			select {
			case <-walked:
			case <-ctx.Done(): // a client failed
				return
			}
		}
	}
	var step atomic.Int32
	upd := NewUpdater(func(context.Context) error {
		n := int(step.Add(1))
		name := "acme/hello"
		if n%3 == 0 {
			name = fmt.Sprintf("acme/pkg%d", n)
		}
		repo.publishSteps(name, fmt.Sprintf("1.0.%d", n), waitForWalk)
		if n == updates {
			cancel()
		}
		return nil
	}, nil)
	srv, err := New(repo.dir, Options{Updater: upd})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ts := httptest.NewServer(srv)
	defer ts.Close()
	repo.baseURL = ts.URL
	repo.publish("acme/hello", "1.0.0")

	var failures atomic.Int32
	var walks atomic.Int64
	var wg sync.WaitGroup
	for c := range 2 {
		wg.Go(func() {
			client := &http.Client{} // default transport: asks for gzip, decodes it
			for ctx.Err() == nil {
				if err := walk(ctx, client, ts.URL); err != nil {
					if ctx.Err() == nil {
						failures.Add(1)
						t.Errorf("client %d: %v", c, err)
						cancel()
					}
					return
				}
				walks.Add(1)
				select {
				case walked <- struct{}{}:
				default:
				}
			}
		})
	}
	upd.Run(ctx, 1, false) // a 1ns interval: back-to-back scheduled updates
	wg.Wait()
	if failures.Load() == 0 && step.Load() != updates {
		t.Errorf("%d updates ran, want %d", step.Load(), updates)
	}
	// The final state is complete too.
	if err := walk(t.Context(), http.DefaultClient, ts.URL); err != nil {
		t.Errorf("final walk: %v", err)
	}
	t.Logf("%d walks during %d updates", walks.Load(), updates)
}

// walk fetches packages.json, every p2 file it names and every dist in those.
func walk(ctx context.Context, client *http.Client, base string) error {
	var root struct {
		MetadataURL string   `json:"metadata-url"`
		Available   []string `json:"available-packages"`
	}
	if err := fetchJSON(ctx, client, base+"/packages.json", &root); err != nil {
		return err
	}
	for _, name := range root.Available {
		var p2 struct {
			Packages map[string][]struct {
				Version string `json:"version"`
				Dist    struct {
					URL string `json:"url"`
				} `json:"dist"`
			} `json:"packages"`
		}
		if err := fetchJSON(ctx, client, base+"/p2/"+name+".json", &p2); err != nil {
			return err
		}
		if len(p2.Packages[name]) == 0 {
			return fmt.Errorf("p2 file of %s has no versions", name)
		}
		for _, v := range p2.Packages[name] {
			if _, err := fetch(ctx, client, v.Dist.URL); err != nil {
				return err
			}
		}
	}
	return nil
}

func fetchJSON(ctx context.Context, client *http.Client, url string, v any) error {
	b, err := fetch(ctx, client, url)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", url, err)
	}
	return nil
}

func fetch(ctx context.Context, client *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", url, err)
	}
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("%s: status %d", url, resp.StatusCode)
	}
	return b, nil
}
