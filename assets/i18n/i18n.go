// Package i18n embeds the translation catalogues: <lang>.json, flat maps
// from message key to text with fmt verbs for arguments. A package of its
// own so headless code (the check messages) can read them without the
// sounds and icons.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
)

//go:embed *.json
var files embed.FS

// Catalog reads one language's messages ("en", "fr").
func Catalog(lang string) (map[string]string, error) {
	data, err := files.ReadFile(lang + ".json")
	if err != nil {
		return nil, fmt.Errorf("read %s translations: %w", lang, err)
	}
	var msgs map[string]string
	if err := json.Unmarshal(data, &msgs); err != nil {
		return nil, fmt.Errorf("parse %s translations: %w", lang, err)
	}
	return msgs, nil
}

// Term is a message argument that is itself a catalogue key, such as a
// headset kind inside a sentence: Format translates it too.
type Term string

// Message is a message argument that is a whole message of its own.
type Message struct {
	Key  string
	Args []any
}

// Format looks key up in catalog and fills its verbs with args, Terms and
// Messages translated through the same catalog. ok is false when key is
// missing.
func Format(catalog map[string]string, key string, args ...any) (msg string, ok bool) {
	msg, ok = catalog[key]
	if !ok {
		return "", false
	}
	if len(args) == 0 {
		return msg, true
	}
	filled := make([]any, len(args))
	for i, a := range args {
		filled[i] = a
		switch a := a.(type) {
		case Term:
			if w, found := catalog[string(a)]; found {
				filled[i] = w
			} else {
				filled[i] = string(a)
			}
		case Message:
			if m, found := Format(catalog, a.Key, a.Args...); found {
				filled[i] = m
			} else {
				filled[i] = a.Key
			}
		}
	}
	return fmt.Sprintf(msg, filled...), true
}
