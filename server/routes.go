package server

import (
	"net/http"
	"slices"
)

// routeMux is the API's router: an http.ServeMux that also remembers every
// pattern registered on it, so the authorisation test can enumerate the
// routes and fail when one is added without its row. Register every route
// through it.
type routeMux struct {
	*http.ServeMux
	patterns []string
}

func newRouteMux() *routeMux { return &routeMux{ServeMux: http.NewServeMux()} }

// Handle registers h for pattern.
func (m *routeMux) Handle(pattern string, h http.Handler) {
	m.patterns = append(m.patterns, pattern)
	m.ServeMux.Handle(pattern, h)
}

// HandleFunc registers h for pattern.
func (m *routeMux) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	m.Handle(pattern, http.HandlerFunc(h))
}

// Routes lists the patterns the API serves ("METHOD /path/{var}"), sorted.
func (s *Server) Routes() []string {
	out := slices.Clone(s.routeList)
	slices.Sort(out)
	return out
}
