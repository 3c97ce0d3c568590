package sip

import (
	"context"
	"fmt"
)

// WaitNetwork returns once the SIP server of cfg (its outbound proxy, else
// its registrar) resolves and a route leads to it: what New needs to pick
// its address when cfg has no ListenAddr. It checks at once, then every
// cfg.NetworkCheck on cfg.Clock (DefaultNetworkCheck when not positive).
// If ctx ends first it returns ctx's error with the last reason the
// server was out of reach.
func WaitNetwork(ctx context.Context, cfg Config, opts ...Option) error {
	cfg = cfg.withDefaults()
	probe := &UA{addrToward: LocalAddrToward}
	for _, o := range opts {
		o(probe)
	}
	server := cfg.OutboundProxy
	if server == "" {
		server = cfg.Registrar
	}
	every := cfg.NetworkCheck
	if every <= 0 {
		every = DefaultNetworkCheck
	}
	var timer Timer
	for {
		_, err := probe.addrToward(server)
		if err == nil {
			return nil
		}
		if timer == nil {
			timer = cfg.Clock.NewTimer(every)
			defer timer.Stop()
		} else {
			timer.Reset(every)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (%w)", ctx.Err(), err)
		case <-timer.C():
		}
	}
}
