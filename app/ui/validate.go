package ui

import (
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Account field names, keys of validateAccount's result.
const (
	fieldServer     = "server"
	fieldUser       = "user"
	fieldAuthUser   = "auth_user"
	fieldPassword   = "password"
	fieldTransport  = "transport"
	fieldBackendURL = "backend_url"
	fieldAgentLogin = "agent_login"
)

var transports = []string{"udp", "tcp", "tls"}

// validateAccount returns, for each bad field, the translation key of a
// message that says what to fix. requirePassword is false when a password
// is already in the keyring.
func validateAccount(a Account, requirePassword bool) map[string]string {
	bad := map[string]string{}
	switch host := strings.TrimSpace(a.Server); {
	case host == "":
		bad[fieldServer] = "err.server.empty"
	case !validHostPort(host):
		bad[fieldServer] = "err.server.invalid"
	}
	switch u := strings.TrimSpace(a.User); {
	case u == "":
		bad[fieldUser] = "err.user.empty"
	case strings.ContainsAny(u, " @:;<>"):
		bad[fieldUser] = "err.user.invalid"
	}
	if strings.ContainsAny(a.AuthUser, " :;<>") {
		bad[fieldAuthUser] = "err.authuser.invalid"
	}
	if requirePassword && a.Password == "" {
		bad[fieldPassword] = "err.password.empty"
	}
	if !contains(transports, a.Transport) {
		bad[fieldTransport] = "err.transport"
	}
	if u, err := url.Parse(strings.TrimSpace(a.BackendURL)); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		bad[fieldBackendURL] = "err.backend.invalid"
	}
	if strings.TrimSpace(a.AgentLogin) == "" {
		bad[fieldAgentLogin] = "err.agent.empty"
	}
	return bad
}

// validHostPort accepts host, host:port, [v6]:port with a port in 1..65535.
func validHostPort(s string) bool {
	host, port := s, ""
	if h, p, err := net.SplitHostPort(s); err == nil {
		host, port = h, p
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return false
		}
	}
	if host == "" || strings.ContainsAny(host, " /@:;") && net.ParseIP(host) == nil {
		return false
	}
	return true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
