package server

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/homeshore/homeshore/server/api"
)

// The supervisors' console is a set of static files served at /console/
// (plain ES modules, no build step) that talks to the same API. A console
// session lives in two HttpOnly, SameSite=Strict cookies: the short-lived
// access token (sent everywhere under /) and the refresh token (sent only to
// /v1/console/). Requests that change something also carry X-CSRF-Token,
// an HMAC of the access token the page keeps in memory; the session
// endpoints, which the page calls before it has that token, need the custom
// header X-Homeshore-Console instead (a cross-site form cannot send it).

//go:embed console
var consoleFiles embed.FS

// Console cookie names and headers.
const (
	sessionCookie = "hs_session"
	refreshCookie = "hs_refresh"
	csrfHeader    = "X-CSRF-Token"
	consoleHeader = "X-Homeshore-Console"
	// ConsoleSessionTTL is how long a console login lasts without activity:
	// a working day.
	ConsoleSessionTTL = 12 * time.Hour
)

// consoleCSP allows the console's own scripts, styles and API only.
const consoleCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// consoleSession answers the console's session endpoints.
type consoleSession struct {
	User      api.User `json:"user"`
	CSRF      string   `json:"csrf"`
	ExpiresIn int64    `json:"expires_in"`
}

// csrfFor is the CSRF token bound to an access token.
func (s *Server) csrfFor(access string) string {
	mac := hmac.New(sha256.New, s.signer.key)
	mac.Write([]byte("csrf\x00" + access))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// bearerToken reads the token of an Authorization: Bearer header. The
// scheme is case-insensitive (RFC 9110 §11.1: "bearer" is "Bearer").
func bearerToken(h string) (string, bool) {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(tok), true
}

// authenticate finds the caller: a Bearer token (the app, scripts) or a
// console session cookie (supervisors only; writes need the CSRF token).
func (s *Server) authenticate(r *http.Request) (principal, error) {
	if tok, ok := bearerToken(r.Header.Get("Authorization")); ok {
		p, ok := s.signer.verify(tok, s.cfg.Now())
		if !ok {
			return principal{}, errUnauthorized
		}
		return p, s.checkSession(r.Context(), p)
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return principal{}, errUnauthorized
	}
	p, ok := s.signer.verify(c.Value, s.cfg.Now())
	if !ok || !p.supervisor() {
		return principal{}, errUnauthorized
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead &&
		!hmac.Equal([]byte(r.Header.Get(csrfHeader)), []byte(s.csrfFor(c.Value))) {
		return principal{}, &apiError{Status: http.StatusForbidden, Code: "csrf", Message: "missing or stale CSRF token: reload the console"}
	}
	return p, s.checkSession(r.Context(), p)
}

// checkSession refuses a token whose session ended (logout, reuse of a
// stolen refresh token).
func (s *Server) checkSession(ctx context.Context, p principal) error {
	live, err := s.sessionLive(ctx, p.Sid)
	if err != nil {
		return err
	}
	if !live {
		return errUnauthorized
	}
	return nil
}

// consoleOnly refuses session requests without the console's own header.
func consoleOnly(r *http.Request) error {
	if r.Header.Get(consoleHeader) != "1" {
		return &apiError{Status: http.StatusForbidden, Code: "csrf", Message: "console session requests come from the console page only"}
	}
	return nil
}

func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, name, value, path string, ttl time.Duration) {
	c := &http.Cookie{Name: name, Value: value, Path: path, HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: r.TLS != nil || s.cfg.SecureCookies, MaxAge: int(ttl.Seconds())}
	if ttl <= 0 {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// startSession issues console tokens for u in session sid (a new one when
// "") and answers them.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u api.User, sid string) {
	pair, err := s.issueTokens(r.Context(), u, sid, ConsoleSessionTTL)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.setCookie(w, r, sessionCookie, pair.AccessToken, "/", s.cfg.AccessTTL)
	s.setCookie(w, r, refreshCookie, pair.RefreshToken, "/v1/console/", ConsoleSessionTTL)
	w.Header().Set("Cache-Control", "no-store")
	s.reply(w, r, http.StatusOK, consoleSession{User: u, CSRF: s.csrfFor(pair.AccessToken), ExpiresIn: pair.ExpiresIn})
}

// errNotSupervisor refuses agents at the console.
var errNotSupervisor = forbidden("the console is for supervisors; agents use the Homeshore app")

// handleConsoleLogin: POST /v1/console/login with the API's credentials.
func (s *Server) handleConsoleLogin(w http.ResponseWriter, r *http.Request) {
	if err := consoleOnly(r); err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := s.passwordLogin(w, r)
	if err == nil && u.Role != api.RoleSupervisor {
		s.log.Info("console login refused: not a supervisor", "user", u.Username)
		err = errNotSupervisor
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.startSession(w, r, u, "")
}

// handleConsoleRefresh: POST /v1/console/refresh trades the refresh cookie
// for a new session (rotation, like /v1/auth/refresh).
func (s *Server) handleConsoleRefresh(w http.ResponseWriter, r *http.Request) {
	if err := consoleOnly(r); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := r.Cookie(refreshCookie)
	if err != nil {
		s.fail(w, r, errUnauthorized)
		return
	}
	got, err := s.spendRefresh(r.Context(), c.Value)
	if err == nil && got.user.Role != api.RoleSupervisor {
		err = errNotSupervisor
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.startSession(w, r, got.user, got.sid)
}

// handleConsoleSession: GET /v1/console/session, who is logged in (after a
// page reload the page learns its CSRF token here).
func (s *Server) handleConsoleSession(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		s.fail(w, r, errUnauthorized)
		return
	}
	p, ok := s.signer.verify(c.Value, s.cfg.Now())
	if !ok || !p.supervisor() {
		s.fail(w, r, errUnauthorized)
		return
	}
	if err := s.checkSession(r.Context(), p); err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := s.st.userByID(r.Context(), p.UserID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.reply(w, r, http.StatusOK, consoleSession{User: u, CSRF: s.csrfFor(c.Value), ExpiresIn: p.Exp - s.cfg.Now().Unix()})
}

// handleConsoleLogout: POST /v1/console/logout ends the session for good.
func (s *Server) handleConsoleLogout(w http.ResponseWriter, r *http.Request) {
	if err := consoleOnly(r); err != nil {
		s.fail(w, r, err)
		return
	}
	refresh, sid := "", ""
	if c, err := r.Cookie(refreshCookie); err == nil {
		refresh = c.Value
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		if p, ok := s.signer.verify(c.Value, s.cfg.Now()); ok {
			sid = p.Sid
		}
	}
	if err := s.revokeSessions(r.Context(), sid, refresh, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	s.setCookie(w, r, sessionCookie, "", "/", 0)
	s.setCookie(w, r, refreshCookie, "", "/v1/console/", 0)
	w.WriteHeader(http.StatusNoContent)
}

// consoleHandler serves the console's files with a strict CSP.
func consoleHandler() http.Handler {
	sub, err := fs.Sub(consoleFiles, "console")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	files := http.StripPrefix("/console/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", consoleCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	})
}

// consoleRoutes adds the console and its session endpoints to mux.
func (s *Server) consoleRoutes(mux *routeMux) {
	mux.Handle("GET /console/", consoleHandler())
	mux.Handle("GET /console", http.RedirectHandler("/console/", http.StatusMovedPermanently))
	mux.HandleFunc("POST /v1/console/login", s.handleConsoleLogin)
	mux.HandleFunc("POST /v1/console/refresh", s.handleConsoleRefresh)
	mux.HandleFunc("GET /v1/console/session", s.handleConsoleSession)
	mux.HandleFunc("POST /v1/console/logout", s.handleConsoleLogout)
}
