package backend

import (
	"context"
	"net/url"

	"github.com/homeshore/homeshore/server/api"
)

// LogMonitorSession keeps one monitoring session (an upsert on its ID).
func (b *HTTPBackend) LogMonitorSession(ctx context.Context, key string, s api.MonitorSession) error {
	return b.call(ctx, "POST", "/v1/monitor/sessions", key, s, nil)
}

// RequestGrant asks the backend, as the logged-in supervisor, for a signed
// grant to monitor agent's calls in mode (POST /v1/monitor/grants): the
// token for the INVITE's X-Homeshore-Grant header.
func (b *HTTPBackend) RequestGrant(ctx context.Context, agent, mode string) (api.Grant, error) {
	var out api.Grant
	err := b.call(ctx, "POST", "/v1/monitor/grants", "", api.GrantRequest{Agent: agent, Mode: mode}, &out)
	return out, err
}

// MonitorSessions lists the monitoring sessions of agent's calls in the
// last day (GET /v1/monitor/sessions?agent=), for a supervisor or the agent.
func (b *HTTPBackend) MonitorSessions(ctx context.Context, agent string) ([]api.MonitorSession, error) {
	var out struct {
		Sessions []api.MonitorSession `json:"sessions"`
	}
	err := b.call(ctx, "GET", "/v1/monitor/sessions?agent="+url.QueryEscape(agent), "", nil, &out)
	return out.Sessions, err
}
