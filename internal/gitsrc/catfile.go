package gitsrc

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
)

// maxCatFiles bounds the cat-file processes per repository: one would serialise the build workers, and a few
// are enough to keep the zip writers busy (each process holds pack files open).
const maxCatFiles = 4

// maxResync is the most content a reader closed early skips to keep its process; with more left, killing the
// process and starting another is cheaper than reading the rest of a large blob for nothing.
const maxResync = 64 << 10

// errReaderClosed is returned by reads after Close.
var errReaderClosed = errors.New("gitsrc: read after close")

// acquire takes a process slot and returns an idle process or a new one. After Close it returns ErrClosed
// and starts nothing: the check and the start happen under the lock Close takes.
func (r *Repo) acquire(ctx context.Context) (*catFile, error) {
	r.once.Do(func() { r.slots = make(chan struct{}, maxCatFiles) })
	if err := ctx.Err(); err != nil { // select picks at random when both are ready
		return nil, err
	}
	select {
	case r.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		<-r.slots
		return nil, fmt.Errorf("%s: %w", r.Location, ErrClosed)
	}
	if n := len(r.idle); n > 0 {
		cf := r.idle[n-1]
		r.idle = r.idle[:n-1]
		return cf, nil
	}
	cf, err := startCatFile(r.GitDir)
	if err != nil {
		<-r.slots
		return nil, err
	}
	r.all = append(r.all, cf)
	return cf, nil
}

// release returns a process in step (ready for the next request) to the idle list.
func (r *Repo) release(cf *catFile) {
	r.mu.Lock()
	closed := r.closed
	if !closed {
		r.idle = append(r.idle, cf)
	}
	r.mu.Unlock()
	<-r.slots
	if closed {
		cf.close()
	}
}

// drop stops a process whose stream is out of step (or was killed) and frees its slot.
func (r *Repo) drop(cf *catFile) {
	r.mu.Lock()
	if i := indexOf(r.all, cf); i >= 0 {
		r.all = append(r.all[:i], r.all[i+1:]...)
	}
	r.mu.Unlock()
	<-r.slots
	cf.kill() // it may be blocked writing the rest of a large object nobody reads
	cf.close()
}

func indexOf(cfs []*catFile, cf *catFile) int {
	for i, c := range cfs {
		if c == cf {
			return i
		}
	}
	return -1
}

// open sends a request for object id to a process and returns the stream of its content. The process is
// killed if ctx is done before the reader is closed, so a read blocked on git returns too.
func (r *Repo) open(ctx context.Context, id string) (*ObjectReader, error) {
	if id == "" || strings.ContainsAny(id, "\n\r") { // one request per line
		return nil, fmt.Errorf("invalid object name %q", id)
	}
	cf, err := r.acquire(ctx)
	if err != nil {
		return nil, err
	}
	o := &ObjectReader{r: r, cf: cf, ctx: ctx, id: id, stop: context.AfterFunc(ctx, cf.kill)}
	o.typ, o.size, err = cf.request(id)
	if err != nil {
		o.missing = errors.Is(err, ErrMissing)
		o.broken = err
		o.Close()
		switch {
		case o.missing:
			return nil, fmt.Errorf("object %s: %w", id, ErrMissing)
		case ctx.Err() != nil:
			return nil, fmt.Errorf("reading %s: %w", id, ctx.Err())
		}
		return nil, fmt.Errorf("reading %s: %w", id, r.why(err))
	}
	o.left = o.size
	return o, nil
}

// why names ErrClosed when a read failed because Close killed the process.
func (r *Repo) why(err error) error {
	if r.usable() != nil {
		return fmt.Errorf("%w (%v)", ErrClosed, err)
	}
	return err
}

// ObjectReader streams one object's content from a cat-file process (see [Repo.OpenBlob]).
type ObjectReader struct {
	r       *Repo
	cf      *catFile // nil once closed
	ctx     context.Context
	stop    func() bool // unregisters the kill on ctx; false if it already ran
	id, typ string
	size    int64
	left    int64 // content bytes not read yet
	missing bool  // the object does not exist: the stream is in step, no content follows
	broken  error // a failed read: the stream is out of step
}

// Size returns the content length from git's header.
func (o *ObjectReader) Size() int64 { return o.size }

// Read reads content; it fails with the context's error once the context is done.
func (o *ObjectReader) Read(p []byte) (int, error) {
	switch {
	case o.cf == nil:
		return 0, errReaderClosed
	case o.broken != nil:
		return 0, o.broken
	case o.left == 0:
		return 0, io.EOF
	}
	if err := o.ctx.Err(); err != nil {
		o.broken = fmt.Errorf("reading %s: %w", o.id, err)
		return 0, o.broken
	}
	if int64(len(p)) > o.left {
		p = p[:o.left]
	}
	n, err := o.cf.out.Read(p)
	o.left -= int64(n)
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		if cerr := o.ctx.Err(); cerr != nil {
			err = cerr
		}
		o.broken = fmt.Errorf("reading %s: %w", o.id, o.r.why(err))
		return n, o.broken
	}
	return n, nil
}

// Close gives the process back, in step for the next request, or stops it when that is impossible or
// costlier than starting another. It never fails; a second Close does nothing.
func (o *ObjectReader) Close() error {
	cf := o.cf
	if cf == nil {
		return nil
	}
	o.cf = nil
	if killed := !o.stop(); killed || !o.resync(cf) {
		o.r.drop(cf)
		return nil
	}
	o.r.release(cf)
	return nil
}

// resync skips the unread content and the LF cat-file writes after it.
func (o *ObjectReader) resync(cf *catFile) bool {
	switch {
	case o.missing:
		return true
	case o.broken != nil, o.left > maxResync:
		return false
	}
	if _, err := cf.out.Discard(int(o.left)); err != nil {
		return false
	}
	o.left = 0
	b, err := cf.out.ReadByte()
	return err == nil && b == '\n'
}

// catFile is one `git cat-file --batch` process.
type catFile struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

func startCatFile(gitDir string) (*catFile, error) {
	// Not CommandContext: the process outlives single requests. Each read kills it when its own context is
	// done (ObjectReader), and Repo.Close stops the rest.
	//
	// git reads pack files through mmap windows of up to 1 GiB each, 8 GiB in all by default, so streaming a
	// 1 GiB blob would leave the whole pack resident in this process (page cache, but counted as its memory
	// by RSS limits and cgroups). Small windows under a small limit keep it near 64 MB at no measurable cost.
	cmd := exec.Command("git", "-c", "core.packedGitWindowSize=32m", "-c", "core.packedGitLimit=64m",
		"--git-dir", gitDir, "cat-file", "--batch")
	cmd.Env = gitEnv()
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting git cat-file: %w", err)
	}
	return &catFile{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 64<<10)}, nil
}

// request asks for an object and reads its header; the content follows on c.out, then an LF.
func (c *catFile) request(id string) (typ string, size int64, err error) {
	if _, err := io.WriteString(c.in, id+"\n"); err != nil {
		return "", 0, err
	}
	header, err := c.out.ReadString('\n')
	if err != nil {
		return "", 0, err
	}
	f := strings.Fields(header)
	if len(f) == 2 && f[1] == "missing" {
		return "", 0, ErrMissing
	}
	if len(f) != 3 {
		return "", 0, fmt.Errorf("unexpected cat-file header %q", header)
	}
	size, err = strconv.ParseInt(f[2], 10, 64)
	if err != nil || size < 0 {
		return "", 0, fmt.Errorf("unexpected cat-file header %q", header)
	}
	return f[1], size, nil
}

// kill stops the process at once; safe to call from any goroutine, also after it exited.
func (c *catFile) kill() { _ = c.cmd.Process.Kill() }

// close ends the process (EOF on its input) and waits for it.
func (c *catFile) close() {
	c.in.Close()
	_ = c.cmd.Wait()
}
