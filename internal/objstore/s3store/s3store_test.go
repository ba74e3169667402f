package s3store_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/mage-os/magerepo/internal/objstore"
	"github.com/mage-os/magerepo/internal/objstore/compliance"
	"github.com/mage-os/magerepo/internal/objstore/objstoretest"
	"github.com/mage-os/magerepo/internal/objstore/s3store"
)

func TestCompliance(t *testing.T) {
	objstoretest.New(t, "bucket")
	var n atomic.Int32
	compliance.Run(t, func(t *testing.T) objstore.Store {
		target, err := s3store.ParseURL(fmt.Sprintf("s3://bucket/run-%d/sub", n.Add(1)))
		if err != nil {
			t.Fatal(err)
		}
		s, err := s3store.New(context.Background(), target)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestParseURL(t *testing.T) {
	for in, want := range map[string]s3store.Target{
		"s3://b":      {Bucket: "b"},
		"s3://b/":     {Bucket: "b"},
		"s3://b/a/b/": {Bucket: "b", Prefix: "a/b/"},
		"s3://b/repo": {Bucket: "b", Prefix: "repo/"},
	} {
		got, err := s3store.ParseURL(in)
		if err != nil || got != want {
			t.Errorf("ParseURL(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "b/p", "https://b/p", "s3:///p", "s3://b/p?x=1"} {
		if _, err := s3store.ParseURL(bad); err == nil {
			t.Errorf("ParseURL(%q) accepted", bad)
		}
	}
}
