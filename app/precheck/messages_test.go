package precheck

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/homeshore/homeshore/assets/i18n"
)

// TestEveryFindingHasTextInEveryLanguage: each code, key and term the
// checks use has an English and a French text (a missing one would show
// as its key).
func TestEveryFindingHasTextInEveryLanguage(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	byCode := regexp.MustCompile(`\b(?:add|set)\([^,]+, "([a-z0-9_]+)"`)
	byKey := regexp.MustCompile(`"(check\.(?:msg|step|guard)\.[a-z0-9_]+)"`)
	byTerm := regexp.MustCompile(`term\("([a-z0-9_.]+)"\)`)
	keys := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range byCode.FindAllStringSubmatch(string(src), -1) {
			keys[msgKey(m[1])] = true
		}
		for _, m := range byKey.FindAllStringSubmatch(string(src), -1) {
			keys[m[1]] = true
		}
		for _, m := range byTerm.FindAllStringSubmatch(string(src), -1) {
			keys["check.term."+m[1]] = true
		}
	}
	for _, k := range []Kind{KindWiredUSB, KindAnalog, KindDECT, KindBluetoothDongle, KindBluetooth, KindBuiltIn, KindHDMI, KindExternal, KindMonitor, KindJackEmpty, KindUnknown} {
		keys[string(kindTerm(k))] = true
	}
	for _, l := range []string{LinkWired, LinkWiFi, LinkLoopback, LinkUnknown} {
		keys[string(term("link."+l))] = true
	}
	if len(keys) < 60 {
		t.Fatalf("found only %d keys: the patterns are out of date", len(keys))
	}
	for _, lang := range []string{"en", "fr"} {
		cat, err := i18n.Catalog(lang)
		if err != nil {
			t.Fatal(err)
		}
		for k := range keys {
			if strings.TrimSpace(cat[k]) == "" {
				t.Errorf("%s: no text for %s", lang, k)
			}
		}
	}
}

// TestFindingMessagesInBothLanguages: the English report text and the
// French the GUI shows come from one finding.
func TestFindingMessagesInBothLanguages(t *testing.T) {
	var c CheckResult
	c.add(Fail, "leak_high", wholeDB(-0.3), 35.0)
	c.add(Pass, "headset", `"Jabra EVOLVE 40"`, kindTerm(KindWiredUSB))
	en := []string{
		"Sound from your headset reaches your microphone (echo loss 0 dB, at least 35 dB needed): this looks like open speakers; use a headset and keep it on",
		`"Jabra EVOLVE 40" is a wired USB headset`,
	}
	fr := []string{
		"Le son du casque arrive dans le micro (atténuation d'écho 0 dB, au moins 35 dB requis) : cela ressemble à des haut-parleurs ; utilisez un casque et gardez-le sur les oreilles",
		`"Jabra EVOLVE 40" est un casque USB filaire`,
	}
	cat, err := i18n.Catalog("fr")
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range c.Findings {
		if f.Message != en[i] {
			t.Errorf("English %q, want %q", f.Message, en[i])
		}
		if got, ok := i18n.Format(cat, f.Key, f.Args...); !ok || got != fr[i] {
			t.Errorf("French %q, want %q", got, fr[i])
		}
	}
	if c.Verdict != Fail {
		t.Fatalf("verdict %s", c.Verdict)
	}
}
