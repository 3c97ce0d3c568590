package impair

import (
	"container/heap"
	"errors"
	"net"
	"net/netip"
	"os"
	"sync"
	"time"
)

// Port is one side of a Link: packets are read from it and written to it
// whole (a UDP socket, a TUN device).
type Port interface {
	ReadPacket(b []byte) (int, error)
	WritePacket(b []byte) error
	Close() error
}

// Filter selects the packets to impair; the others pass at once.
type Filter func(pkt []byte) bool

// Link relays packets between two Ports, impairing each direction by its
// own Config. Close stops it and waits for its goroutines.
type Link struct {
	dirs [2]*direction
	wg   sync.WaitGroup
	once sync.Once
	err  error
	a, b Port
}

// direction is one way of a Link: a reader goroutine decides each
// packet's fate, a writer goroutine delivers on time.
type direction struct {
	from, to Port
	filter   Filter

	mu    sync.Mutex
	im    *Impairer
	queue packetQueue
	seq   uint64
	wake  chan struct{}
	done  chan struct{}
}

// NewLink starts relaying between a and b: aToB impairs what a sends,
// bToA what b sends; filter (nil = everything) picks what is impaired.
func NewLink(a, b Port, aToB, bToA Config, filter Filter) *Link {
	l := &Link{a: a, b: b}
	for i, c := range []Config{aToB, bToA} {
		d := &direction{from: a, to: b, filter: filter, im: New(c), wake: make(chan struct{}, 1), done: make(chan struct{})}
		if i == 1 {
			d.from, d.to = b, a
		}
		l.dirs[i] = d
		l.wg.Add(2)
		go func() { defer l.wg.Done(); d.read() }()
		go func() { defer l.wg.Done(); d.deliver() }()
	}
	return l
}

// Stats returns what each direction did so far (a to b, b to a).
func (l *Link) Stats() (ab, ba Stats) {
	get := func(d *direction) Stats {
		d.mu.Lock()
		defer d.mu.Unlock()
		return d.im.Stats()
	}
	return get(l.dirs[0]), get(l.dirs[1])
}

// Close closes both ports and waits for the relay to stop.
func (l *Link) Close() error {
	l.once.Do(func() {
		l.err = errors.Join(l.a.Close(), l.b.Close())
		l.wg.Wait()
	})
	return l.err
}

const maxPacket = 65536

func (d *direction) read() {
	defer close(d.done)
	buf := make([]byte, maxPacket)
	for {
		n, err := d.from.ReadPacket(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) || errors.Is(err, os.ErrClosed) {
				return
			}
			// Transient (ICMP surfacing on a UDP socket): go on, but do
			// not spin if the port is broken for good.
			time.Sleep(time.Millisecond)
			continue
		}
		pkt := append([]byte(nil), buf[:n]...)
		now := time.Now()
		at := now
		d.mu.Lock()
		if d.filter == nil || d.filter(pkt) {
			var drop bool
			if drop, at = d.im.Decide(now); drop {
				d.mu.Unlock()
				continue
			}
		}
		d.seq++
		heap.Push(&d.queue, queued{at: at, seq: d.seq, pkt: pkt})
		d.mu.Unlock()
		select {
		case d.wake <- struct{}{}:
		default:
		}
	}
}

func (d *direction) deliver() {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		d.mu.Lock()
		var next time.Time
		for d.queue.Len() > 0 {
			q := d.queue[0]
			if wait := time.Until(q.at); wait > 0 {
				next = q.at
				break
			}
			heap.Pop(&d.queue)
			d.mu.Unlock()
			_ = d.to.WritePacket(q.pkt) // a lost write is a lost packet
			d.mu.Lock()
		}
		d.mu.Unlock()
		if !next.IsZero() {
			timer.Reset(time.Until(next))
		}
		select {
		case <-d.done:
			return
		case <-d.wake:
		case <-timer.C:
		}
	}
}

type queued struct {
	at  time.Time
	seq uint64
	pkt []byte
}

// packetQueue is a min-heap by delivery time, then arrival order.
type packetQueue []queued

func (q packetQueue) Len() int { return len(q) }
func (q packetQueue) Less(i, j int) bool {
	if q[i].at.Equal(q[j].at) {
		return q[i].seq < q[j].seq
	}
	return q[i].at.Before(q[j].at)
}
func (q packetQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *packetQueue) Push(x any)   { *q = append(*q, x.(queued)) }
func (q *packetQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

// UDPPort is a UDP socket as a Port: it sends to Peer, or, while Peer is
// unset, to whoever sent to it last (a relay facing a symmetric-RTP peer).
type UDPPort struct {
	Conn *net.UDPConn
	mu   sync.Mutex
	peer netip.AddrPort
}

// NewUDPPort wraps conn; peer may be the zero value (learn it).
func NewUDPPort(conn *net.UDPConn, peer netip.AddrPort) *UDPPort {
	return &UDPPort{Conn: conn, peer: peer}
}

// ReadPacket implements Port.
func (u *UDPPort) ReadPacket(b []byte) (int, error) {
	n, from, err := u.Conn.ReadFromUDPAddrPort(b)
	if err == nil {
		u.mu.Lock()
		if !u.peer.IsValid() {
			u.peer = from
		}
		u.mu.Unlock()
	}
	return n, err
}

// WritePacket implements Port; packets before the peer is known are lost.
func (u *UDPPort) WritePacket(b []byte) error {
	u.mu.Lock()
	peer := u.peer
	u.mu.Unlock()
	if !peer.IsValid() {
		return nil
	}
	_, err := u.Conn.WriteToUDPAddrPort(b, peer)
	return err
}

// Close implements Port.
func (u *UDPPort) Close() error { return u.Conn.Close() }
