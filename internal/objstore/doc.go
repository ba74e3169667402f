// Package objstore publishes a magerepo output directory to object storage (S3 and S3-compatible stores behind a
// CDN) with the guarantees docs/format.md states for a directory: the local output directory stays the build's
// staging area and state, and [Mirror] copies what changed into the bucket in an order that never lets a reader
// see a file before what it leads to (docs/object-storage.md).
//
// # Vocabulary
//
//   - A [Store] is the narrow contract a backend implements: conditional create (If-None-Match: *), replace
//     when unchanged (If-Match), read, delete. internal/objstore/s3store is the S3 backend; every backend passes
//     internal/objstore/compliance.
//   - A key is a path relative to the output directory ("p2/acme/a.json"); the backend adds its prefix.
//   - The plan is the ordered list of uploads one mirror makes: dists first, then the metadata files whose bytes
//     differ from what the bucket holds, in the order the local publish wrote them, with intermediate
//     packages.json listings, and packages.json last. It is saved in the directory's .magerepo/objstore/ state
//     before the first upload, so an interrupted mirror resumes in the same order.
//   - The lock is one object (.magerepo/lock.json under the prefix) created with If-None-Match: *, so two
//     publishers never upload into one prefix at once.
package objstore
