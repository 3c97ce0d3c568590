package server_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"github.com/homeshore/homeshore/server/api"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/homeshore/homeshore/server"
	"github.com/homeshore/homeshore/server/servertest"
)

// writeSelfSigned writes a certificate for 127.0.0.1 and its key.
func writeSelfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "homeshore test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestTLSAndGracefulShutdown: with a certificate the server speaks HTTPS
// only; SIGTERM stops it cleanly (exit 0).
func TestTLSAndGracefulShutdown(t *testing.T) {
	dir := t.TempDir()
	cert, key, pool := writeSelfSigned(t, dir)
	p := servertest.StartProcess(t, serverBin, servertest.Options{DBPath: dir + "/db", Args: []string{"--demo", "--tls-cert", cert, "--tls-key", key}})
	if !strings.HasPrefix(p.URL, "https://") {
		t.Fatalf("URL %s", p.URL)
	}
	a := &client{t: t, base: p.URL, http: &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}}
	must(t, a.get("/v1/health"), 200, nil)
	plain := strings.Replace(p.URL, "https://", "http://", 1)
	if res, err := http.Get(plain + "/v1/health"); err == nil {
		res.Body.Close()
		if res.StatusCode < 400 {
			t.Fatalf("plain HTTP answered %d on the TLS port", res.StatusCode)
		}
	}
	if err := p.Stop(); err != nil {
		t.Fatalf("graceful shutdown: %v\n%s", err, p.Log())
	}
	if !strings.Contains(p.Log(), "stopped") {
		t.Fatalf("no clean stop in the log:\n%s", p.Log())
	}
}

// TestBadTLSFilesFailClearly: a missing certificate is a one-line error.
func TestBadTLSFilesFailClearly(t *testing.T) {
	dir := t.TempDir()
	_, err := servertest.Start(serverBin, servertest.Options{DBPath: dir + "/db", Args: []string{"--tls-cert", dir + "/nope.pem", "--tls-key", dir + "/nope.key"}})
	if err == nil || !strings.Contains(err.Error(), "load TLS certificate") {
		t.Fatalf("err = %v", err)
	}
}

// TestEmbedded: the GUI demo runs the server in-process through New/Handler.
func TestEmbedded(t *testing.T) {
	srv, err := server.New(t.Context(), server.Config{Driver: "sqlite", DSN: t.TempDir() + "/embedded.db"})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.SeedDemo(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := srv.SeedDemo(t.Context()); err != nil {
		t.Fatalf("second SeedDemo: %v", err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	a := login(t, hs.URL, server.DemoAgent)
	var look struct {
		Tickets []api.Ticket `json:"tickets"`
	}
	must(t, a.get("/v1/tickets?phone=%2B33612345678"), 200, &look)
	if ticketIDs(look.Tickets) != "demo-3,demo-1" && ticketIDs(look.Tickets) != "demo-1,demo-3" {
		t.Fatalf("screen-pop: %s", ticketIDs(look.Tickets))
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	// Serve stops when its context ends.
	srv2, err := server.New(t.Context(), server.Config{Driver: "sqlite", DSN: t.TempDir() + "/serve.db"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv2.Close()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- srv2.Serve(ctx, ln, nil) }()
	res, err := http.Get("http://" + ln.Addr().String() + "/v1/health")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve after cancel: %v", err)
	}
}

// TestUnknownDriver is a clear error, not a panic.
func TestUnknownDriver(t *testing.T) {
	_, err := server.New(t.Context(), server.Config{Driver: "mysql", DSN: "x"})
	if err == nil || !strings.Contains(err.Error(), "sqlite or postgres") {
		t.Fatalf("err = %v", err)
	}
}
