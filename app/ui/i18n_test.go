package ui

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestEveryKeyTranslatedInEveryLanguage(t *testing.T) {
	en, err := loadCatalog("en")
	if err != nil {
		t.Fatal(err)
	}
	verbs := regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)
	for _, lang := range supportedLanguages[1:] {
		other, err := loadCatalog(lang)
		if err != nil {
			t.Fatal(err)
		}
		for key, msg := range en {
			tr, ok := other[key]
			if !ok || strings.TrimSpace(tr) == "" {
				t.Errorf("%s: %q is not translated", lang, key)
				continue
			}
			if a, b := verbs.FindAllString(msg, -1), verbs.FindAllString(tr, -1); !slices.Equal(a, b) {
				t.Errorf("%s: %q has arguments %v, English has %v", lang, key, b, a)
			}
		}
		for key := range other {
			if _, ok := en[key]; !ok {
				t.Errorf("%s: %q is not in English", lang, key)
			}
		}
	}
}

// TestEveryKeyInCodeExists catches a key typed in code but missing from
// the catalogue (it would show as the raw key).
func TestEveryKeyInCodeExists(t *testing.T) {
	en, err := loadCatalog("en")
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("*.go")
	key := regexp.MustCompile(`"((?:alert|call|check|demo|devices|dial|disposition|err|firstrun|keys|msg|policy|pop|quality|reason|recent|reg|select|settings|shift|state|summary|ticket|tray|verdict|wrap)(?:\.[a-z0-9_]+)+)"`)
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range key.FindAllStringSubmatch(string(src), -1) {
			n++
			if _, ok := en[m[1]]; !ok {
				t.Errorf("%s uses %q, which has no text", f, m[1])
			}
		}
	}
	if n < 100 {
		t.Fatalf("found only %d keys in code; the pattern is out of date", n)
	}
}

func TestLanguageResolution(t *testing.T) {
	for in, want := range map[string]string{"fr": "fr", "fr_FR": "fr", "FR-ca": "fr", "en-GB": "en", "de": "en"} {
		if got := resolveLanguage(in); got != want {
			t.Errorf("resolveLanguage(%q) = %q, want %q", in, got, want)
		}
	}
	tr, err := NewTranslator("fr")
	if err != nil {
		t.Fatal(err)
	}
	if got := tr.T("check.quiet.left", 7); got != "Restez silencieux : encore 7 s" {
		t.Fatalf("T = %q", got)
	}
	if got := tr.T("no.such.key"); got != "no.such.key" {
		t.Fatalf("missing key = %q", got)
	}
}
