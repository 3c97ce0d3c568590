package server

import (
	"context"
	"database/sql"
	"errors"
	"unicode"

	"golang.org/x/text/secure/precis"

	"github.com/homeshore/homeshore/server/api"
)

// Usernames are compared in one canonical form, so "Alice", "ALICE" and the
// full-width "ａｌｉｃｅ" are one account, never three that look alike in a
// supervisor's list or a message's "to": the PRECIS UsernameCaseMapped
// profile (RFC 8265: width-mapped, lower-cased, NFC), then only Latin
// letters (accents included), ASCII digits and . _ - @ +, so a Cyrillic "а"
// cannot pass for a Latin "a". Accounts are created, looked up and
// rate-limited under that form.

// canonicalUsername returns name's canonical form, or false when it cannot
// be a username.
func canonicalUsername(name string) (string, bool) {
	if name == "" || len(name) > 4*maxUsername {
		return "", false
	}
	c, err := precis.UsernameCaseMapped.String(name)
	if err != nil || c == "" || len(c) > maxUsername {
		return "", false
	}
	for _, r := range c {
		switch {
		case r >= '0' && r <= '9', r == '.', r == '_', r == '-', r == '@', r == '+':
		case unicode.IsLetter(r) && unicode.Is(unicode.Latin, r):
		default:
			return "", false
		}
	}
	return c, true
}

// limitName is the name a login is rate-limited under: the canonical form,
// so no spelling of one account escapes its limit.
func limitName(name string) string {
	if c, ok := canonicalUsername(name); ok {
		return c
	}
	return name
}

// userByName finds an account by any spelling of its username. Accounts
// created before usernames were canonical keep their exact name as well.
func (st *Store) userByName(ctx context.Context, name string) (api.User, string, error) {
	if c, ok := canonicalUsername(name); ok {
		u, hash, err := st.userByExactName(ctx, c)
		if err == nil || !errors.Is(err, ErrNotFound) || c == name {
			return u, hash, err
		}
	}
	if !cleanText(name) {
		return api.User{}, "", ErrNotFound
	}
	return st.userByExactName(ctx, name)
}

func (st *Store) userByExactName(ctx context.Context, name string) (api.User, string, error) {
	var u api.User
	var hash string
	err := st.rdb.QueryRowContext(ctx, `SELECT id, username, display_name, role, password_hash FROM users WHERE username = $1`, name).
		Scan(&u.ID, &u.Username, &u.DisplayName, &u.Role, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return api.User{}, "", ErrNotFound
	}
	if err != nil {
		return api.User{}, "", err
	}
	u.Queues, err = userQueueNames(ctx, st.rdb, u.ID)
	return u, hash, err
}

// sameUser reports whether name is a spelling of username (the account's
// stored name).
func sameUser(name, username string) bool {
	if name == username {
		return true
	}
	c, ok := canonicalUsername(name)
	return ok && c == username
}
