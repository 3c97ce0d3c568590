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
	"crypto/ed25519"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"sync"
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
	// DefaultPresenceTimeout is three missed heartbeats of the agent app
	// (livestatus.DefaultHeartbeat).
	DefaultPresenceTimeout = 45 * time.Second
	DefaultSweepEvery      = 5 * time.Second
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
	// MonitorKey signs monitoring grants; when nil it is read from (or
	// created at) MonitorKeyFile, and without that a key is made for this
	// run only (grants then fail after a restart: set the file in production).
	MonitorKey     ed25519.PrivateKey
	MonitorKeyFile string
	// PresenceTimeout: an agent app silent this long shows as not connected.
	PresenceTimeout time.Duration
	// SweepEvery is how often presence is checked.
	SweepEvery time.Duration
	// SecureCookies marks the console's cookies Secure even on plain HTTP
	// (behind a TLS-terminating proxy); they always are over TLS.
	SecureCookies bool
	Logger        *slog.Logger
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

	live       *liveHub
	monitorKey ed25519.PrivateKey
	// streamsDone closes when the server shuts down: long-lived event
	// streams end so a graceful shutdown does not wait for them.
	streamsDone chan struct{}
	stopOnce    sync.Once
	stopSweep   context.CancelFunc
	sweepDone   chan struct{}
	closeOnce   sync.Once
	closeErr    error
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
	if cfg.PresenceTimeout <= 0 {
		cfg.PresenceTimeout = DefaultPresenceTimeout
	}
	if cfg.SweepEvery <= 0 {
		cfg.SweepEvery = DefaultSweepEvery
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
	secret, err := st.tokenSecret(ctx)
	if err != nil {
		st.Close()
		return nil, err
	}
	key := cfg.MonitorKey
	switch {
	case key != nil:
	case cfg.MonitorKeyFile != "":
		if key, err = LoadMonitorKey(cfg.MonitorKeyFile); err != nil {
			st.Close()
			return nil, err
		}
	default:
		_, key, _ = ed25519.GenerateKey(nil)
		cfg.Logger.Warn("monitoring grants are signed with a key made for this run only; set a key file to keep it across restarts")
	}
	s := &Server{cfg: cfg, st: st, log: cfg.Logger, signer: tokenSigner{key: secret},
		limiter: newLoginLimiter(cfg.LoginWindow), hashes: newHashGate(cfg.MaxHashes, DefaultHashWait),
		monitorKey: key, streamsDone: make(chan struct{})}
	if err := st.prune(ctx, cfg.Now()); err != nil {
		st.Close()
		return nil, err
	}
	if err := s.ensureDispositions(ctx); err != nil {
		st.Close()
		return nil, err
	}
	pgDSN := ""
	if cfg.Driver == "postgres" {
		pgDSN = cfg.DSN
	}
	s.live = newLiveHub(st, pgDSN, cfg.Logger)
	if err := s.live.start(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("live events: %w", err)
	}
	s.startSweeper()
	s.handler = s.routes()
	return s, nil
}

// startSweeper marks agents whose app went quiet as not connected, every
// SweepEvery, until Close.
func (s *Server) startSweeper() {
	ctx, cancel := context.WithCancel(context.Background())
	s.stopSweep, s.sweepDone = cancel, make(chan struct{})
	go func() {
		defer close(s.sweepDone)
		t := time.NewTicker(s.cfg.SweepEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := s.sweepPresence(ctx, s.cfg.Now(), s.cfg.PresenceTimeout); err != nil && ctx.Err() == nil {
					s.log.Warn("presence sweep", "err", err)
				}
			}
		}
	}()
}

// endStreams ends every open event stream (shutdown); safe to call twice.
func (s *Server) endStreams() { s.stopOnce.Do(func() { close(s.streamsDone) }) }

// Store gives access to the storage, for seeding and tests.
func (s *Server) Store() *Store { return s.st }

// Handler is the HTTP API.
func (s *Server) Handler() http.Handler { return s.handler }

// Close ends the event streams and background work, then releases the
// database; safe to call twice.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.endStreams()
		s.stopSweep()
		<-s.sweepDone
		s.live.stop()
		s.closeErr = s.st.Close()
	})
	return s.closeErr
}

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
	hs.RegisterOnShutdown(s.endStreams)
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
	mux.Handle("GET /v1/admin/queues", s.auth(s.handleAdminQueues))
	mux.Handle("GET /v1/admin/users", s.auth(s.handleAdminUsers))
	mux.Handle("PUT /v1/admin/queues/{queue}/members/{username}", s.auth(s.handleAddMember))
	mux.Handle("DELETE /v1/admin/queues/{queue}/members/{username}", s.auth(s.handleRemoveMember))
	mux.Handle("GET /v1/admin/audit", s.auth(s.handleAudit))
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
	mux.Handle("GET /v1/indicators.csv", s.auth(s.handleIndicatorsCSV))
	mux.Handle("GET /v1/agents/{id}/timeline", s.auth(s.handleTimeline))
	s.consoleRoutes(mux)
	mux.Handle("PUT /v1/live/status", s.auth(s.handleLiveStatus))
	mux.Handle("GET /v1/live/agents", s.auth(s.handleBoard))
	mux.Handle("GET /v1/live/stream", s.auth(s.handleStream))
	mux.Handle("POST /v1/messages", s.auth(s.handleSendMessage))
	mux.Handle("GET /v1/messages", s.auth(s.handleMessages))
	mux.Handle("POST /v1/help", s.auth(s.handleHelp))
	mux.Handle("POST /v1/help/{id}/take", s.auth(s.handleTakeHelp))
	mux.Handle("POST /v1/help/{id}/cancel", s.auth(s.handleCancelHelp))
	mux.HandleFunc("GET /v1/monitor/public-key", s.handlePublicKey)
	mux.Handle("POST /v1/monitor/grants", s.auth(s.handleGrant))
	mux.Handle("POST /v1/monitor/sessions", s.auth(s.handleSessionLog))
	mux.Handle("GET /v1/monitor/sessions", s.auth(s.handleSessions))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &apiError{Status: http.StatusNotFound, Code: "not_found", Message: "no such endpoint: " + r.Method + " " + r.URL.Path})
	})
	return s.recoverer(mux)
}
