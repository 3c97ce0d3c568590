package dsp

import "testing"

func TestConfigNames(t *testing.T) {
	for cfg, want := range map[Config]string{
		{}:                            "off",
		All():                         "ns+agc+aec",
		{NoiseSuppression: true}:      "ns",
		{AGC: true, EchoCancel: true}: "agc+aec",
	} {
		if cfg.String() != want || cfg.Any() != (want != "off") {
			t.Errorf("%+v: %q any=%t, want %q", cfg, cfg.String(), cfg.Any(), want)
		}
	}
}
