package i18n

import "testing"

func TestFormatTranslatesTermsAndNestedMessages(t *testing.T) {
	cat := map[string]string{
		"outer": "%s: run again",
		"inner": "%s is a %s headset",
		"kind":  "wired USB",
		"plain": "no arguments, 100%",
	}
	got, ok := Format(cat, "outer", Message{Key: "inner", Args: []any{`"Jabra"`, Term("kind")}})
	if !ok || got != `"Jabra" is a wired USB headset: run again` {
		t.Fatalf("Format = %q, %v", got, ok)
	}
	if got, ok := Format(cat, "plain"); !ok || got != "no arguments, 100%" {
		t.Fatalf("a message without arguments is not formatted: %q", got)
	}
	if _, ok := Format(cat, "missing"); ok {
		t.Fatal("a missing key reported as found")
	}
	args := []any{Term("kind")}
	if got, _ := Format(map[string]string{"k": "%s"}, "k", args...); got != "kind" || args[0] != Term("kind") {
		t.Fatalf("an unknown term shows %q; args changed to %v", got, args)
	}
	for _, lang := range []string{"en", "fr"} {
		if m, err := Catalog(lang); err != nil || len(m) < 200 {
			t.Fatalf("catalogue %s: %d messages, %v", lang, len(m), err)
		}
	}
	if _, err := Catalog("xx"); err == nil {
		t.Fatal("an unknown language loaded")
	}
}
