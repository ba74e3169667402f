// Package s3store is the S3 backend of internal/objstore, on aws-sdk-go-v2 (docs/design-notes.md says why that
// library): AWS S3 and the S3-compatible stores (Cloudflare R2, MinIO, gofakes3 in tests).
//
// Credentials, region and endpoint come from the standard AWS chain: AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY (or AWS_PROFILE and ~/.aws), AWS_REGION, and AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL for a
// store other than AWS. Path-style addressing (https://endpoint/bucket/key) is used when an endpoint is set, since
// most S3-compatible stores want it; MAGEREPO_S3_PATH_STYLE=true or false overrides that.
package s3store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/mage-os/magerepo/internal/objstore"
)

// ErrURL means a target is not an s3://bucket/prefix URL.
var ErrURL = errors.New("s3store: the target is not s3://bucket[/prefix]")

// Target is where a repository is published: a bucket and a key prefix ("" or ending in "/").
type Target struct {
	Bucket string
	Prefix string
}

// ParseURL parses "s3://bucket/prefix".
func ParseURL(s string) (Target, error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "s3" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return Target{}, fmt.Errorf("%w: %q", ErrURL, s)
	}
	p := strings.Trim(u.Path, "/")
	if p != "" {
		p += "/"
	}
	return Target{Bucket: u.Host, Prefix: p}, nil
}

// String returns the target as s3://bucket/prefix.
func (t Target) String() string { return "s3://" + t.Bucket + "/" + t.Prefix }

// Store is an [objstore.Store] on one bucket and prefix.
type Store struct {
	client *s3.Client
	t      Target
}

// New returns a store for t configured from the environment (the package comment says which variables).
func New(ctx context.Context, t Target) (*Store, error) {
	opts := []func(*config.LoadOptions) error{
		// aws-sdk-go-v2's s3 sends CRC32 checksums with every PutObject since v1.73, which several
		// S3-compatible stores reject: only when an operation requires one.
		config.WithRequestChecksumCalculation(aws.RequestChecksumCalculationWhenRequired),
		config.WithResponseChecksumValidation(aws.ResponseChecksumValidationWhenRequired),
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("s3store: %w", err)
	}
	pathStyle := cfg.BaseEndpoint != nil
	if v := os.Getenv("MAGEREPO_S3_PATH_STYLE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("s3store: MAGEREPO_S3_PATH_STYLE=%q: want true or false", v)
		}
		pathStyle = b
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1" // S3-compatible stores take any; AWS needs the bucket's (AWS_REGION)
	}
	c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = pathStyle })
	return &Store{client: c, t: t}, nil
}

// String returns the target.
func (s *Store) String() string { return s.t.String() }

func (s *Store) put(ctx context.Context, key string, body io.ReadSeeker, size int64, h objstore.Headers, ifNone, ifMatch string) error {
	if _, err := body.Seek(0, io.SeekStart); err != nil {
		return err
	}
	in := &s3.PutObjectInput{
		Bucket: aws.String(s.t.Bucket), Key: aws.String(s.t.Prefix + key), Body: body,
		ContentLength: aws.Int64(size),
	}
	if h.ContentType != "" {
		in.ContentType = aws.String(h.ContentType)
	}
	if h.CacheControl != "" {
		in.CacheControl = aws.String(h.CacheControl)
	}
	if ifNone != "" {
		in.IfNoneMatch = aws.String(ifNone)
	}
	if ifMatch != "" {
		in.IfMatch = aws.String(ifMatch)
	}
	_, err := s.client.PutObject(ctx, in)
	return s.err(key, err)
}

// Create implements [objstore.Store] with If-None-Match: *.
func (s *Store) Create(ctx context.Context, key string, body io.ReadSeeker, size int64, h objstore.Headers) error {
	err := s.put(ctx, key, body, size, h, "*", "")
	if errors.Is(err, objstore.ErrChanged) {
		return fmt.Errorf("%w: %s", objstore.ErrExists, key)
	}
	return err
}

// Put implements [objstore.Store].
func (s *Store) Put(ctx context.Context, key string, body io.ReadSeeker, size int64, h objstore.Headers) error {
	return s.put(ctx, key, body, size, h, "", "")
}

// Replace implements [objstore.Store] with If-Match.
func (s *Store) Replace(ctx context.Context, key string, body io.ReadSeeker, size int64, h objstore.Headers, etag string) error {
	return s.put(ctx, key, body, size, h, "", etag)
}

// Open implements [objstore.Store].
func (s *Store) Open(ctx context.Context, key string) (io.ReadCloser, string, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.t.Bucket), Key: aws.String(s.t.Prefix + key)})
	if err != nil {
		return nil, "", s.err(key, err)
	}
	return out.Body, aws.ToString(out.ETag), nil
}

// Delete implements [objstore.Store].
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.t.Bucket), Key: aws.String(s.t.Prefix + key)})
	if err = s.err(key, err); errors.Is(err, objstore.ErrNotFound) {
		return nil
	}
	return err
}

// err maps S3's answers to the objstore errors: 412 (a failed If-None-Match or If-Match) to ErrChanged (Create
// turns it into ErrExists), 409 ConditionalRequestConflict (a concurrent conditional write) too, 404 to
// ErrNotFound.
func (s *Store) err(key string, err error) error {
	if err == nil {
		return nil
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "PreconditionFailed", "ConditionalRequestConflict":
			return fmt.Errorf("%w: %s", objstore.ErrChanged, key)
		case "NoSuchKey", "NotFound":
			return fmt.Errorf("%w: %s", objstore.ErrNotFound, key)
		}
	}
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		switch re.HTTPStatusCode() {
		case http.StatusPreconditionFailed, http.StatusConflict:
			return fmt.Errorf("%w: %s", objstore.ErrChanged, key)
		case http.StatusNotFound:
			return fmt.Errorf("%w: %s", objstore.ErrNotFound, key)
		}
	}
	return fmt.Errorf("s3store: %s%s: %w", s.t, key, err)
}
