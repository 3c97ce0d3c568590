package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2/lang"

	"github.com/homeshore/homeshore/assets/i18n"
)

// Languages the GUI is translated into; the first is the fallback.
var supportedLanguages = []string{"en", "fr"}

// Translator looks up the GUI's strings in one language, falling back to
// English, then to the key itself so a missing string is visible, not blank.
type Translator struct {
	lang     string
	msgs     map[string]string
	fallback map[string]string
}

// loadCatalog reads one language's messages from the embedded assets.
func loadCatalog(lang string) (map[string]string, error) { return i18n.Catalog(lang) }

// NewTranslator returns a translator for language ("" follows the OS).
func NewTranslator(language string) (*Translator, error) {
	language = resolveLanguage(language)
	fallback, err := loadCatalog(supportedLanguages[0])
	if err != nil {
		return nil, err
	}
	msgs := fallback
	if language != supportedLanguages[0] {
		if msgs, err = loadCatalog(language); err != nil {
			return nil, err
		}
	}
	return &Translator{lang: language, msgs: msgs, fallback: fallback}, nil
}

// resolveLanguage maps "" to the OS language and anything unsupported to English.
func resolveLanguage(language string) string {
	if language == "" {
		language = lang.SystemLocale().LanguageString()
	}
	language = strings.ToLower(language)
	if i := strings.IndexAny(language, "-_"); i > 0 {
		language = language[:i]
	}
	for _, l := range supportedLanguages {
		if l == language {
			return l
		}
	}
	return supportedLanguages[0]
}

// Lang is the language in use ("en", "fr").
func (t *Translator) Lang() string { return t.lang }

// Text renders a message from the core in this language, falling back to
// its plain (English) form.
func (t *Translator) Text(m Text) string {
	if m.Key != "" {
		if s, ok := i18n.Format(t.msgs, m.Key, m.Args...); ok {
			return s
		}
	}
	return m.Plain
}

// T returns the message for key, formatted with args.
func (t *Translator) T(key string, args ...any) string {
	msg, ok := t.msgs[key]
	if !ok {
		if msg, ok = t.fallback[key]; !ok {
			return key
		}
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// Label is key's text when the catalogue has it (in this language or
// English), else fallback: for names the backend or IT define, with our
// own translations of the known ones.
func (t *Translator) Label(key, fallback string) string {
	if msg, ok := t.msgs[key]; ok {
		return msg
	}
	if msg, ok := t.fallback[key]; ok && t.lang == supportedLanguages[0] {
		return msg
	}
	return fallback
}

// Count is T for a number n of things: the key's ".one" form for one
// ("1 missed call") when the catalogue has it, the plural one otherwise.
func (t *Translator) Count(key string, n int) string {
	if _, ok := t.msgs[key+".one"]; ok && n == 1 {
		return t.T(key+".one", n)
	}
	return t.T(key, n)
}
