package server_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestOversizedBodyRefusedUpFront: a request that declares a body over the
// limit is answered 413 from its headers, before any body byte is read: no
// "100 Continue" invites a client to send a gigabyte, and a client that
// declares a gigabyte and sends a trickle does not hold the connection
// until the read timeout.
func TestOversizedBodyRefusedUpFront(t *testing.T) {
	p := startServer(t, "sqlite")
	alice := login(t, p.URL, "alice")
	host := strings.TrimPrefix(p.URL, "http://")
	for _, tc := range []struct{ name, path, auth, extra string }{
		{"expect 100-continue", "/v1/tickets", alice.token, "Expect: 100-continue\r\n"},
		{"partial body", "/v1/tickets/demo-1/notes", alice.token, ""},
		{"login", "/v1/auth/login", "", "Expect: 100-continue\r\n"},
	} {
		// Declared bodies of 1 GB, and of 100 KB (over the 64 KiB limit but
		// under the 256 KiB net/http drains before answering).
		for _, size := range []int{1e9, 100000} {
			t.Run(fmt.Sprint(tc.name, " ", size), func(t *testing.T) {
				c, err := net.Dial("tcp", host)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				// The server's read timeout is 30 s: an answer that waited
				// for the body (or drained part of it) comes after it.
				c.SetDeadline(time.Now().Add(15 * time.Second))
				auth := ""
				if tc.auth != "" {
					auth = "Authorization: Bearer " + tc.auth + "\r\n"
				}
				fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\n%sIdempotency-Key: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n%s\r\n",
					tc.path, auth, newKey(), size, tc.extra)
				if tc.extra == "" {
					// A few bytes, then nothing more for now: the answer must
					// not wait for the rest.
					fmt.Fprint(c, `{"body":"`)
				}
				br := bufio.NewReader(c)
				res, err := http.ReadResponse(br, nil)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode != http.StatusRequestEntityTooLarge {
					t.Fatalf("a declared body of %d bytes: %s, want 413 at once", size, res.Status)
				}
				// And the connection ends: the server does not sit draining
				// the rest of the body as slowly as it comes.
				if _, err := io.Copy(io.Discard, br); err != nil {
					var ne net.Error
					if errors.As(err, &ne) && ne.Timeout() {
						t.Fatalf("a declared body of %d bytes: the connection is still open after the 413", size)
					}
				}
			})
		}
	}
}
