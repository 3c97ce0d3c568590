package cli

import (
	"flag"
	"fmt"
	"strings"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/media"
	"github.com/homeshore/homeshore/sip"
)

// accountFlags are the SIP account settings every call command takes;
// flags override the profile file.
type accountFlags struct {
	profile       string
	registrar     string
	domain        string
	user          string
	authUser      string
	displayName   string
	transport     string
	outboundProxy string
	caFile        string
	listen        string
	codecs        string
	srtp          string
}

func (a *accountFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&a.profile, "profile", "", "profile file (default: the user's Homeshore profile)")
	fs.StringVar(&a.registrar, "registrar", "", "SIP registrar host[:port]; empty: no registration")
	fs.StringVar(&a.domain, "domain", "", "SIP domain of the account (default: registrar host)")
	fs.StringVar(&a.user, "user", "", "SIP user")
	fs.StringVar(&a.authUser, "auth-user", "", "digest user name (default: user)")
	fs.StringVar(&a.displayName, "display-name", "", "display name")
	fs.StringVar(&a.transport, "transport", "", "udp, tcp or tls (default udp)")
	fs.StringVar(&a.outboundProxy, "outbound-proxy", "", "send every request through host:port")
	fs.StringVar(&a.caFile, "ca-file", "", "extra CA certificates (PEM) for TLS")
	fs.StringVar(&a.listen, "listen", "", "where to accept SIP, e.g. udp:127.0.0.1:5070")
	fs.StringVar(&a.codecs, "codecs", "", "codecs in order of preference, e.g. opus,pcmu,pcma")
	fs.StringVar(&a.srtp, "srtp", "", "media encryption: off (default), optional or mandatory (SRTP keyed in SDP; use with --transport tls)")
}

// sipConfig merges profile, flags, IT's policy and the password from the
// environment or keyring into a user agent configuration. The policy
// applies as in the window (config.Policy.EnforceSIP): what IT set wins
// over the profile, and a flag that asks for something else is refused
// with the policy key that decides, rather than silently ignored.
func (a *accountFlags) sipConfig(secrets config.SecretStore) (sip.Config, error) {
	path := a.profile
	if path == "" {
		p, err := config.DefaultProfilePath()
		if err == nil {
			path = p
		}
	}
	var prof config.Profile
	if path != "" {
		p, err := config.LoadProfile(path)
		if err != nil {
			return sip.Config{}, err
		}
		prof = p
	}
	policy, err := config.LoadPolicy()
	if err != nil {
		return sip.Config{}, fmt.Errorf("the IT policy cannot be used (%w): ask IT to fix it", err)
	}
	acct := prof.SIP
	listenTransport, listenAddr := "", ""
	if a.listen != "" {
		if listenTransport, listenAddr, err = parseListen(a.listen); err != nil {
			return sip.Config{}, err
		}
		if a.transport != "" && !strings.EqualFold(a.transport, listenTransport) {
			return sip.Config{}, fmt.Errorf("--listen %s conflicts with --transport %s", a.listen, a.transport)
		}
	}
	asked := askedSIP{
		Server: a.registrar, Transport: pick(a.transport, listenTransport), OutboundProxy: a.outboundProxy,
		Codecs: a.codecs, SRTP: a.srtp,
	}
	acct.Server = pick(asked.Server, acct.Server)
	acct.Transport = pick(asked.Transport, acct.Transport)
	acct.OutboundProxy = pick(asked.OutboundProxy, acct.OutboundProxy)
	acct.SRTP = pick(asked.SRTP, acct.SRTP)
	if asked.Codecs != "" {
		acct.Codecs = strings.Split(asked.Codecs, ",")
	}
	enforced := policy.EnforceSIP(acct)
	if err := asked.against(&policy, enforced); err != nil {
		return sip.Config{}, err
	}
	cfg := sip.Config{
		Registrar:     enforced.Server,
		Domain:        pick(a.domain, enforced.Domain),
		User:          pick(a.user, enforced.User),
		AuthUser:      pick(a.authUser, enforced.AuthUser),
		DisplayName:   pick(a.displayName, enforced.DisplayName),
		Transport:     enforced.Transport,
		OutboundProxy: enforced.OutboundProxy,
		CAFile:        pick(a.caFile, enforced.CAFile),
		SRTP:          sip.SRTPMode(enforced.SRTP),
		ListenAddr:    listenAddr,
	}
	if cfg.Expires, cfg.KeepAlive, err = enforced.RegistrationTiming(&policy); err != nil {
		return sip.Config{}, err
	}
	if len(enforced.Codecs) > 0 {
		// IT's list may name a codec this build lacks (the window skips
		// it too); one the agent asks for by name must be there.
		list, err := parseCodecs(strings.Join(enforced.Codecs, ","), asked.Codecs == "")
		if err != nil {
			return sip.Config{}, err
		}
		cfg.Codecs = list
	}
	if cfg.Registrar != "" || cfg.OutboundProxy != "" {
		server := pick(cfg.Registrar, cfg.OutboundProxy)
		pw, err := config.SIPPassword(secrets, pick(cfg.AuthUser, cfg.User), server)
		if err != nil {
			return sip.Config{}, err
		}
		cfg.Password = pw
	}
	return cfg, cfg.Validate()
}

// askedSIP is what the command line asked for explicitly ("" = nothing).
type askedSIP struct{ Server, Transport, OutboundProxy, Codecs, SRTP string }

// against refuses a flag whose value IT's policy overrides on this computer.
func (a askedSIP) against(p *config.Policy, enforced config.SIPAccount) error {
	for _, c := range []struct{ flag, key, asked, got string }{
		{"--registrar", "sip.server", a.Server, enforced.Server},
		{"--transport", "sip.transport", a.Transport, enforced.Transport},
		{"--outbound-proxy", "sip.outbound_proxy", a.OutboundProxy, enforced.OutboundProxy},
		{"--codecs", "sip.codecs", normCodecs(a.Codecs), normCodecs(strings.Join(enforced.Codecs, ","))},
		{"--srtp", "sip.srtp", a.SRTP, enforced.SRTP},
	} {
		if c.asked == "" || strings.EqualFold(c.asked, c.got) {
			continue
		}
		return fmt.Errorf("%s %s: IT's policy (%s) sets %s to %q on this computer; drop the flag, or ask IT (see homeshore policy)",
			c.flag, c.asked, pick(p.Source(), "managed settings"), c.key, c.got)
	}
	return nil
}

// normCodecs writes a codec list the one way, for comparing.
func normCodecs(s string) string {
	var out []string
	for name := range strings.SplitSeq(s, ",") {
		if name = strings.ToLower(strings.TrimSpace(name)); name != "" {
			out = append(out, name)
		}
	}
	return strings.Join(out, ",")
}

func pick(first, second string) string {
	if first != "" {
		return first
	}
	return second
}

// parseListen reads "udp:127.0.0.1:5070", "tcp:[::1]:5070" or "127.0.0.1:5070".
func parseListen(s string) (transport, addr string, err error) {
	transport, addr, found := strings.Cut(s, ":")
	switch strings.ToLower(transport) {
	case "udp", "tcp", "tls":
		if !found || addr == "" {
			return "", "", fmt.Errorf("--listen %q has no address: use e.g. udp:127.0.0.1:5070", s)
		}
		return strings.ToLower(transport), addr, nil
	}
	return "udp", s, nil
}

// parseCodecs turns "opus,pcmu" into codecs, naming any unknown one. A
// codec this build lacks is an error, or skipped when skipMissing.
func parseCodecs(s string, skipMissing bool) ([]media.Codec, error) {
	var out []media.Codec
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		c, ok := media.LookupCodec(name)
		if !ok {
			return nil, fmt.Errorf("unknown codec %q: use opus, pcmu or pcma", name)
		}
		if !media.CodecAvailable(c) {
			if skipMissing {
				continue
			}
			return nil, fmt.Errorf("codec %s is not available in this build (built without cgo/libopus)", name)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--codecs %q names no codec: use e.g. opus,pcmu", s)
	}
	return out, nil
}
