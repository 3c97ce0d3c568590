package core

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/app/precheck"
	"github.com/homeshore/homeshore/app/ui"
	"github.com/homeshore/homeshore/app/update"
)

// fakeInstaller records what it was asked to install.
type fakeInstaller struct {
	mu    sync.Mutex
	paths []string
	done  chan string
}

func (f *fakeInstaller) Install(_ context.Context, path string) error {
	f.mu.Lock()
	f.paths = append(f.paths, path)
	f.mu.Unlock()
	f.done <- path
	return nil
}

// signedRelease serves a manifest signed for v9.0.0 on 127.0.0.1 and
// returns a checker for a running v1.0.0.
func signedRelease(t *testing.T) *update.Checker {
	t.Helper()
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	inst := bytes.Repeat([]byte("MSI!"), 256)
	sum := sha256.Sum256(inst)
	m, sig, err := update.Sign(update.Manifest{Version: "v9.0.0", URL: "homeshore-9.0.0.msi", SHA256: hex.EncodeToString(sum[:]),
		Size: int64(len(inst)), Notes: "DECT fixes"}, key)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /manifest.json", func(w http.ResponseWriter, _ *http.Request) { w.Write(m) })
	mux.HandleFunc("GET /manifest.json.sig", func(w http.ResponseWriter, _ *http.Request) { w.Write(sig) })
	mux.HandleFunc("GET /homeshore-9.0.0.msi", func(w http.ResponseWriter, _ *http.Request) { w.Write(inst) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c, err := update.NewChecker(srv.URL+"/manifest.json", base64.StdEncoding.EncodeToString(pub), "v1.0.0", srv.Client(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// At start the core checks IT's manifest and tells the GUI; accepting runs
// the installer on the verified download.
func TestUpdateOfferedAndInstalledOnRequest(t *testing.T) {
	c := newTestCore(t, config.Profile{}, nil, nil)
	inst := &fakeInstaller{done: make(chan string, 1)}
	if err := c.StartUpdates(context.Background(), signedRelease(t), inst); err != nil {
		t.Fatal(err)
	}
	_, ev := waitFor(t, c.Backend().Events.Events(), 10*time.Second, func(e ui.Event) bool { _, ok := e.(ui.UpdateAvailable); return ok })
	up := ev.(ui.UpdateAvailable)
	if up.Version != "v9.0.0" || up.Notes != "DECT fixes" {
		t.Fatalf("event %+v", up)
	}
	select {
	case p := <-inst.done:
		t.Fatalf("installed %s before the agent accepted", p)
	default:
	}
	if err := up.Install(context.Background()); err != nil {
		t.Fatal(err)
	}
	if p := <-inst.done; p == "" {
		t.Fatal("installer not run")
	}
}

// An offer that arrives during a call waits for the call to end.
func TestUpdateNeverShownDuringACall(t *testing.T) {
	c := newTestCore(t, config.Profile{}, nil, nil)
	m := c.Machine()
	if err := m.ClockIn(precheck.Report{Verdict: precheck.Pass, Checks: []precheck.CheckResult{{Name: config.CheckHeadset, Verdict: precheck.Pass, Mandatory: true}}}, nil); err != nil {
		t.Fatal(err)
	}
	if err := m.CallStarted("call-1"); err != nil {
		t.Fatal(err)
	}
	u := &updates{c: c, installer: &fakeInstaller{done: make(chan string, 1)}}
	u.ctx, u.cancel = context.WithCancel(context.Background())
	defer u.cancel()
	u.unsub = m.Subscribe(u.onShift)
	defer u.unsub()
	u.inCall = true
	events := c.Backend().Events.Events()
	drain := func() (offered bool) {
		for {
			select {
			case e := <-events:
				if _, ok := e.(ui.UpdateAvailable); ok {
					offered = true
				}
			default:
				return offered
			}
		}
	}
	drain()
	u.offer(update.Offer{Version: "v9.0.0", Path: "x.msi"})
	if drain() {
		t.Fatal("update shown during a call")
	}
	if err := m.CallEnded("call-1"); err != nil {
		t.Fatal(err)
	}
	if !drain() {
		t.Fatal("update not shown after the call ended")
	}
}

// With update.auto_install the verified update installs without asking.
func TestUpdateAutoInstallByPolicy(t *testing.T) {
	pol := config.DefaultPolicy()
	pol.Update.AutoInstall = true
	c := newTestCore(t, config.Profile{}, &pol, nil)
	inst := &fakeInstaller{done: make(chan string, 1)}
	if err := c.StartUpdates(context.Background(), signedRelease(t), inst); err != nil {
		t.Fatal(err)
	}
	select {
	case p := <-inst.done:
		if p == "" {
			t.Fatal("no installer path")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("auto_install did not install the verified update")
	}
}
