// Package fetch is magerepo's one HTTP client: every command that downloads from another server (sync, verify,
// later the publishers) goes through a [Client], so they share one definition of how long to wait, when to give up
// and when to try again.
//
// # Deadlines and stalls
//
// Each attempt has four limits, all in [Options]: connecting (dial and TLS handshake), waiting for the response
// headers, the whole response (a body deadline), and progress. A transfer that delivers fewer than 1 KiB within
// the stall timeout, and does not end, has stalled: the attempt is cancelled with [ErrStalled]. Counting bytes
// rather than reads matters: a server dripping one byte a second never goes quiet, yet it would hold a 280-byte
// download, and whatever lock the caller holds, for minutes.
//
// # Retries
//
// [Client.Retry] repeats an attempt that failed with a transport error (a refused or dropped connection, a
// truncated body) or an answer of 408, 429 or 5xx, after an exponential backoff with jitter, or after the
// Retry-After the server sent when it sent one. A stall, a body deadline, a body over its cap, a 4xx answer and
// an error marked [Permanent] are not retried: repeating them costs the same time again for the same result (a
// server that stalled once tends to stall again; callers resume partial files on their next run instead).
//
// # Memory
//
// [Client.Fetch] reads a body into memory only up to a cap the caller gives, and fails with [ErrTooLarge] beyond
// it. A body declaring a larger Content-Length is refused before it is read; a body without one is read in
// memory up to 1 MiB and spooled to a temporary file after that, so reaching the cap costs disk, not memory.
// Bodies handed to callers count against one budget per client ([Options.MaxInFlight]) until the caller releases
// them, so the memory that parsing needs is bounded by the budget, not by the number of parallel requests.
// [Client.Download] writes a body to a temporary file and never holds it in memory.
//
// # What is written here by hand
//
// The standard library provides the transport and its connect and header timeouts; golang.org/x/sync/semaphore
// provides the in-flight budget. Retry, backoff and stall detection are written here: net/http has none, and the
// retrying clients (hashicorp/go-retryablehttp) retry only until the response headers arrive, while magerepo must
// retry, and resume, failures in the middle of a body.
package fetch
