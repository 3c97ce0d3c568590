package precheck

import (
	"fmt"
	"strings"
	"sync"

	"github.com/homeshore/homeshore/assets/i18n"
)

// The agent-facing texts of the checks live in the translation catalogues
// (assets/i18n, keys "check.msg.<code>" and "check.term.<word>"): reports
// and the CLI use the English ones, the GUI the agent's language.
var english = sync.OnceValue(func() map[string]string {
	m, err := i18n.Catalog("en")
	if err != nil {
		return map[string]string{}
	}
	return m
})

// msgKey is the catalogue key of a finding code's text.
func msgKey(code string) string { return "check.msg." + code }

// term is a word of a message that is translated with it.
func term(word string) i18n.Term { return i18n.Term("check.term." + word) }

// message formats key in English; a key missing from the catalogue (a
// bug the tests catch) still yields readable text.
func message(key string, args ...any) string {
	if s, ok := i18n.Format(english(), key, args...); ok {
		return s
	}
	parts := []string{key}
	for _, a := range args {
		parts = append(parts, fmt.Sprint(a))
	}
	return strings.Join(parts, " ")
}
