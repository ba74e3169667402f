package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/pflag"

	"github.com/mage-os/magerepo/internal/objstore"
	"github.com/mage-os/magerepo/internal/objstore/s3store"
	"github.com/mage-os/magerepo/internal/repo"
)

// publishTo is the --publish-to flag of build and sync: an s3:// URL, checked while flags are parsed.
type publishTo struct {
	target     s3store.Target
	set        bool
	pruneAfter time.Duration // --publish-prune-after
}

// Set implements pflag.Value.
func (p *publishTo) Set(s string) error {
	t, err := s3store.ParseURL(s)
	if err != nil {
		return err
	}
	p.target, p.set = t, true
	return nil
}

// String implements pflag.Value.
func (p *publishTo) String() string {
	if !p.set {
		return ""
	}
	return p.target.String()
}

// Type implements pflag.Value.
func (p *publishTo) Type() string { return "url" }

func addPublishToFlag(f *pflag.FlagSet, p *publishTo) {
	f.DurationVar(&p.pruneAfter, "publish-prune-after", 0, "with --publish-to, delete from the bucket what the output directory no longer has, this long (e.g. 24h) after the first upload that found it gone (default: never)")
	f.Var(p, "publish-to", "s3://bucket/prefix: after publishing, upload the output directory to this bucket (dists first, packages.json last; credentials, region and endpoint from the AWS environment: docs/object-storage.md)")
}

// mirror uploads the published directory r to the flag's bucket (internal/objstore) and prints what it
// uploaded, unless nothing changed.
func (p *publishTo) mirror(ctx context.Context, g *globalOptions, r *repo.Repo, w io.Writer) error {
	if !p.set {
		return nil
	}
	s, err := s3store.New(ctx, p.target)
	if err != nil {
		return err
	}
	st, err := objstore.Mirror(ctx, r, s, objstore.Options{Logger: g.logger(), PruneAfter: p.pruneAfter})
	for _, v := range st.Violations {
		g.logger().Error("the bucket holds other bytes at a published dist's key; not overwritten", "target", p.target.String(), "key", v)
	}
	if err != nil {
		return fmt.Errorf("publish to %s: %w", p.target, err)
	}
	if st.DistsCreated+len(st.Metadata) > 0 {
		fmt.Fprintf(w, "uploaded to %s: %d dists, %d metadata files\n", p.target, st.DistsCreated, len(st.Metadata))
	}
	if len(st.Deleted) > 0 {
		fmt.Fprintf(w, "pruned from %s: %d files the output directory no longer has\n", p.target, len(st.Deleted))
	}
	return nil
}
