//go:build packaging

package pkgtest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// wantFiles are installed by both the deb and the rpm.
var wantFiles = []string{
	"/usr/bin/homeshore",
	"/usr/bin/homeshore-gui",
	"/usr/share/applications/org.homeshore.Homeshore.desktop",
	"/usr/share/metainfo/org.homeshore.Homeshore.metainfo.xml",
	"/usr/share/icons/hicolor/scalable/apps/org.homeshore.Homeshore.svg",
	"/usr/share/icons/hicolor/256x256/apps/org.homeshore.Homeshore.png",
	"/usr/share/man/man1/homeshore.1.gz",
	"/usr/share/doc/homeshore/copyright",
	"/etc/homeshore/policy.json",
	"/etc/homeshore/policy.sample.json",
}

func TestDebContentsAndMetadata(t *testing.T) {
	requireTool(t, "dpkg-deb")
	deb := artifact(t, "linux/*.deb")
	list := run(t, "dpkg-deb", "--contents", deb)
	for _, f := range wantFiles {
		assertContains(t, "deb contents", list, "."+f+"\n")
	}
	depends := run(t, "dpkg-deb", "--field", deb, "Depends")
	assertContains(t, "deb Depends", depends, "libportaudio2", "libopus0", "libgl1")
	ctl := t.TempDir()
	run(t, "dpkg-deb", "--control", deb, ctl)
	conffiles, err := os.ReadFile(filepath.Join(ctl, "conffiles"))
	if err != nil {
		t.Fatalf("deb has no conffiles: %v", err)
	}
	assertContains(t, "deb conffiles", string(conffiles), "/etc/homeshore/policy.json\n", "/etc/homeshore/policy.sample.json\n")
}

// TestDebLintianHasNoErrors lints the package as built: debsigs appends its
// _gpgorigin member after data.tar, which lintian reports as
// misplaced-extra-member-in-deb, so the signature member is removed from a copy first.
func TestDebLintianHasNoErrors(t *testing.T) {
	requireTool(t, "lintian", "ar")
	deb := copyFile(t, artifact(t, "linux/*.deb"), t.TempDir())
	run(t, "ar", "d", deb, "_gpgorigin")
	out, _ := exec.Command("lintian", "--tag-display-limit", "0", deb).CombinedOutput()
	for line := range strings.SplitSeq(string(out), "\n") {
		if strings.HasPrefix(line, "E: ") {
			t.Errorf("lintian error: %s", line)
		}
	}
	t.Logf("lintian:\n%s", out)
}

func TestDesktopEntryAndAppStreamAreValid(t *testing.T) {
	requireTool(t, "dpkg-deb", "desktop-file-validate", "appstreamcli")
	root := t.TempDir()
	run(t, "dpkg-deb", "--extract", artifact(t, "linux/*.deb"), root)
	run(t, "desktop-file-validate", filepath.Join(root, "usr/share/applications/org.homeshore.Homeshore.desktop"))
	run(t, "appstreamcli", "validate", "--no-net", filepath.Join(root, "usr/share/metainfo/org.homeshore.Homeshore.metainfo.xml"))
	// The live policy shipped in /etc sets nothing: a fresh install is unmanaged until IT writes it.
	live, err := os.ReadFile(filepath.Join(root, "etc/homeshore/policy.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(live, &m); err != nil || len(m) != 0 {
		t.Errorf("/etc/homeshore/policy.json = %s (err %v), want {}", live, err)
	}
}

func TestDebSignatureVerifiesAndTamperedCopyFails(t *testing.T) {
	requireTool(t, "debsig-verify")
	deb := artifact(t, "linux/*.deb")
	dist := distDir(t)
	args := []string{"--policies-dir", filepath.Join(dist, "linux/debsig/policies"), "--keyrings-dir", filepath.Join(dist, "linux/debsig/keyrings")}
	out := run(t, "debsig-verify", append(args, deb)...)
	assertContains(t, "debsig-verify", out, "Verified package")
	// One bit flipped inside the data member's compressed payload.
	tampered := tamperedCopy(t, deb, []byte("data.tar"), 60+512)
	fails(t, "debsig-verify", append(args, tampered)...)
	// A package signed by nobody we trust fails too: an empty keyring directory.
	empty := t.TempDir()
	fails(t, "debsig-verify", "--policies-dir", filepath.Join(dist, "linux/debsig/policies"), "--keyrings-dir", empty, deb)
}

func TestRpmContentsAndMetadata(t *testing.T) {
	requireTool(t, "rpm")
	rpm := artifact(t, "linux/*.rpm")
	list := run(t, "rpm", "-qpl", rpm)
	for _, f := range wantFiles {
		assertContains(t, "rpm file list", list, f+"\n")
	}
	requires := run(t, "rpm", "-qp", "--requires", rpm)
	assertContains(t, "rpm Requires", requires, "libportaudio.so.2()(64bit)", "libopus.so.0()(64bit)", "libGL.so.1()(64bit)")
	flags := run(t, "rpm", "-qp", "--qf", "[%{FILENAMES} %{FILEFLAGS:fflags}\n]", rpm)
	assertContains(t, "rpm file flags (c=config, n=noreplace)", flags, "/etc/homeshore/policy.json cn\n", "/etc/homeshore/policy.sample.json cn\n")
}

func TestRpmSignatureVerifiesAndTamperedCopyFails(t *testing.T) {
	requireTool(t, "rpmkeys")
	rpm := artifact(t, "linux/*.rpm")
	db := t.TempDir()
	// Without the key, the signature cannot be trusted.
	fails(t, "rpmkeys", "--dbpath", db, "--checksig", rpm)
	run(t, "rpmkeys", "--dbpath", db, "--import", filepath.Join(distDir(t), "linux/homeshore-signing-key.asc"))
	out := run(t, "rpmkeys", "--dbpath", db, "--checksig", "-v", rpm)
	assertContains(t, "rpmkeys --checksig", out, "Signature, key ID", "OK")
	tampered := tamperedCopy(t, rpm, nil, 0)
	fails(t, "rpmkeys", "--dbpath", db, "--checksig", tampered)
}

// TestDebInstallRemovePurge installs into a throwaway root with dpkg --root:
// the test machine's own dpkg database and log are untouched.
func TestDebInstallRemovePurge(t *testing.T) {
	requireTool(t, "dpkg")
	root := t.TempDir()
	for _, d := range []string{"var/lib/dpkg/info", "var/lib/dpkg/updates", "var/log"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "var/lib/dpkg/status"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	dpkg := func(args ...string) string {
		// The runtime libraries live on the host, not in the empty root.
		return run(t, "dpkg", append([]string{"--root=" + root, "--log=" + filepath.Join(root, "var/log/dpkg.log"), "--force-depends"}, args...)...)
	}
	dpkg("--install", artifact(t, "linux/*.deb"))
	assertContains(t, "dpkg --status", dpkg("--status", "homeshore"), "Status: install ok installed")
	for _, f := range wantFiles {
		if _, err := os.Stat(filepath.Join(root, f)); err != nil {
			t.Errorf("installed root lacks %s: %v", f, err)
		}
	}
	out := run(t, filepath.Join(root, "usr/bin/homeshore"), "version")
	assertContains(t, "installed homeshore version", out, "homeshore ")

	policy := filepath.Join(root, "etc/homeshore/policy.json")
	if err := os.WriteFile(policy, []byte(`{"sip":{"server":"it.example"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	// Reinstalling (the upgrade path) keeps IT's policy without asking.
	dpkg("--install", artifact(t, "linux/*.deb"))
	if b, err := os.ReadFile(policy); err != nil || !strings.Contains(string(b), "it.example") {
		t.Errorf("reinstall replaced IT's edited policy: %q, %v", b, err)
	}
	dpkg("--remove", "homeshore")
	if _, err := os.Stat(filepath.Join(root, "usr/bin/homeshore")); !os.IsNotExist(err) {
		t.Errorf("remove left /usr/bin/homeshore (err %v)", err)
	}
	if b, err := os.ReadFile(policy); err != nil || !strings.Contains(string(b), "it.example") {
		t.Errorf("remove must keep IT's edited policy (conffile); got %q, %v", b, err)
	}
	dpkg("--purge", "homeshore")
	assertNoHomeshoreFiles(t, root)
}

// TestRpmInstallErase installs into a throwaway root with rpm --root and its own database.
func TestRpmInstallErase(t *testing.T) {
	requireTool(t, "rpm", "rpmkeys")
	root := t.TempDir()
	run(t, "rpm", "--root", root, "--initdb")
	run(t, "rpmkeys", "--root", root, "--import", filepath.Join(distDir(t), "linux/homeshore-signing-key.asc"))
	run(t, "rpm", "--root", root, "--install", "--nodeps", artifact(t, "linux/*.rpm"))
	for _, f := range wantFiles {
		if _, err := os.Stat(filepath.Join(root, f)); err != nil {
			t.Errorf("installed root lacks %s: %v", f, err)
		}
	}
	out, err := exec.Command("rpm", "--root", root, "--verify", "--nodeps", "homeshore").Output()
	if err != nil || strings.TrimSpace(string(out)) != "" {
		t.Errorf("rpm --verify after install: %v\n%s", err, out)
	}
	// Reinstalling (the upgrade path) keeps IT's policy: %config(noreplace).
	policy := filepath.Join(root, "etc/homeshore/policy.json")
	if err := os.WriteFile(policy, []byte(`{"sip":{"server":"it.example"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, "rpm", "--root", root, "--upgrade", "--replacepkgs", "--nodeps", artifact(t, "linux/*.rpm"))
	if b, err := os.ReadFile(policy); err != nil || !strings.Contains(string(b), "it.example") {
		t.Errorf("reinstall replaced IT's edited policy: %q, %v", b, err)
	}
	if err := os.WriteFile(policy, []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, "rpm", "--root", root, "--erase", "homeshore")
	assertNoHomeshoreFiles(t, root)
}

func assertNoHomeshoreFiles(t *testing.T, root string) {
	t.Helper()
	filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if rel == "var" || rel == "root" {
			return filepath.SkipDir // the package databases and logs of the throwaway root
		}
		if strings.Contains(strings.ToLower(rel), "homeshore") {
			t.Errorf("left behind after removal: /%s", rel)
		}
		return nil
	})
}
