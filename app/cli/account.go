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

// sipConfig merges profile, flags and the password from the environment
// or keyring into a user agent configuration.
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
	acct := prof.SIP
	cfg := sip.Config{
		Registrar:     pick(a.registrar, acct.Server),
		Domain:        pick(a.domain, acct.Domain),
		User:          pick(a.user, acct.User),
		AuthUser:      pick(a.authUser, acct.AuthUser),
		DisplayName:   pick(a.displayName, acct.DisplayName),
		Transport:     pick(a.transport, acct.Transport),
		OutboundProxy: pick(a.outboundProxy, acct.OutboundProxy),
		CAFile:        pick(a.caFile, acct.CAFile),
		SRTP:          sip.SRTPMode(pick(a.srtp, acct.SRTP)),
	}
	policy := config.DefaultPolicy()
	var err error
	if cfg.Expires, cfg.KeepAlive, err = acct.RegistrationTiming(&policy); err != nil {
		return sip.Config{}, err
	}
	if a.listen != "" {
		transport, addr, err := parseListen(a.listen)
		if err != nil {
			return sip.Config{}, err
		}
		if cfg.Transport != "" && !strings.EqualFold(cfg.Transport, transport) {
			return sip.Config{}, fmt.Errorf("--listen %s conflicts with --transport %s", a.listen, cfg.Transport)
		}
		cfg.Transport, cfg.ListenAddr = transport, addr
	}
	codecs := a.codecs
	if codecs == "" && len(acct.Codecs) > 0 {
		codecs = strings.Join(acct.Codecs, ",")
	}
	if codecs != "" {
		list, err := parseCodecs(codecs)
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

// parseCodecs turns "opus,pcmu" into codecs, naming any unknown one.
func parseCodecs(s string) ([]media.Codec, error) {
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
			return nil, fmt.Errorf("codec %s is not available in this build (built without cgo/libopus)", name)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--codecs %q names no codec: use e.g. opus,pcmu", s)
	}
	return out, nil
}
