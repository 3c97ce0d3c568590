// Package server is the reference Homeshore ticket backend: an HTTP JSON API
// under /v1 (agents, tickets with their note thread, call logs, agent events,
// shift summaries and supervisor indicators) over SQLite or PostgreSQL.
// It runs as the homeshore-server binary or embedded in-process:
//
//	srv, err := server.New(ctx, server.Config{Driver: "sqlite", DSN: path})
//	http.Handle("/", srv.Handler())
//	defer srv.Close()
package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"time"
)

// Defaults used when the matching Config field is zero.
const (
	DefaultAccessTTL    = 15 * time.Minute
	DefaultRefreshTTL   = 30 * 24 * time.Hour
	DefaultMaxBody      = 64 << 10
	DefaultRegion       = "US"
	DefaultLoginLimit   = 5
	DefaultLoginWindow  = time.Minute
	DefaultShutdownWait = 10 * time.Second
	// DefaultHashWait is how long a login waits for a hashing slot before 503.
	DefaultHashWait = 10 * time.Second
)

// Config configures a Server. Only Driver and DSN are required.
type Config struct {
	Driver string // "sqlite" or "postgres"
	DSN    string // SQLite file path, or PostgreSQL URL
	// Region is the ISO country used to read phone numbers written without
	// a +country prefix.
	Region     string
	AccessTTL  time.Duration
	RefreshTTL time.Duration
	// MaxBody caps request bodies in bytes; bigger bodies get 413.
	MaxBody int64
	// LoginLimit failed logins per LoginWindow for one username (ten times
	// that for one client address) before logins answer 429.
	LoginLimit  int
	LoginWindow time.Duration
	// MaxHashes caps password hashes computed at once (argon2id takes
	// 19 MiB and a core each); 0 means one per CPU, at least 2.
	MaxHashes int
	Logger    *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Server is the ticket backend. Create it with New, serve Handler, Close it.
type Server struct {
	cfg     Config
	st      *Store
	log     *slog.Logger
	signer  tokenSigner
	limiter *loginLimiter
	hashes  *hashGate
	handler http.Handler
}

// New opens the store, applies migrations and builds the HTTP handler.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	if cfg.AccessTTL == 0 {
		cfg.AccessTTL = DefaultAccessTTL
	}
	if cfg.RefreshTTL == 0 {
		cfg.RefreshTTL = DefaultRefreshTTL
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.LoginLimit == 0 {
		cfg.LoginLimit = DefaultLoginLimit
	}
	if cfg.LoginWindow == 0 {
		cfg.LoginWindow = DefaultLoginWindow
	}
	if cfg.MaxHashes <= 0 {
		cfg.MaxHashes = max(2, runtime.GOMAXPROCS(0))
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	st, err := OpenStore(ctx, cfg.Driver, cfg.DSN)
	if err != nil {
		return nil, err
	}
	key, err := st.tokenSecret(ctx)
	if err != nil {
		st.Close()
		return nil, err
	}
	s := &Server{cfg: cfg, st: st, log: cfg.Logger, signer: tokenSigner{key: key},
		limiter: newLoginLimiter(cfg.LoginWindow), hashes: newHashGate(cfg.MaxHashes, DefaultHashWait)}
	if err := st.prune(ctx, cfg.Now()); err != nil {
		st.Close()
		return nil, err
	}
	if err := s.ensureDispositions(ctx); err != nil {
		st.Close()
		return nil, err
	}
	s.handler = s.routes()
	return s, nil
}

// Store gives access to the storage, for seeding and tests.
func (s *Server) Store() *Store { return s.st }

// Handler is the HTTP API.
func (s *Server) Handler() http.Handler { return s.handler }

// Close releases the database; safe to call twice.
func (s *Server) Close() error { return s.st.Close() }

// Serve answers on ln until ctx ends, then shuts down gracefully: in-flight
// requests get DefaultShutdownWait to finish. With tlsCfg set it serves HTTPS.
func (s *Server) Serve(ctx context.Context, ln net.Listener, tlsCfg *tls.Config) error {
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    16 << 10,
		TLSConfig:         tlsCfg,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() {
		if tlsCfg != nil {
			errc <- hs.ServeTLS(ln, "", "")
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), DefaultShutdownWait)
	defer cancel()
	err := hs.Shutdown(sctx)
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return err
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/health", func(w http.ResponseWriter, r *http.Request) {
		s.reply(w, r, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("POST /v1/auth/login", s.handleLogin)
	mux.HandleFunc("POST /v1/auth/refresh", s.handleRefresh)
	mux.Handle("GET /v1/me", s.auth(s.handleMe))
	mux.Handle("GET /v1/dispositions", s.auth(s.handleDispositions))
	mux.Handle("GET /v1/queues", s.auth(s.handleQueues))
	mux.Handle("POST /v1/queues", s.auth(s.handleCreateQueue))
	mux.Handle("POST /v1/users", s.auth(s.handleCreateUser))
	mux.Handle("GET /v1/tickets", s.auth(s.handleLookup))
	mux.Handle("POST /v1/tickets", s.auth(s.handleCreateTicket))
	mux.Handle("GET /v1/tickets/{id}", s.auth(s.handleGetTicket))
	mux.Handle("PATCH /v1/tickets/{id}", s.auth(s.handlePatchTicket))
	mux.Handle("POST /v1/tickets/{id}/notes", s.auth(s.handleAddNote))
	mux.Handle("GET /v1/sync", s.auth(s.handleSync))
	mux.Handle("POST /v1/calls", s.auth(s.handleLogCall))
	mux.Handle("GET /v1/calls", s.auth(s.handleListCalls))
	mux.Handle("POST /v1/agent-events", s.auth(s.handleAgentEvent))
	mux.Handle("GET /v1/shifts", s.auth(s.handleShifts))
	mux.Handle("GET /v1/indicators", s.auth(s.handleIndicators))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &apiError{Status: http.StatusNotFound, Code: "not_found", Message: "no such endpoint: " + r.Method + " " + r.URL.Path})
	})
	return s.recoverer(mux)
}
