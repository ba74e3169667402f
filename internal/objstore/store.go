package objstore

import (
	"context"
	"errors"
	"io"
)

// Errors a [Store] returns, matched with errors.Is.
var (
	// ErrExists means a conditional create found an object at the key.
	ErrExists = errors.New("objstore: the object exists")
	// ErrChanged means a conditional replace found the object changed (or gone) since it was read.
	ErrChanged = errors.New("objstore: the object changed")
	// ErrNotFound means no object has the key.
	ErrNotFound = errors.New("objstore: no such object")
)

// Headers are the HTTP headers an object is served with.
type Headers struct {
	ContentType  string
	CacheControl string
}

// Store is the contract of an object storage backend. Keys are relative to the backend's prefix. A body is read
// from its start; it may be read more than once (a retry seeks back), so it is a ReadSeeker with its size.
type Store interface {
	// Create stores the body at key only if no object has that key (If-None-Match: *), else fails with ErrExists.
	Create(ctx context.Context, key string, body io.ReadSeeker, size int64, h Headers) error
	// Put stores the body at key, replacing any object there.
	Put(ctx context.Context, key string, body io.ReadSeeker, size int64, h Headers) error
	// Replace stores the body at key only if the object there has the ETag etag (If-Match), else fails with
	// ErrChanged.
	Replace(ctx context.Context, key string, body io.ReadSeeker, size int64, h Headers, etag string) error
	// Open returns the object's bytes and its ETag, or ErrNotFound.
	Open(ctx context.Context, key string) (io.ReadCloser, string, error)
	// Delete removes the object at key; a missing object is not an error.
	Delete(ctx context.Context, key string) error
	// String names the store for messages ("s3://bucket/prefix").
	String() string
}
