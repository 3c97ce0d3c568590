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

// timeToRegistered starts an endpoint n times and returns, for each run,
// the time from just before fork/exec to the 200 OK of its REGISTER.
func timeToRegistered(b *testing.B, s *sniffer, n int, start func(i int) *proc) []time.Duration {
	var out []time.Duration
	for i := range n {
		s.drain()
		t0 := time.Now()
		p := start(i)
		select {
		case t1 := <-s.registered:
			out = append(out, t1.Sub(t0))
		case <-p.done:
			b.Fatalf("%s exited before registering: %v\n%s", p.name, p.err, p.tail())
		case <-time.After(registerTimeout):
			b.Fatalf("%s did not register within %v\n%s", p.name, registerTimeout, p.tail())
		}
		p.stop()
	}
	return out
}

// registerResult holds start-to-registered times. homeshoreFiles runs with
// --play/--record files, so it opens no audio device before REGISTER (as
// the baresip run, which opens its devices only for a call).
type registerResult struct{ homeshore, homeshoreFiles, baresip []time.Duration }

func benchRegister(b *testing.B, hsBin string, n int) registerResult {
	const user, password = "alice", "secret-bench-pw"
	k := testenv.StartKamailio(b, map[string]string{user: password})
	s := startSniffer(b, k.Addr())
	_, port, _ := net.SplitHostPort(s.addr())
	dir := b.TempDir()
	var r registerResult
	r.homeshore = timeToRegistered(b, s, n, func(i int) *proc {
		return startProc(b, "homeshore", filepath.Join(dir, "hs-reg-"+strconv.Itoa(i)+".log"),
			[]string{"HOMESHORE_SIP_PASSWORD=" + password}, hsBin,
			"answer", "--registrar", s.addr(), "--user", user, "--timeout", "30s",
			"--codecs", "opus", "--profile", filepath.Join(dir, "no-profile.json"))
	})
	mic := testenv.Noise(b, time.Second, 1)
	r.homeshoreFiles = timeToRegistered(b, s, n, func(i int) *proc {
		return startProc(b, "homeshore", filepath.Join(dir, "hs-reg-files-"+strconv.Itoa(i)+".log"),
			[]string{"HOMESHORE_SIP_PASSWORD=" + password}, hsBin,
			"answer", "--registrar", s.addr(), "--user", user, "--timeout", "30s",
			"--codecs", "opus", "--profile", filepath.Join(dir, "no-profile.json"),
			"--play", mic, "--record", filepath.Join(dir, "rec-"+strconv.Itoa(i)+".wav"))
	})
	r.baresip = timeToRegistered(b, s, n, func(i int) *proc {
		account := "<sip:" + user + "@127.0.0.1:" + port + ">;auth_pass=" + password +
			";regint=600;audio_codecs=opus/48000/2;answermode=manual"
		d := baresipDir(b, sipPortPair(b), mic, "", account, 20000+(i%50)*100)
		return startProc(b, "baresip", filepath.Join(d, "baresip.log"), nil, "baresip", "-f", d, "-t", "30")
	})
	return r
}

// quantile returns the q-quantile (nearest rank) of ds.
func quantile(ds []time.Duration, q float64) time.Duration {
	s := slices.Sorted(slices.Values(ds))
	i := int(q*float64(len(s))+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}
