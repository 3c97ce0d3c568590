package sipbench_test

import (
	"bytes"
	"net"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/testenv"
)

// registerTimeout bounds one start-to-registered attempt.
const registerTimeout = 10 * time.Second

// sniffer is a UDP relay on 127.0.0.1 in front of Kamailio that reports
// when it relays a 200 OK to a REGISTER. One client at a time.
type sniffer struct {
	front, back *net.UDPConn
	registered  chan time.Time
	wg          sync.WaitGroup

	mu     sync.Mutex
	client *net.UDPAddr
}

func startSniffer(tb testing.TB, upstream string) *sniffer {
	tb.Helper()
	up, err := net.ResolveUDPAddr("udp4", upstream)
	if err != nil {
		tb.Fatal(err)
	}
	front, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		tb.Fatal(err)
	}
	back, err := net.DialUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}, up)
	if err != nil {
		tb.Fatal(err)
	}
	s := &sniffer{front: front, back: back, registered: make(chan time.Time, 16)}
	s.wg.Add(2)
	go func() { // client -> Kamailio
		defer s.wg.Done()
		buf := make([]byte, 65535)
		for {
			n, from, err := front.ReadFromUDP(buf)
			if err != nil {
				return
			}
			s.mu.Lock()
			s.client = from
			s.mu.Unlock()
			_, _ = back.Write(buf[:n])
		}
	}()
	go func() { // Kamailio -> client
		defer s.wg.Done()
		buf := make([]byte, 65535)
		for {
			n, err := back.Read(buf)
			if err != nil {
				return
			}
			if isRegisterOK(buf[:n]) {
				select {
				case s.registered <- time.Now():
				default:
				}
			}
			s.mu.Lock()
			to := s.client
			s.mu.Unlock()
			if to != nil {
				_, _ = front.WriteToUDP(buf[:n], to)
			}
		}
	}()
	tb.Cleanup(func() {
		front.Close()
		back.Close()
		s.wg.Wait()
	})
	return s
}

func (s *sniffer) addr() string { return s.front.LocalAddr().String() }

// drain forgets 200s from an earlier attempt (e.g. an un-REGISTER at exit).
func (s *sniffer) drain() {
	for {
		select {
		case <-s.registered:
		default:
			return
		}
	}
}

func isRegisterOK(msg []byte) bool {
	if !bytes.HasPrefix(msg, []byte("SIP/2.0 200")) {
		return false
	}
	for _, line := range bytes.Split(msg, []byte("\r\n")) {
		k, v, ok := bytes.Cut(line, []byte(":"))
		if ok && bytes.EqualFold(bytes.TrimSpace(k), []byte("CSeq")) {
			return bytes.Contains(bytes.ToUpper(v), []byte("REGISTER"))
		}
	}
	return false
}

// timeToRegistered starts an endpoint and returns the time from just before
// fork/exec to the 200 OK of its REGISTER.
func timeToRegistered(b *testing.B, s *sniffer, p func() *proc) time.Duration {
	s.drain()
	t0 := time.Now()
	pr := p()
	defer pr.stop()
	select {
	case t1 := <-s.registered:
		return t1.Sub(t0)
	case <-pr.done:
		b.Fatalf("%s exited before registering: %v\n%s", pr.name, pr.err, pr.tail())
	case <-time.After(registerTimeout):
		b.Fatalf("%s did not register within %v\n%s", pr.name, registerTimeout, pr.tail())
	}
	return 0
}

// registerResult holds start-to-registered times. homeshoreFiles runs with
// --play/--record files, so it opens no audio device before REGISTER (as
// the baresip run, which opens its devices only for a call).
type registerResult struct{ homeshore, homeshoreFiles, baresip []time.Duration }

// benchRegister times n starts of each endpoint, interleaved so that drifts
// in the machine's load hit all of them alike.
func benchRegister(b *testing.B, hsBin string, n int) registerResult {
	const user, password = "alice", "secret-bench-pw"
	k := testenv.StartKamailio(b, map[string]string{user: password})
	s := startSniffer(b, k.Addr())
	_, port, _ := net.SplitHostPort(s.addr())
	dir := b.TempDir()
	mic := testenv.Noise(b, time.Second, 1)
	hsArgs := []string{"answer", "--registrar", s.addr(), "--user", user, "--timeout", "30s",
		"--codecs", "opus", "--profile", filepath.Join(dir, "no-profile.json")}
	env := []string{"HOMESHORE_SIP_PASSWORD=" + password}
	var r registerResult
	for i := range n {
		log := func(name string) string { return filepath.Join(dir, name+"-"+strconv.Itoa(i)+".log") }
		r.homeshore = append(r.homeshore, timeToRegistered(b, s, func() *proc {
			return startProc(b, "homeshore", log("hs-reg"), env, hsBin, hsArgs...)
		}))
		r.homeshoreFiles = append(r.homeshoreFiles, timeToRegistered(b, s, func() *proc {
			args := append(slices.Clone(hsArgs), "--play", mic, "--record", filepath.Join(dir, "rec-"+strconv.Itoa(i)+".wav"))
			return startProc(b, "homeshore", log("hs-reg-files"), env, hsBin, args...)
		}))
		r.baresip = append(r.baresip, timeToRegistered(b, s, func() *proc {
			account := "<sip:" + user + "@127.0.0.1:" + port + ">;auth_pass=" + password +
				";regint=600;audio_codecs=opus/48000/2;answermode=manual"
			d := baresipDir(b, sipPortPair(b), mic, "", account, 20000+(i%50)*100)
			return startProc(b, "baresip", filepath.Join(d, "baresip.log"), nil, "baresip", "-f", d, "-t", "30")
		}))
	}
	return r
}

// quantile returns the q-quantile (nearest rank) of ds.
func quantile(ds []time.Duration, q float64) time.Duration {
	s := slices.Sorted(slices.Values(ds))
	i := int(q*float64(len(s))+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}
