//go:build packaging

package pkgtest

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/update"
	"github.com/homeshore/homeshore/internal/testenv"
)

const (
	installDir  = "Program Files/Homeshore"
	policyKey   = `HKLM\SOFTWARE\Policies\Homeshore`
	uninstallKy = `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall`
)

// effectivePolicy runs the installed homeshore-cli.exe policy.
func effectivePolicy(t *testing.T, w *testenv.Wine) map[string]any {
	t.Helper()
	out, errOut, code := w.Run(t, w.Path(installDir+"/homeshore-cli.exe"), "policy")
	if code != 0 {
		t.Fatalf("installed homeshore-cli.exe policy: exit %d\n%s", code, errOut)
	}
	var doc struct {
		Policy map[string]any `json:"policy"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("policy output: %v\n%s", err, out)
	}
	return doc.Policy
}

func installedVersion(t *testing.T, w *testenv.Wine) string {
	t.Helper()
	out, _, code := w.Run(t, w.Path(installDir+"/homeshore-cli.exe"), "version")
	if code != 0 {
		t.Fatalf("installed homeshore-cli.exe version: exit %d", code)
	}
	return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(out), "homeshore"))
}

// nextRelease is the version one commit after v: vX.Y.Z-N-gH -> vX.Y.Z-(N+1)-gH.
func nextRelease(t *testing.T, v string) string {
	t.Helper()
	m := regexp.MustCompile(`^(v\d+\.\d+\.\d+)-(\d+)-g([0-9a-f]+)$`).FindStringSubmatch(v)
	require(t, m != nil, "a release-shaped build version (vX.Y.Z-N-gHASH; packaging/test-package.sh stamps one), got "+v)
	n, _ := strconv.Atoi(m[2])
	return m[1] + "-" + strconv.Itoa(n+1) + "-g" + m[3]
}

// The signed MSI under Wine, as IT deploys it: a silent install with public
// properties lays down the files, the Start-menu entry, the uninstall entry
// and the HKLM policy, which the installed homeshore-cli.exe reports as its
// effective policy. Then the app's own update path: a tampered MSI (broken
// Authenticode signature) is refused; a newer signed-manifest MSI is
// installed silently in place and keeps the policy. Uninstalling leaves no
// program files.
func TestWineMSIInstallUpdateUninstall(t *testing.T) {
	requireTool(t, "wixl", "msibuild")
	msi := artifact(t, "windows/homeshore-*.msi")
	w := testenv.WinePrefix(t)

	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	props := []string{"SIP_SERVER=sip.corp.example", "BACKEND_URL=https://tickets.corp.example", "SIP_SRTP=mandatory",
		"SIP_EXPIRES=900", "SIP_KEEPALIVE=0", "ALLOW_OVERRIDE=0", "UPDATE_PUBLIC_KEY=" + base64.StdEncoding.EncodeToString(pub),
		"SIP_PRESENCE=0", "MONITORING_ENABLED=0", "PHONE_REGION=FR", "AUDIO_ECHO_CANCEL=on", "MISSED_CALL_NOT_READY=0"}
	// The update server answers on 127.0.0.1 (TCP works under Wine 8).
	var served struct {
		manifest, sig, installer []byte
		name                     string
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /u/manifest.json", func(rw http.ResponseWriter, _ *http.Request) { rw.Write(served.manifest) })
	mux.HandleFunc("GET /u/manifest.json.sig", func(rw http.ResponseWriter, _ *http.Request) { rw.Write(served.sig) })
	mux.HandleFunc("GET /u/{file}", func(rw http.ResponseWriter, r *http.Request) {
		if r.PathValue("file") != served.name {
			http.NotFound(rw, r)
			return
		}
		rw.Write(served.installer)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	props = append(props, "UPDATE_URL="+srv.URL+"/u/manifest.json")

	_, errOut, code := w.Run(t, "msiexec", append([]string{"/i", msi, "/qn"}, props...)...)
	if code != 0 {
		t.Fatalf("msiexec /i /qn: exit %d\n%s", code, errOut)
	}
	for _, f := range []string{"homeshore.exe", "homeshore-cli.exe"} {
		if _, err := os.Stat(w.Path(installDir + "/" + f)); err != nil {
			t.Errorf("installed file: %v", err)
		}
	}
	// Windows puts a per-machine shortcut under ProgramData, Wine under
	// the installing user's profile.
	lnk, _ := filepath.Glob(w.Path("ProgramData/Microsoft/Windows/Start Menu/Programs/Homeshore*.lnk"))
	userLnk, _ := filepath.Glob(w.Path("users/*/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Homeshore*.lnk"))
	if len(lnk)+len(userLnk) == 0 {
		t.Errorf("no Start-menu shortcut")
	}
	if e := homeshoreUninstall(t, w); len(e) != 1 || !strings.Contains(e[0]["UninstallString"], "MsiExec.exe /X") {
		t.Errorf("uninstall entries %v, want one with an MsiExec /X uninstall string", e)
	}
	reg := w.QueryRegistry(t, policyKey)
	assertContains(t, "HKLM policy", reg, "sip.corp.example", "https://tickets.corp.example", "mandatory")
	checkPolicy := func(when string) {
		p := effectivePolicy(t, w)
		sipPol, _ := p["sip"].(map[string]any)
		backend, _ := p["backend"].(map[string]any)
		checks, _ := p["checks"].(map[string]any)
		if sipPol["server"] != "sip.corp.example" || sipPol["srtp"] != "mandatory" || backend["url"] != "https://tickets.corp.example" ||
			sipPol["expires_s"] != float64(900) || sipPol["keepalive_s"] != float64(0) || checks["allow_override"] != false {
			t.Errorf("%s: effective policy sip=%v backend=%v allow_override=%v", when, sipPol, backend, checks["allow_override"])
		}
		monitoring, _ := p["monitoring"].(map[string]any)
		shift, _ := p["shift"].(map[string]any)
		audio, _ := p["audio"].(map[string]any)
		if sipPol["presence"] != false || monitoring["enabled"] != false || shift["phone_region"] != "FR" || shift["missed_call_not_ready"] != false || audio["echo_cancel"] != "on" {
			t.Errorf("%s: effective policy presence=%v monitoring=%v shift=%v audio=%v", when, sipPol["presence"], monitoring, shift, audio)
		}
	}
	checkPolicy("after install")
	current := installedVersion(t, w)

	// A newer MSI, built from the same signed executables.
	next := nextRelease(t, current)
	nextDir := t.TempDir()
	for _, f := range []string{"homeshore.exe", "homeshore-cli.exe"} {
		copyFile(t, filepath.Join(distDir(t), "windows", f), nextDir)
	}
	run(t, "../windows/build-msi.sh", next, nextDir)
	nextMSI, _ := filepath.Glob(filepath.Join(nextDir, "homeshore-*.msi"))
	require(t, len(nextMSI) == 1, "the newer MSI")
	good, err := os.ReadFile(nextMSI[0])
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(good)
	served.name = filepath.Base(nextMSI[0])
	served.manifest, served.sig, err = update.Sign(update.Manifest{Version: next, URL: served.name,
		SHA256: hex.EncodeToString(sum[:]), Size: int64(len(good)), Expires: time.Now().Add(time.Hour)}, key)
	if err != nil {
		t.Fatal(err)
	}
	updateRun := func() (map[string]any, int) {
		out, errOut, code := w.Run(t, w.Path(installDir+"/homeshore-cli.exe"), "update", "--install", "--json")
		var res map[string]any
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("update --json: %v\n%s\n%s", err, out, errOut)
		}
		return res, code
	}

	// Broken signature: one flipped bit in the signed MSI.
	served.installer = readFile(t, tamperedCopy(t, nextMSI[0], nil, 0))
	res, code := updateRun()
	if code != 1 || res["refused"] != true || res["installed"] != false {
		t.Fatalf("tampered MSI: exit %d %v, want refused (exit 1)", code, res)
	}
	if v := displayVersion(t, w); v != msiVersion(t, current) {
		t.Fatalf("after a refused update the installed product is %s, want %s", v, msiVersion(t, current))
	}

	// The real one: verified, installed silently in place, policy kept.
	served.installer = good
	res, code = updateRun()
	if code != 0 || res["installed"] != true {
		t.Fatalf("update --install: exit %d %v", code, res)
	}
	if v := displayVersion(t, w); v != msiVersion(t, next) {
		t.Errorf("after the update the installed product is %s, want %s", v, msiVersion(t, next))
	}
	checkPolicy("after the in-place upgrade")

	// Uninstall: no program files left.
	if _, errOut, code := w.Run(t, "msiexec", "/x", nextMSI[0], "/qn"); code != 0 {
		t.Fatalf("msiexec /x: exit %d\n%s", code, errOut)
	}
	if left, _ := os.ReadDir(w.Path(installDir)); len(left) != 0 {
		t.Errorf("program files left after uninstall: %v", left)
	}
	if e := homeshoreUninstall(t, w); len(e) != 0 {
		t.Errorf("uninstall entry left: %v", e)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// homeshoreUninstall returns the values of every uninstall entry named
// Homeshore (Wine's reg has no /f filter).
func homeshoreUninstall(t *testing.T, w *testenv.Wine) []map[string]string {
	t.Helper()
	var entries []map[string]string
	var cur map[string]string
	for _, line := range strings.Split(w.QueryRegistry(t, uninstallKy, "/s"), "\n") {
		if strings.HasPrefix(line, "HKEY_") {
			cur = map[string]string{}
			entries = append(entries, cur)
			continue
		}
		f := strings.Fields(line)
		if cur != nil && len(f) >= 3 && strings.HasPrefix(f[1], "REG_") {
			cur[f[0]] = strings.Join(f[2:], " ")
		}
	}
	var out []map[string]string
	for _, e := range entries {
		if e["DisplayName"] == "Homeshore" {
			out = append(out, e)
		}
	}
	return out
}

// displayVersion is the installed Homeshore's version in its uninstall entry.
func displayVersion(t *testing.T, w *testenv.Wine) string {
	t.Helper()
	e := homeshoreUninstall(t, w)
	if len(e) != 1 {
		t.Fatalf("%d Homeshore uninstall entries, want 1: %v", len(e), e)
	}
	return e[0]["DisplayVersion"]
}

// msiVersion is packaging/version.sh's MSI version of a build version.
func msiVersion(t *testing.T, v string) string {
	t.Helper()
	return strings.TrimSpace(run(t, "../version.sh", v, "msi"))
}
