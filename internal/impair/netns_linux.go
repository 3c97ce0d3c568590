package impair

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Namespaces are two network namespaces, A and B, joined only through
// this process: each holds a TUN device whose other end is a file here,
// and a Link between the two files impairs what crosses. Programs started
// with Command run inside one of them and reach the other at its address.
// It needs root (CAP_NET_ADMIN); addresses come from 198.18.0.0/15, the
// range RFC 2544 sets aside for benchmarking.
type Namespaces struct {
	Names [2]string     // namespace names
	Addrs [2]netip.Addr // each one's address
	link  *Link
	tuns  [2]*tunPort
}

// setupTimeout bounds each ip(8) call.
const setupTimeout = 10 * time.Second

// NewNamespaces creates the namespaces prefix-a and prefix-b (prefix must
// be unique on the machine, e.g. with the process id) and starts relaying
// between them: aToB impairs what A sends, bToA what B sends, filter picks
// which IP packets are impaired (nil: all). Close removes everything.
func NewNamespaces(prefix string, aToB, bToA Config, filter Filter) (*Namespaces, error) {
	ns := &Namespaces{
		Names: [2]string{prefix + "-a", prefix + "-b"},
		Addrs: [2]netip.Addr{netip.MustParseAddr("198.18.1.1"), netip.MustParseAddr("198.18.2.1")},
	}
	nets := [2]string{"198.18.1.0/24", "198.18.2.0/24"}
	fail := func(err error) (*Namespaces, error) {
		ns.teardown()
		return nil, err
	}
	for i := range 2 {
		if err := ip("netns", "add", ns.Names[i]); err != nil {
			return fail(err)
		}
		dev := fmt.Sprintf("hstun%d%s", i, strings.ReplaceAll(prefix, "-", "")[max(0, len(strings.ReplaceAll(prefix, "-", ""))-8):])
		t, err := openTUN(dev)
		if err != nil {
			return fail(err)
		}
		ns.tuns[i] = t
		other := nets[1-i]
		steps := [][]string{
			{"link", "set", dev, "netns", ns.Names[i]},
			{"-n", ns.Names[i], "link", "set", "lo", "up"},
			{"-n", ns.Names[i], "addr", "add", ns.Addrs[i].String() + "/24", "dev", dev},
			{"-n", ns.Names[i], "link", "set", dev, "up", "mtu", "1500"},
			{"-n", ns.Names[i], "route", "add", other, "dev", dev},
		}
		for _, s := range steps {
			if err := ip(s...); err != nil {
				return fail(err)
			}
		}
	}
	ns.link = NewLink(ns.tuns[0], ns.tuns[1], aToB, bToA, filter)
	return ns, nil
}

// Command returns cmd run inside namespace i (0 = A, 1 = B).
func (ns *Namespaces) Command(ctx context.Context, i int, name string, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", ns.Names[i], name}, args...)...)
}

// Stats returns what the impairer did: A to B, B to A.
func (ns *Namespaces) Stats() (ab, ba Stats) { return ns.link.Stats() }

// Close stops the relay and deletes the namespaces. Stop the programs
// running inside first.
func (ns *Namespaces) Close() error {
	var errs []error
	if ns.link != nil {
		errs = append(errs, ns.link.Close())
		ns.tuns = [2]*tunPort{}
	}
	errs = append(errs, ns.teardown())
	return errors.Join(errs...)
}

func (ns *Namespaces) teardown() error {
	var errs []error
	for i, t := range ns.tuns {
		if t != nil {
			errs = append(errs, t.Close())
			ns.tuns[i] = nil
		}
	}
	for _, n := range ns.Names {
		if _, err := os.Stat("/run/netns/" + n); err == nil {
			errs = append(errs, ip("netns", "del", n))
		}
	}
	return errors.Join(errs...)
}

func ip(args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("impair: ip %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// tunPort is a TUN device's file: each read or write is one IP packet.
type tunPort struct{ f *os.File }

func openTUN(name string) (*tunPort, error) {
	fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("impair: open /dev/net/tun: %w", err)
	}
	var req [unix.IFNAMSIZ + 64]byte
	copy(req[:unix.IFNAMSIZ-1], name)
	binary.NativeEndian.PutUint16(req[unix.IFNAMSIZ:], unix.IFF_TUN|unix.IFF_NO_PI)
	if _, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.TUNSETIFF, uintptr(unsafe.Pointer(&req[0]))); e != 0 {
		unix.Close(fd)
		return nil, fmt.Errorf("impair: create TUN %s: %w", name, e)
	}
	// Non-blocking, so the runtime poller serves reads and Close wakes them.
	return &tunPort{f: os.NewFile(uintptr(fd), "/dev/net/tun:"+name)}, nil
}

func (t *tunPort) ReadPacket(b []byte) (int, error) { return t.f.Read(b) }
func (t *tunPort) WritePacket(b []byte) error {
	_, err := t.f.Write(b)
	return err
}
func (t *tunPort) Close() error { return t.f.Close() }

// MediaOnly impairs IPv4 UDP packets except those from or to the given
// ports (SIP signalling), so only the media suffers.
func MediaOnly(sipPorts ...uint16) Filter {
	return func(p []byte) bool {
		if len(p) < 20 || p[0]>>4 != 4 || p[9] != unix.IPPROTO_UDP {
			return false
		}
		ihl := int(p[0]&0x0f) * 4
		if len(p) < ihl+4 {
			return false
		}
		src, dst := binary.BigEndian.Uint16(p[ihl:]), binary.BigEndian.Uint16(p[ihl+2:])
		for _, s := range sipPorts {
			if src == s || dst == s {
				return false
			}
		}
		return true
	}
}
