package devinfo

import (
	"context"
	"fmt"
	"strings"

	"github.com/jfreymuth/pulse"
	"github.com/jfreymuth/pulse/proto"
)

// portAvailability maps pa_port_available_t.
func portAvailability(v uint32) Availability {
	switch v {
	case 1:
		return AvailNo
	case 2:
		return AvailYes
	}
	return AvailUnknown
}

func propsMap(p proto.PropList) map[string]string {
	m := make(map[string]string, len(p))
	for k, v := range p {
		s := v.String()
		if s == "<not a string>" {
			continue
		}
		m[k] = s
	}
	return m
}

// FromPulseProps builds a Device from a Pulse name, property list and ports
// (also used by tests over recorded property sets).
func FromPulseProps(id string, dir Direction, props map[string]string, ports []Port, active string) Device {
	d := Device{ID: id, Direction: dir, Props: props, Ports: ports, ActivePort: active,
		Description: props["device.description"], Bus: props["device.bus"], FormFactor: props["device.form_factor"],
		API: props["device.api"], Product: props["device.product.name"],
		USBVendor: normHex(props["device.vendor.id"]), USBProduct: normHex(props["device.product.id"]),
		Monitor: props["device.class"] == "monitor"}
	if d.Bus == "" && props["api.bluez5.address"] != "" {
		d.Bus = "bluetooth"
	}
	if d.Description == "" {
		d.Description = id
	}
	return d
}

// PulseDevices lists sinks and sources of the Pulse server (PulseAudio or
// PipeWire-Pulse) with their properties, ports and the defaults marked.
func PulseDevices(ctx context.Context) ([]Device, error) {
	c, err := pulse.NewClient(pulse.ClientApplicationName("Homeshore device check"))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoAudioServer, err)
	}
	defer c.Close()
	type result struct {
		devs []Device
		err  error
	}
	done := make(chan result, 1)
	go func() {
		devs, err := readPulse(c)
		done <- result{devs, err}
	}()
	select {
	case <-ctx.Done():
		c.Close()
		return nil, ctx.Err()
	case r := <-done:
		return r.devs, r.err
	}
}

func readPulse(c *pulse.Client) ([]Device, error) {
	var server proto.GetServerInfoReply
	if err := c.RawRequest(&proto.GetServerInfo{}, &server); err != nil {
		return nil, fmt.Errorf("%w: server info: %v", ErrNoAudioServer, err)
	}
	var sinks proto.GetSinkInfoListReply
	if err := c.RawRequest(&proto.GetSinkInfoList{}, &sinks); err != nil {
		return nil, fmt.Errorf("%w: list outputs: %v", ErrNoAudioServer, err)
	}
	var sources proto.GetSourceInfoListReply
	if err := c.RawRequest(&proto.GetSourceInfoList{}, &sources); err != nil {
		return nil, fmt.Errorf("%w: list inputs: %v", ErrNoAudioServer, err)
	}
	var out []Device
	for _, s := range sinks {
		ports := make([]Port, 0, len(s.Ports))
		for _, p := range s.Ports {
			ports = append(ports, Port{Name: p.Name, Description: p.Description, Available: portAvailability(p.Available)})
		}
		d := FromPulseProps(s.SinkName, Output, propsMap(s.Properties), ports, s.ActivePortName)
		d.Default = s.SinkName == server.DefaultSinkName
		d.Muted = s.Mute
		out = append(out, d)
	}
	for _, s := range sources {
		ports := make([]Port, 0, len(s.Ports))
		for _, p := range s.Ports {
			ports = append(ports, Port{Name: p.Name, Description: p.Description, Available: portAvailability(p.Available)})
		}
		d := FromPulseProps(s.SourceName, Input, propsMap(s.Properties), ports, s.ActivePortName)
		d.Default = s.SourceName == server.DefaultSourceName
		d.Muted = s.Mute
		if s.MonitorSourceIndex != proto.Undefined || strings.HasSuffix(s.SourceName, ".monitor") {
			d.Monitor = true
		}
		out = append(out, d)
	}
	return out, nil
}
