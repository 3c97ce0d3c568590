//go:build packaging

package pkgtest

import (
	"os"
	"regexp"
	"testing"
)

// TestAppIdentityIsConsistent keeps FyneApp.toml (read by `fyne package` and by
// Fyne at run time), the desktop entry, AppStream and the MSI on one app ID and name.
func TestAppIdentityIsConsistent(t *testing.T) {
	toml, err := os.ReadFile("../../FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	field := func(name string) string {
		m := regexp.MustCompile(`(?m)^` + name + ` = "([^"]*)"`).FindSubmatch(toml)
		if m == nil {
			t.Fatalf("FyneApp.toml has no %s", name)
		}
		return string(m[1])
	}
	id, name, icon := field("ID"), field("Name"), field("Icon")
	if id != "org.homeshore.Homeshore" || name != "Homeshore" {
		t.Errorf("FyneApp.toml ID/Name = %q/%q", id, name)
	}
	if !regexp.MustCompile(`^\d+\.\d+\.\d+$`).MatchString(field("Version")) {
		t.Errorf("FyneApp.toml Version %q is not x.y.z", field("Version"))
	}
	if _, err := os.Stat("../../" + icon); err != nil {
		t.Errorf("FyneApp.toml Icon: %v", err)
	}
	if _, err := os.Stat("../linux/" + id + ".desktop"); err != nil {
		t.Errorf("desktop entry not named after the app ID: %v", err)
	}
	meta, err := os.ReadFile("../linux/" + id + ".metainfo.xml")
	if err != nil {
		t.Fatal(err)
	}
	assertContains(t, "AppStream metadata", string(meta), "<id>"+id+"</id>", "<name>"+name+"</name>", "<launchable type=\"desktop-id\">"+id+".desktop</launchable>")
	requireTool(t, "msiinfo")
	if got := msiProperties(t, artifact(t, "windows/homeshore-*.msi"))["ProductName"]; got != name {
		t.Errorf("MSI ProductName %q, want %q", got, name)
	}
}
