// Package localeenv gives the GUI toolkit a language it can parse when the
// process runs in the "C.UTF-8" locale of servers and CI machines.
//
// Fyne reads the locale while its packages initialise and logs "Error
// parsing user locale C" for C.UTF-8, on every headless command too. This
// package sets LANGUAGE=en in that case only (LANGUAGE affects message
// catalogs, nothing else). It must be imported by main: Go initialises it
// before Fyne's locale lookup, whose dependency github.com/jeandeaual/go-locale
// sorts after this import path.
package localeenv

import (
	"os"
	"strings"
)

func init() {
	for _, key := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := os.Getenv(key)
		if v == "" {
			continue
		}
		if strings.HasPrefix(v, "C.") && os.Getenv("LANGUAGE") == "" {
			_ = os.Setenv("LANGUAGE", "en")
		}
		return
	}
}
