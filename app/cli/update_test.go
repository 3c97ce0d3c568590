package cli

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/app/update"
	"github.com/homeshore/homeshore/app/version"
)

// `homeshore update --json` against IT's update server (a real HTTP server
// on 127.0.0.1): a signed newer release is downloaded and verified; an
// edited manifest or a swapped installer is refused (exit 1) and nothing is
// left to install.
func TestUpdateCommand(t *testing.T) {
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	installer := bytes.Repeat([]byte("MSI!"), 1024)
	sum := sha256.Sum256(installer)
	manifest, sig, err := update.Sign(update.Manifest{Version: "v99.0.0", URL: "homeshore-99.0.0.msi",
		SHA256: hex.EncodeToString(sum[:]), Size: int64(len(installer)), Expires: time.Now().Add(time.Hour)}, key)
	if err != nil {
		t.Fatal(err)
	}
	serve := func(m, inst []byte) string {
		mux := http.NewServeMux()
		mux.HandleFunc("GET /u/manifest.json", func(w http.ResponseWriter, _ *http.Request) { w.Write(m) })
		mux.HandleFunc("GET /u/manifest.json.sig", func(w http.ResponseWriter, _ *http.Request) { w.Write(sig) })
		mux.HandleFunc("GET /u/homeshore-99.0.0.msi", func(w http.ResponseWriter, _ *http.Request) { w.Write(inst) })
		srv := httptest.NewServer(mux)
		t.Cleanup(srv.Close)
		return srv.URL + "/u/manifest.json"
	}
	run := func(t *testing.T, url string) (int, map[string]any, string) {
		pol := filepath.Join(t.TempDir(), "policy.json")
		doc := fmt.Sprintf(`{"update":{"manifest_url":%q,"public_key":%q}}`, url, base64.StdEncoding.EncodeToString(pub))
		if err := os.WriteFile(pol, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Setenv(config.PolicyEnv, pol)
		dir := t.TempDir()
		var out, errb bytes.Buffer
		code := Run(context.Background(), []string{"update", "--json", "--dir", dir}, &out, &errb)
		var res map[string]any
		if err := json.Unmarshal(out.Bytes(), &res); err != nil {
			t.Fatalf("not JSON: %v %s %s", err, out.String(), errb.String())
		}
		return code, res, dir
	}
	t.Run("signed release", func(t *testing.T) {
		code, res, _ := run(t, serve(manifest, installer))
		// A dev build (go test) is never offered updates; a release is.
		if code != ExitOK || res["error"] != nil || res["available"] != (version.Version != "dev") {
			t.Fatalf("exit %d %v", code, res)
		}
	})
	t.Run("tampered manifest", func(t *testing.T) {
		code, res, dir := run(t, serve(bytes.Replace(manifest, []byte("99.0.0.msi"), []byte("99.0.1.msi"), 1), installer))
		if code != ExitFailed || res["refused"] != true || res["available"] != false {
			t.Fatalf("exit %d %v", code, res)
		}
		if left, _ := os.ReadDir(dir); len(left) != 0 {
			t.Fatalf("left %v", left)
		}
	})
}
