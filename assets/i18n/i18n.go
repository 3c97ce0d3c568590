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
