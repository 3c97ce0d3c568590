//go:build packaging

package pkgtest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/app/managed"
)

// upgradeCode must never change: Windows Installer finds the installed Homeshore by it for in-place upgrades.
const upgradeCode = "{06BE3379-75DB-477D-9530-2857238C326F}"

// itProperties are the public MSI properties IT passes to msiexec, by
// registry value name: every value app/managed reads (PolicyJSON aside).
func itProperties() map[string]string {
	props := map[string]string{}
	for _, s := range managed.Settings() {
		props[s.Value] = s.MSIProperty
	}
	return props
}

// msiTable exports one table with msiinfo: rows of tab-separated columns, without the three header lines.
func msiTable(t *testing.T, msi, table string) [][]string {
	t.Helper()
	out := run(t, "msiinfo", "export", msi, table)
	lines := strings.Split(strings.TrimRight(out, "\r\n"), "\n")
	if len(lines) < 3 {
		t.Fatalf("msiinfo export %s: no header:\n%s", table, out)
	}
	var rows [][]string
	for _, l := range lines[3:] {
		rows = append(rows, strings.Split(strings.TrimRight(l, "\r"), "\t"))
	}
	return rows
}

func msiProperties(t *testing.T, msi string) map[string]string {
	props := map[string]string{}
	for _, r := range msiTable(t, msi, "Property") {
		props[r[0]] = r[1]
	}
	return props
}

func TestMSIProductAndUpgrade(t *testing.T) {
	requireTool(t, "msiinfo")
	msi := artifact(t, "windows/homeshore-*.msi")
	props := msiProperties(t, msi)
	for k, want := range map[string]string{"UpgradeCode": upgradeCode, "ALLUSERS": "1", "ProductName": "Homeshore", "Manufacturer": "Homeshore", "ARPPRODUCTICON": "homeshore.ico"} {
		if props[k] != want {
			t.Errorf("Property %s = %q, want %q", k, props[k], want)
		}
	}
	if !regexp.MustCompile(`^\d+\.\d+\.\d+\.\d+$`).MatchString(props["ProductVersion"]) {
		t.Errorf("ProductVersion %q is not a.b.c.d", props["ProductVersion"])
	}
	secure := strings.Split(props["SecureCustomProperties"], ";")
	for _, p := range itProperties() {
		if !containsStr(secure, p) {
			t.Errorf("SecureCustomProperties lacks %s: %v", p, secure)
		}
	}
	// MajorUpgrade: a newer version removes the older one (in-place upgrade), an older one is refused.
	upgrades := msiTable(t, msi, "Upgrade")
	var detect, downgrade bool
	for _, r := range upgrades {
		if r[0] != upgradeCode {
			t.Errorf("Upgrade row for a foreign UpgradeCode: %v", r)
		}
		detect = detect || r[len(r)-1] == "WIX_UPGRADE_DETECTED"
		// Builds between tags differ only in the fourth version field, which
		// Windows Installer ignores: the maximum must be inclusive (0x200).
		if r[len(r)-1] == "WIX_UPGRADE_DETECTED" && r[4] != "513" {
			t.Errorf("upgrade row attributes %s, want 513 (migrate features, VersionMax inclusive)", r[4])
		}
		downgrade = downgrade || r[len(r)-1] == "WIX_DOWNGRADE_DETECTED"
	}
	if !detect || !downgrade {
		t.Errorf("Upgrade table lacks upgrade/downgrade detection: %v", upgrades)
	}
	if !hasRow(msiTable(t, msi, "InstallExecuteSequence"), 0, "RemoveExistingProducts") {
		t.Error("InstallExecuteSequence has no RemoveExistingProducts: upgrades would install side by side")
	}
	sum := run(t, "msiinfo", "suminfo", msi)
	assertContains(t, "summary information", sum, "Template: x64;1033")
}

func TestMSIFilesAndShortcut(t *testing.T) {
	requireTool(t, "msiinfo")
	msi := artifact(t, "windows/homeshore-*.msi")
	files := msiTable(t, msi, "File")
	for _, name := range []string{"homeshore.exe", "homeshore-cli.exe", "policy.sample.json"} {
		if !hasRow(files, 2, name) {
			t.Errorf("File table lacks %s", name)
		}
	}
	dirs := msiTable(t, msi, "Directory")
	if !hasRow(dirs, 0, "ProgramFiles64Folder") {
		t.Error("not installed under Program Files (64-bit)")
	}
	var found bool
	for _, r := range msiTable(t, msi, "Shortcut") {
		if r[1] == "ProgramMenuFolder" && r[2] == "Homeshore" && r[4] == "[INSTALLDIR]homeshore.exe" {
			found = true
		}
	}
	if !found {
		t.Error("no Start-menu shortcut to homeshore.exe")
	}
}

func TestMSIEmbeddedExecutablesAreSigned(t *testing.T) {
	requireTool(t, "msiextract", "osslsigncode")
	dir := t.TempDir()
	run(t, "msiextract", "-C", dir, artifact(t, "windows/homeshore-*.msi"))
	var exes []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".exe") {
			exes = append(exes, p)
		}
		return err
	})
	if len(exes) != 2 {
		t.Fatalf("MSI holds %d executables, want 2: %v", len(exes), exes)
	}
	for _, exe := range exes {
		run(t, "osslsigncode", "verify", "-CAfile", authenticodeCA(t), "-in", exe)
	}
}

// TestMSIPropertiesLandInMachinePolicy follows the MSI's own tables: each IT
// property becomes a value under HKLM\SOFTWARE\Policies\Homeshore, kept from
// the registry when an upgrade does not pass it again; app/managed turns those
// values into a policy that beats the policy file and the agent's own settings.
func TestMSIPropertiesLandInMachinePolicy(t *testing.T) {
	requireTool(t, "msiinfo")
	msi := artifact(t, "windows/homeshore-*.msi")
	registry := map[string]string{} // value name -> formatted value
	for _, r := range msiTable(t, msi, "Registry") {
		if r[1] == "2" && r[2] == managed.RegistryKey {
			registry[r[3]] = r[4]
		}
	}
	for name, prop := range itProperties() {
		if registry[name] != "["+prop+"]" {
			t.Errorf("Registry value %s = %q, want [%s]: app/managed reads %s, the MSI must write it from its property", name, registry[name], prop, name)
		}
	}
	for name := range registry {
		if _, ok := itProperties()[name]; !ok {
			t.Errorf("the MSI writes %s, which app/managed does not read", name)
		}
	}
	// Remembered properties: AppSearch reads the old value, a Keep* action restores it when not given.
	actions := msiTable(t, msi, "CustomAction")
	sequence := msiTable(t, msi, "InstallExecuteSequence")
	for name, prop := range itProperties() {
		if !hasRow(msiTable(t, msi, "AppSearch"), 0, "KEPT_"+prop) {
			t.Errorf("AppSearch does not read %s back", name)
		}
		var ok bool
		for _, a := range actions {
			ok = ok || (a[0] == "Keep"+name && a[2] == prop && a[3] == "[KEPT_"+prop+"]")
		}
		if !ok {
			t.Errorf("no Keep%s custom action setting %s", name, prop)
		}
		if !hasRowWith(sequence, "Keep"+name, "KEPT_"+prop+" AND NOT "+prop) {
			t.Errorf("Keep%s is not sequenced with condition KEPT_%s AND NOT %s", name, prop, prop)
		}
		// Between AppSearch (which reads the old value) and the costing that
		// precedes WriteRegistryValues: later, the upgrade writes "" first.
		for _, r := range sequence {
			if r[0] == "Keep"+name {
				if n, _ := strconv.Atoi(r[2]); n <= 50 || n >= 100 {
					t.Errorf("Keep%s at sequence %s, want between AppSearch (50) and LaunchConditions (100)", name, r[2])
				}
			}
		}
	}

	// msiexec /i homeshore.msi /qn SIP_SERVER=sip.corp.example BACKEND_URL=https://tickets.corp.example ALLOW_OVERRIDE=0 SIP_EXPIRES=900 SIP_KEEPALIVE=0
	given := map[string]string{"SIP_SERVER": "sip.corp.example", "BACKEND_URL": "https://tickets.corp.example", "ALLOW_OVERRIDE": "0",
		"SIP_EXPIRES": "900", "SIP_KEEPALIVE": "0", "SIP_PRESENCE": "0", "MONITORING_ENABLED": "0", "AUDIO_ECHO_CANCEL": "on", "MISSED_CALL_NOT_READY": "0"}
	regDoc, err := managed.Document(formatRegistry(registry, given))
	if err != nil {
		t.Fatal(err)
	}
	agent := []byte(`{"sip":{"server":"agent-choice.example","transport":"udp"},"backend":{"url":"http://agent.example"}}`)
	file := []byte(`{"sip":{"server":"file.example"},"checks":{"allow_override":true}}`)
	merged, err := managed.Overlay(agent, file, regDoc)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(merged, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"sip":        map[string]any{"server": "sip.corp.example", "transport": "udp", "expires_s": float64(900), "keepalive_s": float64(0), "presence": false},
		"backend":    map[string]any{"url": "https://tickets.corp.example"},
		"checks":     map[string]any{"allow_override": false},
		"monitoring": map[string]any{"enabled": false},
		"audio":      map[string]any{"echo_cancel": "on"},
		"shift":      map[string]any{"missed_call_not_ready": false},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("policy after msiexec = %v, want %v", got, want)
	}

	// Every property given (its documented example): the app accepts the
	// policy and every mapped key is locked, so the agent cannot change it.
	all := map[string]string{}
	var keys []string
	for _, s := range managed.Settings() {
		all[s.MSIProperty] = s.Example
		keys = append(keys, s.Key)
	}
	regDoc, err = managed.Document(formatRegistry(registry, all))
	if err != nil {
		t.Fatal(err)
	}
	p, err := config.ParsePolicy(`HKLM\`+managed.RegistryKey, regDoc)
	if err != nil {
		t.Fatalf("every MSI property set: the app refuses the policy: %v", err)
	}
	slices.Sort(keys)
	if got := p.LockedKeys(); !slices.Equal(got, keys) {
		t.Errorf("every MSI property set locks %v, want %v", got, keys)
	}
}

// formatRegistry formats the MSI's registry values ("[PROP]") with the
// properties given, as Windows Installer does: unset properties become "".
func formatRegistry(registry, given map[string]string) map[string]any {
	values := map[string]any{}
	for name, formatted := range registry {
		values[name] = regexp.MustCompile(`\[([A-Z_]+)\]`).ReplaceAllStringFunc(formatted, func(m string) string {
			return given[m[1:len(m)-1]]
		})
	}
	return values
}

func TestPolicySampleUsesTheSharedKeys(t *testing.T) {
	b, err := os.ReadFile("../policy.sample.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("policy.sample.json is not JSON: %v", err)
	}
	allowed := []string{"sip", "backend", "checks", "update", "ui", "audio"}
	for k := range doc {
		if !containsStr(allowed, k) {
			t.Errorf("policy.sample.json has unknown top-level key %q", k)
		}
	}
}

func containsStr(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func hasRow(rows [][]string, col int, value string) bool {
	for _, r := range rows {
		if len(r) > col && r[col] == value {
			return true
		}
	}
	return false
}

func hasRowWith(rows [][]string, values ...string) bool {
	for _, r := range rows {
		all := true
		for _, v := range values {
			all = all && containsStr(r, v)
		}
		if all {
			return true
		}
	}
	return false
}
