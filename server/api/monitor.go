package api

import "time"

// Monitoring modes (docs/api.md; the grant contract in CONTRACTS.md).
const (
	ModeListen  = "listen"
	ModeWhisper = "whisper"
	ModeBarge   = "barge"
)

// Modes lists every monitoring mode.
var Modes = []string{ModeListen, ModeWhisper, ModeBarge}

// GrantRequest is the body of POST /v1/monitor/grants.
type GrantRequest struct {
	Agent string `json:"agent"` // username
	Mode  string `json:"mode"`
}

// Grant answers a grant request: the signed token for the INVITE's
// X-Homeshore-Grant header, when it expires, and the agent's SIP address
// when the app reported it.
type Grant struct {
	Grant     string    `json:"grant"`
	ExpiresAt time.Time `json:"expires_at"`
	AgentURI  string    `json:"agent_uri,omitempty"`
}

// GrantClaims is the signed payload of a grant token:
// base64url(JSON) "." base64url(ed25519 signature of the JSON), no padding.
type GrantClaims struct {
	V     int      `json:"v"`
	Iss   string   `json:"iss"`
	Sup   string   `json:"sup"`
	Agent string   `json:"agent"`
	Modes []string `json:"modes"`
	Iat   int64    `json:"iat"`
	Exp   int64    `json:"exp"`
	JTI   string   `json:"jti"`
}

// GrantIssuer is GrantClaims.Iss.
const GrantIssuer = "homeshore-server"

// PublicKey answers GET /v1/monitor/public-key: the ed25519 key that signs
// grants, standard base64 of its 32 bytes, for the agent policy's
// monitoring.grant_public_keys.
type PublicKey struct {
	PublicKey string `json:"public_key"`
}

// ModeChange is one mode of a monitoring session and when it began.
type ModeChange struct {
	Mode string    `json:"mode"`
	At   time.Time `json:"at"`
}

// MonitorSession is one listening session as the agent app logs it with
// POST /v1/monitor/sessions (an upsert on ID): who listened to whom, on
// which call, in which modes, from when to when (EndedAt nil while it runs).
type MonitorSession struct {
	ID         string       `json:"id"`
	Supervisor string       `json:"supervisor"`
	Agent      string       `json:"agent"`
	CallID     string       `json:"call_id"`
	Mode       string       `json:"mode"`
	StartedAt  time.Time    `json:"started_at"`
	EndedAt    *time.Time   `json:"ended_at"`
	Modes      []ModeChange `json:"modes"`
}
