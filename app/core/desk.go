package core

import (
	"errors"
	"fmt"
	"sync"

	"github.com/homeshore/homeshore/media/mixer"
	"github.com/homeshore/homeshore/sip"
)

// desk owns the audio of the agent's calls. While any call needs audio it
// keeps one mixer with the agent's headset attached, a port per call leg
// and one for a supervisor's monitoring session; the routes (who hears
// whom) follow from the legs' states and the monitoring mode:
//
//   - the agent hears every answered leg not on hold (and a dialled one's
//     ringback), and the supervisor when coaching (whisper) or in the call
//     (barge);
//   - a leg hears the agent (unless the agent muted it), the other legs of the
//     conference when it is in it, and the supervisor in barge;
//   - the supervisor hears the agent (unless muted on that call) and the monitored call (or the whole
//     conference it is in); in listen mode nobody hears the supervisor.
//
// Held legs hear nobody and nobody hears them. The mixer and the devices
// close when the last leg goes, so nothing ticks between calls.
type desk struct {
	c *Core

	mu        sync.Mutex
	mix       *mixer.Mixer
	agent     *mixer.Port
	attached  *mixer.Attachment // the agent's headset
	closeDev  func() error
	legs      map[*leg]bool
	monitor   *mixer.Port // the supervisor's leg, nil without a session
	monMode   string
	monTarget *leg // the monitored call
}

// leg is one call's place in the mix.
type leg struct {
	port     *mixer.Port
	answered bool
	held     bool
	inConf   bool // in the local conference
	dialing  bool // outgoing, not answered: the agent hears its ringback
	muted    bool // the agent muted this call: it and the supervisor do not hear the agent
}

func newDesk(c *Core) *desk { return &desk{c: c, legs: map[*leg]bool{}} }

// open adds a leg named name, opening the mixer and the agent's devices
// first when this is the first one. Its Audio goes to the call's session.
func (d *desk) open(name string, outbound bool) (*leg, sip.Audio, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.mix == nil {
		if err := d.start(); err != nil {
			return nil, sip.Audio{}, err
		}
	}
	p, err := d.mix.Add(name)
	if err != nil {
		return nil, sip.Audio{}, err
	}
	l := &leg{port: p, dialing: outbound}
	d.legs[l] = true
	d.routeLocked()
	return l, sip.Audio{Source: p, Sink: p}, nil
}

// start opens the agent's devices on a new mixer; d.mu is held.
func (d *desk) start() error {
	audio, closeDev, err := d.c.phone.openAudio()
	if err != nil {
		return err
	}
	m := mixer.New(mixer.Options{Logger: d.c.log})
	agent, err := m.Add("agent")
	if err != nil {
		return errors.Join(err, m.Close(), closeDev())
	}
	d.mix, d.agent, d.closeDev = m, agent, closeDev
	d.attached = m.Attach(agent, audio.Source, audio.Sink)
	return nil
}

// release removes a leg; the last one stops the mixer and closes the devices.
func (d *desk) release(l *leg) error {
	if l == nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.legs[l] {
		return nil
	}
	delete(d.legs, l)
	d.mix.Remove(l.port)
	if d.monTarget == l {
		d.monTarget = nil
	}
	// A conference of one is a plain call again.
	var conf []*leg
	for o := range d.legs {
		if o.inConf {
			conf = append(conf, o)
		}
	}
	if len(conf) == 1 {
		conf[0].inConf = false
	}
	if len(d.legs) > 0 || d.monitor != nil {
		d.routeLocked()
		return nil
	}
	return d.stopLocked()
}

// stopLocked closes the mixer and the devices; d.mu is held.
func (d *desk) stopLocked() error {
	if d.mix == nil {
		return nil
	}
	// Devices close before the wait: one blocked in Read or Write (a
	// suspended sound server) returns when closed.
	d.attached.Stop()
	err := d.mix.Close()
	if d.closeDev != nil {
		err = errors.Join(err, d.closeDev())
	}
	d.attached.Wait()
	d.mix, d.agent, d.attached, d.closeDev = nil, nil, nil, nil
	return err
}

// update changes a leg's state and reroutes.
func (d *desk) update(l *leg, change func(*leg)) {
	if l == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.legs[l] {
		return
	}
	change(l)
	d.routeLocked()
}

// startMonitor adds the supervisor's leg on target's call in mode.
func (d *desk) startMonitor(target *leg, mode string) (sip.Audio, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.mix == nil || !d.legs[target] {
		return sip.Audio{}, errors.New("the monitored call has ended")
	}
	if d.monitor != nil {
		return sip.Audio{}, errors.New("another supervisor session is running on this call")
	}
	p, err := d.mix.Add("supervisor")
	if err != nil {
		return sip.Audio{}, err
	}
	d.monitor, d.monMode, d.monTarget = p, mode, target
	d.routeLocked()
	return sip.Audio{Source: p, Sink: p}, nil
}

func (d *desk) setMonitorMode(mode string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.monMode = mode
	if d.mix != nil {
		d.routeLocked()
	}
}

// stopMonitor removes the supervisor's leg.
func (d *desk) stopMonitor() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.monitor == nil {
		return nil
	}
	if d.mix != nil {
		d.mix.Remove(d.monitor)
	}
	d.monitor, d.monTarget = nil, nil
	if len(d.legs) == 0 {
		return d.stopLocked()
	}
	d.routeLocked()
	return nil
}

// monitored lists the legs the supervisor hears: the monitored call, or
// every leg of the conference it is in. d.mu is held.
func (d *desk) monitoredLocked() []*leg {
	t := d.monTarget
	if t == nil || !t.live() {
		return nil
	}
	if !t.inConf {
		return []*leg{t}
	}
	var out []*leg
	for l := range d.legs {
		if l.inConf && l.live() {
			out = append(out, l)
		}
	}
	return out
}

// live: answered and not on hold, so in the conversation.
func (l *leg) live() bool { return l.answered && !l.held }

// routeLocked computes every route from the states; d.mu is held.
func (d *desk) routeLocked() {
	if d.mix == nil {
		return
	}
	r := mixer.Routes{}
	monitored := d.monitoredLocked()
	isMonitored := map[*leg]bool{}
	for _, l := range monitored {
		isMonitored[l] = true
	}
	for l := range d.legs {
		if l.dialing {
			r[d.agent] = append(r[d.agent], l.port)
		}
		if !l.live() {
			continue
		}
		r[d.agent] = append(r[d.agent], l.port)
		if !l.muted {
			r[l.port] = append(r[l.port], d.agent)
		}
		if l.inConf {
			for o := range d.legs {
				if o != l && o.inConf && o.live() {
					r[l.port] = append(r[l.port], o.port)
				}
			}
		}
		if d.monitor != nil && d.monMode == sip.ModeBarge && isMonitored[l] {
			r[l.port] = append(r[l.port], d.monitor)
		}
	}
	if d.monitor != nil {
		if t := d.monTarget; t != nil && !t.muted {
			r[d.monitor] = append(r[d.monitor], d.agent)
		}
		for _, l := range monitored {
			r[d.monitor] = append(r[d.monitor], l.port)
		}
		if d.monMode == sip.ModeWhisper || d.monMode == sip.ModeBarge {
			r[d.agent] = append(r[d.agent], d.monitor)
		}
	}
	d.mix.SetRoutes(r)
	d.c.log.Debug("audio routes", "routes", d.mix.Describe())
}

// describe prints the routes (tests, logs).
func (d *desk) describe() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.mix == nil {
		return "no audio"
	}
	return d.mix.Describe()
}

// close stops everything; calls are already gone.
func (d *desk) close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for l := range d.legs {
		delete(d.legs, l)
	}
	d.monitor, d.monTarget = nil, nil
	if err := d.stopLocked(); err != nil {
		return fmt.Errorf("closing call audio: %w", err)
	}
	return nil
}

// hasConference reports whether a conference is running.
func (d *desk) hasConference() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for l := range d.legs {
		if l.inConf {
			return true
		}
	}
	return false
}
