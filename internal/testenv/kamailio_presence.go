package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// kamailioDBText is where Debian's kamailio package keeps the db_text
// table definitions.
const kamailioDBText = "/usr/share/kamailio/dbtext/kamailio"

// presenceTables are the db_text tables the presence modules use.
var presenceTableNames = []string{"version", "presentity", "active_watchers", "watchers", "xcap"}

// StartKamailioPresence is StartKamailio with a presence server for our
// domain (Debian package kamailio-presence-modules): users PUBLISH their
// presence (digest-authenticated like their other requests) and anyone may
// SUBSCRIBE to a user's presence and receives NOTIFYs as it changes.
func StartKamailioPresence(t testing.TB, users map[string]string) *Kamailio {
	t.Helper()
	_, err := os.Stat(filepath.Join(kamailioModuleDir, "presence.so"))
	Require(t, err == nil, "Kamailio presence modules (package kamailio-presence-modules)")
	return startKamailio(t, users, true)
}

// presenceTables copies the empty presence tables into dir/db.
func presenceTables(t testing.TB, dir string) string {
	t.Helper()
	db := filepath.Join(dir, "db")
	if err := os.MkdirAll(db, 0o755); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	for _, name := range presenceTableNames {
		b, err := os.ReadFile(filepath.Join(kamailioDBText, name))
		if err != nil {
			t.Fatalf("testenv: Kamailio db_text table %s: %v (package kamailio)", name, err)
		}
		if err := os.WriteFile(filepath.Join(db, name), b, 0o644); err != nil {
			t.Fatalf("testenv: %v", err)
		}
	}
	return db
}
