// Command homeshore-server runs the reference Homeshore ticket backend.
//
//	homeshore-server [--addr 127.0.0.1:8080] [--db homeshore.db | --driver postgres]
//	                 [--tls-cert cert.pem --tls-key key.pem] [--monitor-key FILE] [--demo]
//
// The supervisors' web console is served at /console/.
//
// With --driver postgres the DSN comes from $HOMESHORE_DB_DSN (so a password
// never shows in the process list). HOMESHORE_ADMIN_USER and
// HOMESHORE_ADMIN_PASSWORD create a first supervisor account if missing.
// Once serving it prints one line "homeshore-server listening on URL".
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/homeshore/homeshore/server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "homeshore-server:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("homeshore-server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (host:port; port 0 picks a free one)")
	driver := fs.String("driver", "sqlite", "database: sqlite or postgres (DSN in $HOMESHORE_DB_DSN)")
	dbPath := fs.String("db", "homeshore.db", "SQLite database file (driver sqlite)")
	certFile := fs.String("tls-cert", "", "TLS certificate (PEM); serve HTTPS when set with --tls-key")
	keyFile := fs.String("tls-key", "", "TLS private key (PEM)")
	region := fs.String("region", server.DefaultRegion, "country for phone numbers written without +country")
	monitorKey := fs.String("monitor-key", "", "ed25519 key (PEM) signing monitoring grants, created if missing; default homeshore-monitor.key beside the SQLite file (or in the working directory with postgres). Replicas must share it")
	secureCookies := fs.Bool("secure-cookies", false, "mark console cookies Secure on plain HTTP too (behind a TLS proxy)")
	presence := fs.Duration("presence-timeout", server.DefaultPresenceTimeout, "an agent app silent this long shows as not connected")
	sweep := fs.Duration("sweep-every", server.DefaultSweepEvery, "how often connection presence is checked")
	var proxies []netip.Prefix
	fs.Func("trusted-proxy", "CIDR of a load balancer or reverse proxy in front of the server (repeatable, or comma-separated): behind it the client address is read from X-Forwarded-For", func(v string) error {
		for _, c := range strings.Split(v, ",") {
			p, err := netip.ParsePrefix(strings.TrimSpace(c))
			if err != nil {
				return fmt.Errorf("%q is not a CIDR such as 10.0.0.0/8: %w", c, err)
			}
			proxies = append(proxies, p)
		}
		return nil
	})
	demo := fs.Bool("demo", false, "create demo queues, accounts (sam, alice, bob) and tickets if missing")
	seedN := fs.Int("seed-tickets", 0, "with --demo: also create this many tickets in queue billing (load tests)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	dsn := *dbPath
	if *driver == "postgres" {
		dsn = os.Getenv("HOMESHORE_DB_DSN")
		if dsn == "" {
			return errors.New("--driver postgres needs the database URL in HOMESHORE_DB_DSN")
		}
	}
	var tlsCfg *tls.Config
	if *certFile != "" || *keyFile != "" {
		cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			return fmt.Errorf("load TLS certificate: %w", err)
		}
		tlsCfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	if *monitorKey == "" {
		*monitorKey = "homeshore-monitor.key"
		if *driver == "sqlite" {
			*monitorKey = filepath.Join(filepath.Dir(*dbPath), "homeshore-monitor.key")
		}
	}
	srv, err := server.New(ctx, server.Config{Driver: *driver, DSN: dsn, Region: *region, Logger: log,
		MonitorKeyFile: *monitorKey, SecureCookies: *secureCookies || tlsCfg != nil, PresenceTimeout: *presence, SweepEvery: *sweep,
		TrustedProxies: proxies, AdminUser: os.Getenv("HOMESHORE_ADMIN_USER")})
	if err != nil {
		return err
	}
	defer srv.Close()
	if *demo {
		if err := srv.SeedDemo(ctx); err != nil {
			return fmt.Errorf("seed demo data: %w", err)
		}
		if *seedN > 0 {
			if err := srv.SeedTickets(ctx, "billing", "load", *seedN); err != nil {
				return err
			}
		}
	}
	if u, pw := os.Getenv("HOMESHORE_ADMIN_USER"), os.Getenv("HOMESHORE_ADMIN_PASSWORD"); u != "" && pw != "" {
		if err := srv.EnsureSupervisor(ctx, u, pw); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another server using the port?)", *addr, err)
	}
	scheme := "http"
	if tlsCfg != nil {
		scheme = "https"
	}
	fmt.Fprintf(stdout, "homeshore-server listening on %s://%s\n", scheme, ln.Addr())
	log.Info("serving", "addr", ln.Addr().String(), "driver", *driver, "tls", tlsCfg != nil)
	err = srv.Serve(ctx, ln, tlsCfg)
	log.Info("stopped")
	return err
}
